"""The ``hardware`` table: one row per device in ``/system_stats``."""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from ..snapshot._snapshot import Snapshot
from ._schema import HARDWARE, from_columns

GIB = float(1 << 30)
# Plausible memory reports, in bytes: 0 ≤ value ≤ the bound. The largest accelerators hold under 300 GB and
# the largest hosts a few dozen TiB; beyond these, or below zero, a report is not memory and becomes NaN.
MAX_DEVICE_BYTES = 16 << 40
MAX_HOST_BYTES = 64 << 40

# (regex on the device name, vendor); first match wins. ZLUDA reports AMD cards as cuda.
VENDOR_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"(?i)\b(?:nvidia|geforce|quadro|tesla|titan|rtx|gtx)\b", "NVIDIA"),
    (r"(?i)\b(?:amd|radeon|instinct)\b", "AMD"),
    (r"(?i)\b(?:intel|arc)\b", "Intel"),
    (r"^mps$", "Apple"),
    (r"^privateuseone", "DirectML"),
    (r"^cpu$", "CPU"),
)
READABLE_NAMES = {"mps": "Apple Silicon GPU (MPS)", "cpu": "CPU", "privateuseone": "DirectML device"}
# "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync" -> "NVIDIA GeForce RTX 4090"
DEVICE_NAME = r"^\s*[a-z]+(?::\d+)?\s+(?P<gpu>.+?)(?:\s+:\s+\S+)?\s*$"
PLATFORMS = {"nt": "windows", "win32": "windows", "darwin": "macos", "linux": "linux", "posix": "posix"}
# Launch flags that change where weights live, most restrictive first.
VRAM_MODES: tuple[tuple[str, str], ...] = (
    ("--cpu", "cpu"),
    ("--novram", "novram"),
    ("--lowvram", "lowvram"),
    ("--gpu-only", "gpu_only"),
    ("--highvram", "highvram"),
)


def is_remote_url(url: str) -> bool:
    """True unless the URL's host is localhost, in 127.0.0.0/8, ``::1`` or unspecified."""
    host = (urlsplit(url if "://" in url else "http://" + url).hostname or "").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return not (address.is_loopback or address.is_unspecified)


def parse_argv(argv: list[str]) -> tuple[str, float]:
    """Return the memory mode and ``--reserve-vram`` GiB implied by a server's argv."""
    flags = {a.split("=", 1)[0] for a in argv if a.startswith("--")}
    mode = next((name for flag, name in VRAM_MODES if flag in flags), "normal")
    reserve = 0.0
    for i, arg in enumerate(argv):
        value = None
        if arg == "--reserve-vram" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--reserve-vram="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                reserve = float(value)
            except ValueError:
                pass
    return mode, reserve


def build_hardware(snapshot: Snapshot) -> pd.DataFrame:
    """One row per device of ``/system_stats`` (a handful of rows: built directly)."""
    stats: dict[str, Any] = snapshot.system_stats or {}
    raw_system, raw_devices = stats.get("system"), stats.get("devices")
    system: dict[str, Any] = raw_system if isinstance(raw_system, dict) else {}
    devices = [d for d in raw_devices if isinstance(d, dict)] if isinstance(raw_devices, list) else []
    argv = [str(a) for a in system.get("argv", []) if a is not None] if isinstance(system.get("argv"), list) else []
    mode, flag = parse_argv(argv)
    reserve = flag if any(a == "--reserve-vram" or a.startswith("--reserve-vram=") for a in argv) else None
    windows = PLATFORMS.get(str(system.get("os"))) == "windows"
    default_reserve = DEFAULT_RESERVE_WINDOWS_GIB if windows else DEFAULT_RESERVE_GIB
    ram_total, ram_free = _memory_gib(system.get("ram_total"), system.get("ram_free"), MAX_HOST_BYTES)
    rows: list[dict[str, Any]] = []
    for index, device in enumerate(devices):
        name = str(device.get("name", ""))
        kind = str(device.get("type", "")) or name.split(":", 1)[0]
        parsed = re.match(DEVICE_NAME, name)
        vram_total, vram_free = _memory_gib(device.get("vram_total"), device.get("vram_free"), MAX_DEVICE_BYTES)
        torch_total, torch_free = _memory_gib(
            device.get("torch_vram_total"), device.get("torch_vram_free"), MAX_DEVICE_BYTES
        )
        row_mode = "cpu" if kind == "cpu" else mode
        row_reserve = reserve if reserve is not None else 0.0 if row_mode in ("cpu", "novram") else default_reserve
        rows.append(
            {
                "device_index": index,
                "device": name,
                "device_type": kind,
                "gpu_name": READABLE_NAMES.get(kind) or (parsed.group("gpu") if parsed else name),
                "vendor": next((v for p, v in VENDOR_PATTERNS if re.search(p, name)), "unknown"),
                "vram_total_gb": vram_total,
                "vram_free_gb": vram_free,
                "torch_vram_total_gb": torch_total,
                "torch_vram_free_gb": torch_free,
                "vram_mode": row_mode,
                "budget_gb": budget_gb(row_mode, vram_total, ram_total, row_reserve),
                "budget_free_gb": budget_gb(row_mode, vram_free, ram_free, row_reserve, free=True),
                "budget_basis": budget_basis(
                    row_mode, "RAM" if kind == "cpu" else "VRAM", ram_total if row_mode in ("cpu", "novram")
                    and not math.isnan(ram_total) else vram_total, row_reserve, reserve is not None,
                ),
            }
        )
    data: dict[str, Any] = {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}
    data.update(
        server=snapshot.url,
        ram_total_gb=ram_total,
        ram_free_gb=ram_free,
        platform=PLATFORMS.get(str(system.get("os"))),
        is_remote=is_remote_url(snapshot.url),
        argv=" ".join(argv),
        reserve_vram_gb=flag,
    )
    for key in ("os", "comfyui_version", "python_version", "pytorch_version"):
        data[key] = str(system[key]) if system.get(key) is not None else None
    return from_columns(HARDWARE, data, len(rows))


