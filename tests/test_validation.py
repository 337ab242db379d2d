"""Argument checks: nonsense is a ValueError in Python; the original façade keeps its own meaning."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest
from test_client import comfy_handler

from comfyframe import Capability, ModelRegistryV2
from comfyframe.support._validate import _check_job_args, positive_count, positive_number


@pytest.mark.parametrize("value", [0, -4, math.nan, math.inf, True, "12"])
def test_positive_number_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="budget must be a positive number of GiB"):
        positive_number(value, "budget", "GiB")


@pytest.mark.parametrize("value", [0, -3, 2.0, True, None])
def test_positive_count_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="top must be a whole number of rows, 1 or more"):
        positive_count(value, "top", "rows")


def test_valid_job_arguments_pass() -> None:
    import numpy as np

    _check_job_args(max_vram=np.float64(12.5), top=np.int64(3), prefer="speed", device=np.int64(1))
    _check_job_args()


def test_facade_full_gpu_means_nothing_fits_and_unknown_free_means_the_budget() -> None:
    registry = ModelRegistryV2("http://gpu-box:8188", transport=httpx.MockTransport(comfy_handler()))
    asyncio.run(registry.discover())
    assert registry.get_best_for(Capability.TEXT_TO_IMAGE, max_vram=0.0) is None
    assert registry.get_models_for(Capability.TEXT_TO_IMAGE, max_vram=0.0) == []
    best = registry.get_best_for(Capability.TEXT_TO_IMAGE, max_vram=math.nan)
    assert best is not None and best.filename == "sd_xl_base_1.0.safetensors"
    with pytest.raises(ValueError, match="Unknown capability"):
        registry.get_best_for("text_to_smell", max_vram=0.0)
