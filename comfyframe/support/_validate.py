"""The job vocabulary and the checks on a job's arguments, shared by the Python API and the CLI.

No pandas here: the CLI builds its parser from these names without loading the data stack.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from numbers import Integral, Real

CAPABILITIES: tuple[str, ...] = (
    "text_to_image",
    "image_to_image",
    "text_to_video",
    "image_to_video",
    "upscale",
    "text_to_audio",
    # Workflow capabilities (template tags, rules/workflow_tags.csv); no model file is inferred to have them.
    "inpaint",
    "outpaint",
    "image_edit",
    "video_edit",
    "lip_sync",
    "text_to_speech",
    "text_to_3d",
    "image_to_3d",
    "video_to_video",
)
PREFERENCES: tuple[str, ...] = ("quality", "speed", "balanced")

# What a server may say about a file: a size from 0 to 1 PiB, a date from 1970 to 2200 (pandas' nanosecond
# timestamps end in 2262). Anything else is a server's mistake or a crafted answer: NaN / NaT and a warning.
MAX_FILE_BYTES = 1 << 50
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def file_size(value: object) -> int | None:
    """A reported file size in bytes, or ``None`` when it is not a plausible one (see :data:`MAX_FILE_BYTES`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value) if 0 <= value <= MAX_FILE_BYTES else None


def plausible_time(when: datetime | None) -> datetime | None:
    """``when`` (timezone-aware) if it lies between 1970 and 2200, else ``None``."""
    return when if when is not None and EARLIEST <= when < LATEST else None


def epoch_time(seconds: object) -> datetime | None:
    """A POSIX timestamp in seconds as a UTC datetime, or ``None`` when it is not a plausible one."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        return None
    try:
        return plausible_time(datetime.fromtimestamp(seconds, tz=timezone.utc))
    except (OverflowError, OSError, ValueError):
        return None


def as_capability(value: object) -> str:
    """A capability by its name, however written (``text-to-image``, ``Text_To_Image``, a ``Capability``)."""
    raw = getattr(value, "value", value)
    name = raw.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(raw, str) else raw
    if name not in CAPABILITIES:
        raise ValueError(f"Unknown capability {value!r}: use one of {', '.join(CAPABILITIES)}.")
    return str(name)


def positive_number(value: object, name: str, unit: str) -> float:
    """``value`` as a finite float > 0, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of {unit}, not {value!r}.")
    return float(value)


def positive_count(value: object, name: str, what: str) -> int:
    """``value`` as an int >= 1, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a whole number of {what}, 1 or more, not {value!r}.")
    return int(value)


def _check_job_args(
    max_vram: object = None, top: object = None, prefer: object = "quality", device: object = 0, *, cli: bool = False
) -> None:
    """Reject a nonsense job before any ranking: non-positive or non-finite budget, ``top`` < 1, …

    ``cli`` names the command-line flags in the message instead of the keyword arguments.
    """
    if max_vram is not None:
        positive_number(max_vram, "--max-vram" if cli else "max_vram", "GiB (e.g. 12)")
    if top is not None:
        positive_count(top, "--top" if cli else "top", "rows")
    if prefer not in PREFERENCES:
        raise ValueError(f"{'--prefer' if cli else 'prefer'} must be one of {', '.join(PREFERENCES)}, not {prefer!r}.")
    if isinstance(device, bool) or not isinstance(device, Integral) or device < 0:
        raise ValueError(f"{'--device' if cli else 'device'} must be a device index on each server (0, 1, …), "
                         f"not {device!r}.")
