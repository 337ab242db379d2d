"""The original design's usage example, unchanged apart from the import."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest
from test_client import comfy_handler

from comfyframe import Capability, ComfyFrameError, ModelRegistryV2


def test_original_usage_example_runs() -> None:
    async def original() -> None:
        registry = ModelRegistryV2("http://gpu-box:8188", transport=httpx.MockTransport(comfy_handler()))
        assert "not discovered yet" in registry.status()
        await registry.discover()
        print(registry.status())
        hw = registry.hardware
        assert hw is not None
        assert hw.gpu_name == "NVIDIA GeForce RTX 4090" and hw.vram_total_gb == 24 and hw.vram_free_gb == 20
        assert hw.ram_total_gb == 8 and hw.os == "posix" and hw.comfyui_version == "0.3.75" and hw.is_remote
        best = registry.get_best_for(Capability.TEXT_TO_IMAGE, max_vram=registry.hardware.vram_free_gb, prefer="quality")
        assert best is not None
        for attribute in ("name", "filename", "category", "capabilities", "vram_required", "quality_tier",
                          "loader_nodes"):
            assert hasattr(best, attribute)
        assert best.filename == "sd_xl_base_1.0.safetensors"
        assert best.category == "checkpoints"
        assert Capability.TEXT_TO_IMAGE in best.capabilities
        assert "CheckpointLoaderSimple" in best.loader_nodes
        assert 0 < best.vram_required <= hw.vram_free_gb and not math.isnan(best.vram_required)
        assert 1 <= best.quality_tier <= 10
        assert len(registry.models) == 3
        assert set(registry.capabilities["capability"]) >= {"text_to_image"}
        assert registry.get_best_for(Capability.TEXT_TO_VIDEO) is None
        assert [m.filename for m in registry.get_models_for("text_to_image")][0] == best.filename

    asyncio.run(original())


def test_using_it_before_discover_is_a_clear_error() -> None:
    registry = ModelRegistryV2("http://gpu-box:8188")
    with pytest.raises(ComfyFrameError, match="await registry.discover"):
        registry.get_best_for(Capability.UPSCALE)


def test_capability_values_are_the_table_strings() -> None:
    assert [c.value for c in Capability] == [
        "text_to_image", "image_to_image", "text_to_video", "image_to_video", "upscale", "text_to_audio"
    ]
    assert str(Capability.UPSCALE) == "upscale"
