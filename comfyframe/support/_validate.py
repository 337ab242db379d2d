"""The job vocabulary and the checks on a job's arguments, shared by the Python API and the CLI.

No pandas here: the CLI builds its parser from these names without loading the data stack.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

CAPABILITIES: tuple[str, ...] = (
    "text_to_image",
    "image_to_image",
    "text_to_video",
    "image_to_video",
    "upscale",
    "text_to_audio",
    # Workflow capabilities (template tags, rules/template_tags.csv); no model file is inferred to have them.
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
        raise ValueError(f"{'--device' if cli else 'device'} must be a row of the hardware table (0, 1, …), "
                         f"not {device!r}.")
