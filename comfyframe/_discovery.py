"""``Discovery``: the tables of one or more servers, inferred and ready to query."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ._frames import build_frames, concat_frames, snapshot_problems
from ._infer import infer_models
from ._rank import CAPABILITIES, Prefer, best_for, capability_table
from ._snapshot import Snapshot, load_snapshots, save_fleet
from .errors import DegradedServerWarning


class Discovery:
    """What one or more ComfyUI servers have, as pandas DataFrames.

    Tables: ``hardware`` (one row per device), ``nodes`` (one row per node
    class), ``edges`` (node input ↔ model file), ``models`` (one row per model
    file, with inferred ``kind``, ``family``, ``capabilities``, ``vram_gb``,
    ``quality`` …) and ``capabilities`` (one row per model × capability).
    """

    def __init__(
        self,
        snapshots: Snapshot | Sequence[Snapshot],
        *,
        warn: bool = True,
        failed: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.snapshots: tuple[Snapshot, ...] = (snapshots,) if isinstance(snapshots, Snapshot) else tuple(snapshots)
        if not self.snapshots:
            raise ValueError("Discovery needs at least one snapshot.")
        self.failed: tuple[dict[str, Any], ...] = tuple(failed)
        frames = concat_frames([build_frames(s) for s in self.snapshots])
        self.hardware: pd.DataFrame = frames.hardware
        self.nodes: pd.DataFrame = frames.nodes
        self.edges: pd.DataFrame = frames.edges
        self.models: pd.DataFrame = infer_models(frames.models, frames.edges, frames.nodes)
        self.capabilities: pd.DataFrame = capability_table(self.models)
        self.problems: list[str] = [
            *(f"{row['server']}: not discovered ({row['error']}); the other servers' tables are complete."
              for row in self.failed),
            *(p for s in self.snapshots for p in snapshot_problems(s)),
        ]
        if warn:
            for problem in self.problems:
                warnings.warn(problem, DegradedServerWarning, stacklevel=3)

    @classmethod
    def from_snapshot(cls, source: Snapshot | str | Path, *, warn: bool = True) -> Discovery:
        """Build from a :class:`Snapshot` or a saved snapshot or fleet file, offline."""
        if isinstance(source, Snapshot):
            return cls(source, warn=warn)
        snapshots, failed = load_snapshots(source)
        return cls(snapshots, warn=warn, failed=failed)

    # -- identity --------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        """The first (usually only) server's raw snapshot."""
        return self.snapshots[0]

    @property
    def url(self) -> str:
        return self.snapshot.url

    @property
    def urls(self) -> list[str]:
        """The URLs of the servers with tables (credentials removed)."""
        return [s.url for s in self.snapshots]

    @property
    def servers(self) -> pd.DataFrame:
        """One row per server asked: ``server, reachable, comfyui_version, error, seconds, requests``."""
        rows: list[dict[str, Any]] = []
        for snap in self.snapshots:
            system = (snap.system_stats or {}).get("system")
            version = system.get("comfyui_version") if isinstance(system, dict) else None
            rows.append({"server": snap.url, "reachable": True, "comfyui_version": None if version is None else str(version),
                         "error": None, "seconds": snap.stats.get("seconds"), "requests": snap.stats.get("requests")})
        for row in self.failed:
            rows.append({"server": str(row.get("server", "")), "reachable": False, "comfyui_version": None,
                         "error": str(row.get("error", "")), "seconds": row.get("seconds"), "requests": None})
        frame = pd.DataFrame(rows, columns=["server", "reachable", "comfyui_version", "error", "seconds", "requests"])
        return frame.astype({"server": "string", "reachable": "bool", "comfyui_version": "string", "error": "string",
                             "seconds": "float64", "requests": "Int64"})

    # -- queries ---------------------------------------------------------
    def best_for(
        self,
        capability: str,
        max_vram: float | None = None,
        prefer: Prefer = "quality",
        device: int = 0,
        top: int | None = None,
    ) -> pd.DataFrame:
        """Ranked models that can do ``capability`` and fit the memory budget; row 0 is the pick.

        ``capability`` is one of ``text_to_image, image_to_image, text_to_video,
        image_to_video, upscale, text_to_audio``. ``max_vram`` (GiB) defaults to
        the budget of hardware row ``device`` under the server's launch flags.
        """
        return best_for(
            self.models, self.hardware, capability, max_vram=max_vram, prefer=prefer, device=device, top=top,
            capabilities=self.capabilities,
        )

    def available_capabilities(self) -> list[str]:
        """Capabilities at least one model on the server(s) has, in canonical order."""
        present = set(self.capabilities["capability"].dropna())
        return [c for c in CAPABILITIES if c in present]

    def best_per_capability(self, prefer: Prefer = "quality", device: int = 0) -> pd.DataFrame:
        """The top pick for every capability the server has (fitting the device's budget)."""
        rows = []
        for capability in self.available_capabilities():
            ranked = self.best_for(capability, prefer=prefer, device=device, top=1)
            if not ranked.empty:
                rows.append(ranked.assign(capability=capability))
        if not rows:
            return pd.DataFrame(columns=["capability", "name", "family", "vram_gb", "quality"])
        table = pd.concat(rows, ignore_index=True)
        return table[["capability", *[c for c in table.columns if c not in ("capability", "rank")]]]

    def summary(self) -> dict[str, object]:
        """Counts and facts for reports: servers, devices, models by kind, capabilities."""
        models = self.models
        return {
            "servers": self.urls,
            "devices": self.hardware[["gpu_name", "vram_total_gb", "vram_free_gb"]].to_dict("records"),
            "nodes": int(len(self.nodes)),
            "loader_nodes": int(self.nodes["loads_models"].fillna(False).sum()),
            "models": int(len(models)),
            "model_bytes": int(models["size_bytes"].fillna(0).sum()),
            "by_kind": models["kind"].value_counts().to_dict(),
            "by_capability": self.capabilities["capability"].value_counts().to_dict(),
            "unknown_family": int(models["family"].eq("").sum()),
            "problems": list(self.problems),
        }

    # -- output ----------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the snapshot(s) for offline work (``.json`` or ``.json.gz``); a fleet saves every server."""
        if len(self.snapshots) == 1 and not self.failed:
            return self.snapshot.save(path)
        return save_fleet(path, list(self.snapshots), list(self.failed))

    def export(self, out_dir: str | Path, format: str = "csv") -> list[Path]:
        """Write models, nodes, edges, hardware and capabilities tables to ``out_dir``."""
        from ._export import export_tables

        return export_tables(self, out_dir, format)

    def status(self) -> str:
        """A plain-text summary: server, hardware, model counts, best pick per capability."""
        from ._display import status_text

        return status_text(self)

    def __repr__(self) -> str:
        servers = ", ".join(self.urls)
        return (
            f"<Discovery of {servers}: {len(self.hardware)} device(s), {len(self.nodes)} nodes, "
            f"{len(self.models)} models, {len(self.edges)} edges>"
        )

    def _repr_html_(self) -> str:
        from ._display import discovery_html

        return discovery_html(self)
