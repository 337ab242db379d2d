"""The demo snapshot says it is the demo.

The shipped snapshot was recorded from the project's own ComfyUI test server on a
random loopback port. Shown as it was recorded, it would pass for a real local
server. :func:`label_demo` gives it the address ``demo://comfyui-<version>``
(a valid URL every table, plot and export accepts, and one nobody can confuse with
a server) and drops the launch arguments that only described the recording
(address, port, temporary folders), keeping those that decide the hardware
answers (``--cpu``, VRAM modes).
"""

from __future__ import annotations

import copy

from ..support._demo_address import DEMO_SCHEME
from ._snapshot import Snapshot

# Launch flags (each followed by a value) that only described the recording server.
RECORDING_FLAGS = frozenset({
    "--listen", "--port", "--base-directory", "--output-directory", "--input-directory", "--temp-directory",
    "--user-directory", "--database-url", "--extra-model-paths-config",
})  # fmt: skip


def label_demo(snapshot: Snapshot) -> Snapshot:
    """A copy of ``snapshot`` labelled as the demo: ``demo://`` address, recording-only flags removed."""
    labelled = copy.deepcopy(snapshot)
    stats = labelled.system_stats
    system = stats.get("system") if isinstance(stats, dict) else None
    version = system.get("comfyui_version") if isinstance(system, dict) else None
    labelled.url = f"{DEMO_SCHEME}comfyui-{version or 'unknown'}"
    if isinstance(system, dict) and isinstance(system.get("argv"), list):
        system["argv"] = _without_recording_flags([str(a) for a in system["argv"]])
    return labelled


def _without_recording_flags(argv: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip and not arg.startswith("-"):  # the flag's value (--listen may come without one)
            skip = False
            continue
        skip = arg in RECORDING_FLAGS
        if not skip and arg.split("=", 1)[0] not in RECORDING_FLAGS:
            kept.append(arg)
    return kept
