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
    mode, reserve = parse_argv(argv)
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
                "budget_gb": budget_gb(row_mode, vram_free, ram_free, reserve),
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
        reserve_vram_gb=reserve,
    )
    for key in ("os", "comfyui_version", "python_version", "pytorch_version"):
        data[key] = str(system[key]) if system.get(key) is not None else None
    return from_columns(HARDWARE, data, len(rows))


def budget_gb(mode: str, vram_free: float, ram_free: float, reserve: float) -> float:
    """Memory the weights of one model may occupy, in GiB.

    ``--cpu``: free RAM (everything runs there). ``--novram``: weights stream
    from RAM. ``--lowvram``: ComfyUI splits the model between VRAM and RAM, so
    free VRAM plus half the free RAM. Otherwise free VRAM less ``--reserve-vram``.
    Older servers omit RAM (and an impossible RAM report is NaN); then VRAM stands in for it.
    """
    vram = max(vram_free - reserve, 0.0) if not math.isnan(vram_free) else vram_free
    ram = vram_free if math.isnan(ram_free) else ram_free
    if mode in ("cpu", "novram"):
        return ram
    if mode == "lowvram":
        return vram + ram / 2
    return vram


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
