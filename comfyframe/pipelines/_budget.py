"""Which memory budget each server's ranking uses, and how to say it.

The default is what a server can run: its device's total memory less the reserve (``hardware.budget_gb``),
since ComfyUI unloads models when a job needs the memory. ``budget="free"`` uses what was free at capture
time (``budget_free_gb``); an explicit ``max_vram`` overrides both, for every server.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ..errors import DegradedServerWarning

BudgetKind = Literal["total", "free"]
BUDGET_KINDS = ("total", "free")


@dataclass(frozen=True)
class Budget:
    """One server's limit (GiB; None: unlimited) and the words that name it."""

    server: str
    limit: float | None
    basis: str

    def describe(self) -> str:
        return f"{self.limit:.1f} GiB ({self.basis})" if self.limit is not None else f"no limit ({self.basis})"


def fleet_budgets(
    hardware: pd.DataFrame, servers: list[str], device: int, max_vram: float | None, budget: BudgetKind = "total",
) -> list[Budget]:  # fmt: skip
    """The budget of device ``device`` (its ``device_index``) on each of ``servers``.

    Servers without that device are left out with a warning (a ValueError when no server has it); servers
    without hardware rows rank without a limit unless ``max_vram`` is given (a warning says so).
    """
    if budget not in BUDGET_KINDS:
        raise ValueError(f"budget must be 'total' (what the server can run) or 'free' (free now), not {budget!r}.")
    found: list[Budget] = []
    lacking: list[str] = []
    blind: list[str] = []
    for server in servers:
        rows = hardware[hardware["server"].eq(server)]
        if rows.empty:
            blind.append(server)
            found.append(Budget(server, max_vram, "max_vram" if max_vram is not None else "no hardware information"))
            continue
        match = rows[rows["device_index"].eq(device)]
        if match.empty:
            lacking.append(server)
            continue
        row = match.iloc[0]
        if max_vram is not None:
            found.append(Budget(server, float(max_vram), "max_vram"))
            continue
        column = "budget_gb" if budget == "total" else "budget_free_gb"
        value = row[column] if column in row.index else row["budget_gb"]
        memory = "RAM" if str(row["vram_mode"]) in ("cpu", "novram") else "VRAM"
        given = row.get("budget_basis")
        basis = ("" if given is None or pd.isna(given) else str(given)) if budget == "total" else \
            f"{memory} free when asked (budget='free')"  # fmt: skip
        found.append(Budget(server, None if pd.isna(value) else float(value), f"device {device}: {basis}"))
    if lacking and not any(b for b in found if b.server not in blind):
        most = int(hardware["device_index"].max()) if len(hardware) else 0
        raise ValueError(f"device must be 0..{most} (a device_index of the hardware table), not {device}.")
    if lacking:
        warnings.warn(f"{', '.join(lacking)}: no device {device}; not ranked.", DegradedServerWarning, stacklevel=3)
    if blind and max_vram is None:
        warnings.warn(
            f"{', '.join(blind)}: no hardware information (the server did not answer /system_stats): ranking "
            "without a memory limit. Pass max_vram= to set one.",
            DegradedServerWarning,
            stacklevel=3,
        )
    return found


def describe(budgets: list[Budget]) -> str:
    """``"23.6 GiB (device 0: total VRAM 24.0 GiB less …)"``, with the server when there are several."""
    if len(budgets) == 1:
        return budgets[0].describe()
    return "; ".join(f"{b.server}: {b.describe()}" for b in budgets)
