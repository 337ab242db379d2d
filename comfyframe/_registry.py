"""``ModelRegistryV2``: the original design's API as a thin façade over :class:`Discovery`.

Existing code runs unchanged apart from the import::

    from comfyframe import ModelRegistryV2, Capability
    registry = ModelRegistryV2(url)
    await registry.discover()
    print(registry.status())
    best = registry.get_best_for(Capability.TEXT_TO_VIDEO, max_vram=registry.hardware.vram_free_gb)
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import httpx
import pandas as pd

from ._discover import default_url, discover_async
from ._discovery import Discovery
from .errors import ComfyFrameError, NothingFitsWarning
from .http._client import DEFAULT_TIMEOUT
from .pipelines._rank import Prefer


class Capability(str, Enum):
    """What a model can do; the values are the strings used in the tables."""

    TEXT_TO_IMAGE = "text_to_image"
    IMAGE_TO_IMAGE = "image_to_image"
    TEXT_TO_VIDEO = "text_to_video"
    IMAGE_TO_VIDEO = "image_to_video"
    UPSCALE = "upscale"
    TEXT_TO_AUDIO = "text_to_audio"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class HardwareInfo:
    """One device of the server, as the original design exposed it."""

    gpu_name: str
    vram_total_gb: float
    vram_free_gb: float
    ram_total_gb: float
    ram_free_gb: float
    os: str
    comfyui_version: str
    pytorch_version: str
    is_remote: bool
    vendor: str
    vram_mode: str


@dataclass(frozen=True)
class ModelInfo:
    """One model file with what comfyframe inferred about it.

    ``vram_required`` (GiB) is, for a pick of ``get_best_for``/``get_models_for``, the peak of its pipeline's
    job exactly as ``best_for`` reports it (``vram_gb``); otherwise the file's own estimate.
    """

    name: str
    filename: str
    category: str
    kind: str
    family: str
    capabilities: frozenset[Capability]
    vram_required: float
    quality_tier: int
    loader_nodes: list[str] = field(default_factory=list)
    size_bytes: int | None = None
    components: list[str] = field(default_factory=list)


def _model_info(row: pd.Series, components: tuple[str, ...] = ()) -> ModelInfo:
    size = row.get("size_bytes")
    vram = row.get("vram_gb")
    quality = row.get("quality")
    return ModelInfo(
        name=str(row["stem"]) if "stem" in row else str(row["name"]),
        filename=str(row["name"]),
        category=str(row["folder"]),
        kind=str(row["kind"]),
        family=str(row["family"]),
        capabilities=frozenset(Capability(c) for c in row["capabilities"]),
        vram_required=float(vram) if vram is not None and not pd.isna(vram) else float("nan"),
        quality_tier=int(quality) if quality is not None and not pd.isna(quality) else 0,
        loader_nodes=list(row["loader_nodes"]),
        size_bytes=None if size is None or pd.isna(size) else int(size),
        components=list(components),
    )


class ModelRegistryV2:
    """Discover a server and query it the way the original design did."""

    def __init__(
        self,
        url: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url or default_url()
        self._transport = transport
        self._timeout = timeout
        self.discovery: Discovery | None = None

    async def discover(self, **options: Any) -> Discovery:
        """Query the server (async); options are those of :func:`comfyframe.discover_async`."""
        options.setdefault("progress", False)
        self.discovery = await discover_async(self.url, transport=self._transport, timeout=self._timeout, **options)
        return self.discovery

    def _found(self) -> Discovery:
        if self.discovery is None:
            raise ComfyFrameError("Nothing discovered yet: run 'await registry.discover()' first.")
        return self.discovery

    @property
    def hardware(self) -> HardwareInfo | None:
        """The first device, or ``None`` when the server gave no hardware information."""
        table = self._found().hardware
        if table.empty:
            return None
        row = table.iloc[0]
        return HardwareInfo(
            **{name: row[name] for name in ("gpu_name", "vram_total_gb", "vram_free_gb", "ram_total_gb", "ram_free_gb",
                                            "os", "comfyui_version", "pytorch_version", "vendor", "vram_mode")},
            is_remote=bool(row["is_remote"]),
        )

    @property
    def models(self) -> pd.DataFrame:
        return self._found().models

    @property
    def capabilities(self) -> pd.DataFrame:
        return self._found().capabilities

    def status(self) -> str:
        if self.discovery is None:
            return f"ModelRegistryV2({self.url}): not discovered yet"
        return self.discovery.status()

    def _ranked(
        self, capability: Capability | str, max_vram: float | None, prefer: Prefer, top: int | None = None
    ) -> pd.DataFrame:
        # The original design passed hardware.vram_free_gb straight in: a full GPU (0 GB free) means
        # nothing fits, an unknown amount (NaN) means the device's budget; neither is an error here.
        if max_vram is not None and math.isnan(max_vram):
            max_vram = None
        if max_vram is not None and max_vram <= 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NothingFitsWarning)  # a full GPU: "nothing fits" is the answer
                return self._found().best_for(str(capability), prefer=prefer, top=1).iloc[0:0]
        with warnings.catch_warnings():  # said once below, at the caller's line (best_for's points here)
            warnings.simplefilter("ignore", NothingFitsWarning)
            ranked = self._found().best_for(str(capability), max_vram=max_vram, prefer=prefer, top=top)
        if ranked.empty and ranked.attrs.get("reason"):
            warnings.warn(ranked.attrs["reason"], NothingFitsWarning, stacklevel=3)
        return ranked

    def get_best_for(
        self, capability: Capability | str, max_vram: float | None = None, prefer: Prefer = "quality"
    ) -> ModelInfo | None:
        """The generator of the best ready pipeline for ``capability`` (with its ``components``), or ``None``
        (with one ``NothingFitsWarning`` saying why, unless ``max_vram`` is 0: a full GPU fits nothing)."""
        ranked = self._ranked(capability, max_vram, prefer, top=1)
        if ranked.empty:
            return None
        return self._generator_info(ranked.iloc[0])

    def _generator_info(self, pick: pd.Series) -> ModelInfo:
        models = self._found().models
        row = models[
            models["server"].eq(pick["server"]) & models["folder"].eq(pick["generator_folder"])
            & models["name"].eq(pick["generator"])
        ]  # fmt: skip
        info = _model_info(row.iloc[0], tuple(pick["components"]))
        # the pipeline's peak for the job, as best_for reports it, not the file's own estimate
        return dataclasses.replace(info, vram_required=float(pick["vram_gb"]))

    def get_models_for(self, capability: Capability | str, max_vram: float | None = None) -> list[ModelInfo]:
        """Every fitting model for ``capability``, best first (none: a ``NothingFitsWarning`` says why)."""
        ranked = self._ranked(capability, max_vram, "quality")
        return [self._generator_info(pick) for _, pick in ranked.iterrows()]
