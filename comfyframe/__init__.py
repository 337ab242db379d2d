"""comfyframe: ask a ComfyUI server what it can do; get pandas DataFrames back.

>>> import comfyframe as cf
>>> found = cf.discover("http://gpu-box:8188")      # or cf.discover(demo=True)
>>> found.models, found.nodes, found.edges, found.hardware
>>> found.best_for("text_to_video", prefer="quality").head()
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._diff import diff
    from ._discover import capture, default_url, demo_snapshot, discover, discover_async
    from ._discovery import Discovery
    from ._registry import Capability, HardwareInfo, ModelInfo, ModelRegistryV2
    from .errors import (
        ComfyFrameError,
        DegradedServerWarning,
        MissingDependency,
        NothingFitsWarning,
        ServerDisconnected,
        ServerError,
        ServerHTTPError,
        ServerTimeout,
        ServerUnreachable,
        SnapshotError,
        TLSFailure,
        UnexpectedPayload,
        WorkflowError,
    )
    from .http._client import ComfyClient
    from .http._options import ConnectOptions, SizeLimits
    from .inference._explain import Explanation
    from .snapshot._capture import capture_async
    from .snapshot._progress import NullProgress, Progress, TerminalProgress
    from .snapshot._snapshot import Snapshot
    from .support._validate import CAPABILITIES, PREFERENCES
    from .tables._schema import EDGES, HARDWARE, MODEL_USAGE, MODELS_BASE, NODES, PIPELINES, USAGE, Column, Table
    from .views._export import read_export
    from .views._picker import Picker
    from .workflows._check import WorkflowCheck
    from .workflows._table import WORKFLOW_COLUMNS

# Public name -> module defining it. Loaded on first use (PEP 562), so `comfyframe --help`
# and `import comfyframe.errors` do not pay for pandas.
_LAZY: dict[str, str] = {
    "capture_async": "snapshot._capture", "ComfyClient": "http._client", "ConnectOptions": "http._options", "SizeLimits": "http._options",
    "capture": "_discover", "default_url": "_discover", "demo_snapshot": "_discover", "discover": "_discover",
    "discover_async": "_discover", "Discovery": "_discovery", "Explanation": "inference._explain", "read_export": "views._export", "diff": "_diff",
    "NullProgress": "snapshot._progress", "Progress": "snapshot._progress", "TerminalProgress": "snapshot._progress",
    "CAPABILITIES": "support._validate", "PREFERENCES": "support._validate",
    "Capability": "_registry", "HardwareInfo": "_registry", "ModelInfo": "_registry", "ModelRegistryV2": "_registry",
    "EDGES": "tables._schema", "HARDWARE": "tables._schema", "MODELS_BASE": "tables._schema", "NODES": "tables._schema", "PIPELINES": "tables._schema", "Column": "tables._schema",
    "WorkflowCheck": "workflows._check", "WORKFLOW_COLUMNS": "workflows._table",
    "Table": "tables._schema", "Snapshot": "snapshot._snapshot", "MODEL_USAGE": "tables._schema", "USAGE": "tables._schema",
    **dict.fromkeys(
        ("ComfyFrameError", "DegradedServerWarning", "MissingDependency", "NothingFitsWarning", "ServerError", "ServerHTTPError",
         "ServerTimeout", "ServerUnreachable", "SnapshotError", "UnexpectedPayload", "ServerDisconnected",
         "TLSFailure", "WorkflowError"),
        "errors",
    ),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'comfyframe' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
    "Explanation",
    "WorkflowCheck",
    "WORKFLOW_COLUMNS",
    "read_export",
    "Snapshot",
    "diff",
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
    "PIPELINES",
    "MODELS_BASE",
    "MODEL_USAGE",
    "USAGE",
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
    "WorkflowError",
    "ServerTimeout",
    "ServerHTTPError",
    "UnexpectedPayload",
    "SnapshotError",
    "MissingDependency",
    "DegradedServerWarning",
    "NothingFitsWarning",
]


def picker(discovery: Discovery | Any, **options: Any) -> Picker:
    """An ipywidgets model picker over ``discovery`` (see :class:`comfyframe.views._picker.Picker`)."""
    from .views._picker import picker as _picker

    return _picker(discovery, **options)


def plot_vram_fit(*args: Any, **kwargs: Any) -> Any:
    """VRAM need of each candidate against the device's total and free VRAM (matplotlib ``ax``)."""
    from .views._plots import plot_vram_fit as _plot

    return _plot(*args, **kwargs)


def plot_quality_vs_vram(*args: Any, **kwargs: Any) -> Any:
    """Quality against VRAM with the Pareto front marked (matplotlib ``ax``)."""
    from .views._plots import plot_quality_vs_vram as _plot

    return _plot(*args, **kwargs)


def plot_inventory(*args: Any, **kwargs: Any) -> Any:
    """Model counts by kind, family or capability (matplotlib ``ax``)."""
    from .views._plots import plot_inventory as _plot

    return _plot(*args, **kwargs)


def plot_disk_use(*args: Any, **kwargs: Any) -> Any:
    """Disk use by folder (matplotlib ``ax``)."""
    from .views._plots import plot_disk_use as _plot

    return _plot(*args, **kwargs)