# ComfyUI keeps this much device memory free when --reserve-vram is not given (model_management.py's
# EXTRA_RESERVED_VRAM: 400 MiB, 600 MiB on Windows).
DEFAULT_RESERVE_GIB = 400 / 1024
DEFAULT_RESERVE_WINDOWS_GIB = 600 / 1024
# What a host needs besides the model when everything runs in RAM (the OS, ComfyUI and its Python):
# a tenth of the RAM, at least 2 GiB. comfyframe's allowance, not a ComfyUI setting.
OS_SHARE = 0.10
OS_MIN_GIB = 2.0


def os_allowance(ram_total: float) -> float:
    """GiB of RAM left to the OS and ComfyUI itself when models run in RAM."""
    return max(OS_MIN_GIB, OS_SHARE * ram_total) if not math.isnan(ram_total) else OS_MIN_GIB


def budget_gb(mode: str, vram: float, ram: float, reserve: float, *, free: bool = False) -> float:
    """Memory the weights of one job may occupy, in GiB.

    ``vram``/``ram`` are totals (default: what the server can run, since ComfyUI unloads models when a job
    needs the memory) or, with ``free=True``, what is free now. ``--cpu``: RAM less the OS allowance
    (:func:`os_allowance`, totals only). ``--novram``: weights stream from RAM, the same. ``--lowvram``:
    ComfyUI splits the model between VRAM and RAM, so VRAM plus half the RAM. Otherwise VRAM less the
    reserve (``--reserve-vram``, else ComfyUI's default). Older servers omit RAM (and an impossible RAM
    report is NaN); then VRAM stands in for it.
    """
    device = max(vram - reserve, 0.0) if not math.isnan(vram) else vram
    host = vram if math.isnan(ram) else ram
    if not free:
        host = max(host - os_allowance(host), 0.0) if not math.isnan(host) else host
    if mode in ("cpu", "novram"):
        return round(host, 3)
    if mode == "lowvram":
        return round(device + host / 2, 3)
    return round(device, 3)


def budget_basis(mode: str, memory: str, total: float, reserve: float, reserve_given: bool) -> str:
    """How the default budget was reached, in words: ``"total VRAM 24.0 GiB less --reserve-vram 1.0 GiB"``."""
    if mode in ("cpu", "novram"):
        return f"total RAM {total:.1f} GiB less {os_allowance(total):.1f} GiB for the OS and ComfyUI"
    why = "--reserve-vram" if reserve_given else "ComfyUI's default reserve"
    basis = f"total {memory} {total:.1f} GiB less {why} {reserve:.1f} GiB"
    return basis + (" plus half the RAM left after the OS (--lowvram)" if mode == "lowvram" else "")


def implausible_memory(total: Any, free: Any, bound: int = MAX_DEVICE_BYTES) -> bool:
    """True when a reported (total, free) pair is not memory: out of ``0..bound`` bytes, or free above total.

    A value that is absent (``None``) is missing, not implausible.
    """
    checked = [_plausible(value, bound) for value in (total, free) if value is not None]
    if not all(checked):
        return True
    return total is not None and free is not None and float(free) > float(total)


def _memory_gib(total: Any, free: Any, bound: int) -> tuple[float, float]:
    """(total, free) in GiB; NaN for an implausible value. Free memory is NaN too when it exceeds the total
    or the total itself is implausible: a device that misreports its size misreports what is free."""
    total_ok = total is None or _plausible(total, bound)
    free_ok = _plausible(free, bound) and total_ok and (total is None or float(free) <= float(total))
    return (_gib(total) if total_ok else math.nan), (_gib(free) if free_ok else math.nan)


def _plausible(value: Any, bound: int) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= bound


def _gib(value: Any) -> float:
    try:
        return round(float(value) / GIB, 3)
    except (TypeError, ValueError):
        return float("nan")
