"""The address the demo snapshot is shown under, ``demo://comfyui-<version>``, and how to recognise it."""

from __future__ import annotations

DEMO_SCHEME = "demo://"


def is_demo(url: str) -> bool:
    """True for the address of the demo snapshot."""
    return url.startswith(DEMO_SCHEME)
