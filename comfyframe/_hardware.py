"""The ``hardware`` table: one row per device in ``/system_stats``."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from ._schema import HARDWARE, conform
from ._snapshot import Snapshot

GIB = float(1 << 30)

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
    stats = snapshot.system_stats or {}
    system: dict[str, Any] = stats.get("system") if isinstance(stats.get("system"), dict) else {}
    devices = [d for d in stats.get("devices", []) if isinstance(d, dict)] if stats else []
    if not devices:
        return conform(pd.DataFrame(), HARDWARE)
    argv = [str(a) for a in system.get("argv", []) if a is not None]
    mode, reserve = parse_argv(argv)
    frame = pd.DataFrame(
        {
            "device_index": range(len(devices)),
            "device": [str(d.get("name", "")) for d in devices],
            "device_type": [str(d.get("type", "")) for d in devices],
            "vram_total_gb": [_gib(d.get("vram_total")) for d in devices],
            "vram_free_gb": [_gib(d.get("vram_free")) for d in devices],
            "torch_vram_total_gb": [_gib(d.get("torch_vram_total")) for d in devices],
            "torch_vram_free_gb": [_gib(d.get("torch_vram_free")) for d in devices],
        }
    )
    frame["server"] = snapshot.url
    frame["ram_total_gb"] = _gib(system.get("ram_total"))
    frame["ram_free_gb"] = _gib(system.get("ram_free"))
    for key in ("os", "comfyui_version", "python_version", "pytorch_version"):
        frame[key] = str(system[key]) if system.get(key) is not None else None
    frame["platform"] = frame["os"].map(PLATFORMS)
    frame["is_remote"] = is_remote_url(snapshot.url)
    frame["argv"] = " ".join(argv)
    frame["reserve_vram_gb"] = reserve

    name = frame["device"]
    parsed = name.str.extract(DEVICE_NAME)["gpu"]
    simple = frame["device_type"].map(READABLE_NAMES)
    frame["gpu_name"] = simple.where(simple.notna(), parsed.where(parsed.notna(), name))
    frame["vendor"] = np.select(
        [name.str.contains(p, regex=True) for p, _ in VENDOR_PATTERNS],
        [v for _, v in VENDOR_PATTERNS],
        default="unknown",
    )
    frame["vram_mode"] = np.where(frame["device_type"].eq("cpu"), "cpu", mode)
    frame["budget_gb"] = _budget(frame)
    return conform(frame, HARDWARE)


def _budget(frame: pd.DataFrame) -> pd.Series:
    """Memory the weights of one model may occupy.

    ``--cpu``: free RAM (everything runs there). ``--novram``: weights stream
    from RAM. ``--lowvram``: ComfyUI splits the model between VRAM and RAM, so
    free VRAM plus half the free RAM. Otherwise free VRAM less ``--reserve-vram``.
    """
    vram = (frame["vram_free_gb"] - frame["reserve_vram_gb"]).clip(lower=0)
    ram = frame["ram_free_gb"].fillna(frame["vram_free_gb"])  # older servers omit RAM
    mode = frame["vram_mode"]
    return pd.Series(
        np.select(
            [mode.eq("cpu"), mode.eq("novram"), mode.eq("lowvram")],
            [ram, ram, vram + ram / 2],
            default=vram,
        ),
        index=frame.index,
        dtype="float64",
    )


def _gib(value: Any) -> float:
    try:
        return round(float(value) / GIB, 3)
    except (TypeError, ValueError):
        return float("nan")
