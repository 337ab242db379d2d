"""comfyframe: ask a ComfyUI server what it can do; get pandas DataFrames back.

>>> import comfyframe as cf
>>> found = cf.discover("http://gpu-box:8188")      # or cf.discover(demo=True)
>>> found.models, found.nodes, found.edges, found.hardware
>>> found.best_for("text_to_video", prefer="quality").head()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._capture import capture_async
from ._client import ComfyClient
from ._discover import capture, default_url, demo_snapshot, discover, discover_async
from ._discovery import Discovery
from ._options import ConnectOptions, SizeLimits
from ._progress import NullProgress, Progress, TerminalProgress
from ._rank import CAPABILITIES, PREFERENCES
from ._registry import Capability, HardwareInfo, ModelInfo, ModelRegistryV2
from ._schema import EDGES, HARDWARE, MODELS_BASE, NODES, Column, Table
from ._snapshot import Snapshot
from ._version import __version__
from .errors import (
    ComfyFrameError,
    DegradedServerWarning,
    MissingDependency,
    ServerDisconnected,
    ServerError,
    ServerHTTPError,
    ServerTimeout,
    ServerUnreachable,
    SnapshotError,
    TLSFailure,
    UnexpectedPayload,
)

if TYPE_CHECKING:
    from ._picker import Picker

__all__ = [
    "__version__",
    # discovery
    "discover",
    "discover_async",
    "capture",
    "capture_async",
    "default_url",
    "demo_snapshot",
    "Discovery",
    "Snapshot",
    "ComfyClient",
    "ConnectOptions",
    "SizeLimits",
    "Progress",
    "NullProgress",
    "TerminalProgress",
    # vocabulary and table shapes
    "CAPABILITIES",
    "PREFERENCES",
    "Table",
    "Column",
    "HARDWARE",
    "NODES",
    "EDGES",
    "MODELS_BASE",
    # original design's façade
    "ModelRegistryV2",
    "Capability",
    "ModelInfo",
    "HardwareInfo",
    # notebooks
    "picker",
    "plot_vram_fit",
    "plot_quality_vs_vram",
    "plot_inventory",
    "plot_disk_use",
    # errors
    "ComfyFrameError",
    "ServerError",
    "ServerUnreachable",
    "ServerDisconnected",
    "TLSFailure",
    "ServerTimeout",
    "ServerHTTPError",
    "UnexpectedPayload",
    "SnapshotError",
    "MissingDependency",
    "DegradedServerWarning",
]


def picker(discovery: Discovery | Any, **options: Any) -> Picker:
    """An ipywidgets model picker over ``discovery`` (see :class:`comfyframe._picker.Picker`)."""
    from ._picker import picker as _picker

    return _picker(discovery, **options)


def plot_vram_fit(*args: Any, **kwargs: Any) -> Any:
    """VRAM need of each candidate against the device's total and free VRAM (matplotlib ``ax``)."""
    from ._plots import plot_vram_fit as _plot

    return _plot(*args, **kwargs)


def plot_quality_vs_vram(*args: Any, **kwargs: Any) -> Any:
    """Quality against VRAM with the Pareto front marked (matplotlib ``ax``)."""
    from ._plots import plot_quality_vs_vram as _plot

    return _plot(*args, **kwargs)


def plot_inventory(*args: Any, **kwargs: Any) -> Any:
    """Model counts by kind, family or capability (matplotlib ``ax``)."""
    from ._plots import plot_inventory as _plot

    return _plot(*args, **kwargs)


def plot_disk_use(*args: Any, **kwargs: Any) -> Any:
    """Disk use by folder (matplotlib ``ax``)."""
    from ._plots import plot_disk_use as _plot

    return _plot(*args, **kwargs)
