"""The assets API of newer servers, through httpx.MockTransport (the test servers run without it).

ComfyUI 0.3.75 has no ``/api/assets`` and 0.8.0 starts without ``--enable-assets``; the live tests check
that both count as "absent". Pages, cursors and the record shapes of the versions that have it are
served here.
"""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pandas as pd
import pytest
from test_client import comfy_handler

import comfyframe as cf

GGUF = "flux-hyp8-Q5_K_M.gguf"
ASSETS: list[dict[str, Any]] = [
    # an early record: tags ["models", folder], the file in "name", "hash"
    {"id": "1", "name": "sd_xl_base_1.0.safetensors", "hash": "blake3:aa", "size": 6938078334,
     "tags": ["models", "checkpoints"], "created_at": "2025-11-01T10:00:00", "updated_at": "2025-11-01T10:00:00"},
    {"id": "2", "name": "v1-5-pruned-emaonly.ckpt", "hash": "blake3:aa", "size": 6938078334,
     "tags": ["models", "checkpoints", "imported"], "created_at": "2025-11-01T10:00:00"},
    # a later record: the loader's value in "loader_path", a display name in "name", more tags
    {"id": "3", "name": "Flux hyper 8-step", "loader_path": f"FluxDev/{GGUF}", "hash": "blake3:bb", "size": 8421981408,
     "tags": ["models", "unet_gguf", "diffusion_models"], "created_at": "2026-01-02T03:04:05Z",
     "updated_at": "2026-01-02T03:04:05Z"},
    # unrelated or damaged records are skipped
    {"id": "4", "name": "ComfyUI_00001_.png", "hash": "blake3:cc", "size": 1000, "tags": ["output"]},
    {"id": "5", "name": 7, "tags": "models"},
]


def _handler(assets: Any) -> httpx.MockTransport:
    overrides = {
        "/models": lambda r: httpx.Response(200, json=["checkpoints", "vae", "unet_gguf"]),
        "/models/unet_gguf": lambda r: httpx.Response(200, json=[f"FluxDev/{GGUF}"]),
        "/experiment/models/unet_gguf": lambda r: httpx.Response(200, json=[]),  # .gguf is left out
        "/history": lambda r: httpx.Response(200, json={}),
        "/queue": lambda r: httpx.Response(200, json={"queue_running": [], "queue_pending": []}),
        "/api/assets": assets,
    }
    return httpx.MockTransport(comfy_handler(overrides))


def _discover(transport: httpx.MockTransport) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return cf.discover("http://gpu-box:8188", transport=transport, progress=False)


def test_offset_pages_give_sizes_dates_and_hashes() -> None:
    offsets = []

    def pages(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        offsets.append(offset)
        return httpx.Response(200, json={"assets": ASSETS[offset:offset + 2], "total": len(ASSETS),
                                         "has_more": offset + 2 < len(ASSETS)})

    found = _discover(_handler(pages))
    assert offsets == [0, 2, 4]
    assert len(found.snapshot.assets or []) == len(ASSETS)  # recorded as received, every page merged
    models = found.models.set_index(["folder", "name"])
    gguf = models.loc[("unet_gguf", f"FluxDev/{GGUF}")]
    assert gguf["size_bytes"] == 8421981408 and gguf["hash"] == "blake3:bb"
    assert gguf["modified"] == pd.Timestamp("2026-01-02T03:04:05Z")
    # /experiment/models still decides where it speaks; the assets API fills the gaps.
    assert models.loc[("checkpoints", "sd_xl_base_1.0.safetensors"), "size_bytes"] == 1000
    dupes = found.duplicates
    assert set(dupes["name"]) == {"sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.ckpt"}
    assert set(dupes["reason"]) == {"same hash"}


def test_cursor_pages_are_followed() -> None:
    seen = []

    def pages(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("after")
        seen.append(cursor)
        if cursor is None:
            return httpx.Response(200, json={"assets": ASSETS[:2], "total": 3, "has_more": True, "next_cursor": "abc"})
        return httpx.Response(200, json={"assets": ASSETS[2:3], "total": 3, "has_more": False})

    found = _discover(_handler(pages))
    assert seen == [None, "abc"]
    assert found.models.set_index(["folder", "name"]).loc[("unet_gguf", f"FluxDev/{GGUF}"), "hash"] == "blake3:bb"


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(503, json={"error": {"code": "SERVICE_DISABLED", "message": "Assets system is disabled"}}),
        httpx.Response(404, text="404: Not Found"),
    ],
)
def test_a_server_without_the_assets_api_is_not_degraded(answer: httpx.Response) -> None:
    found = _discover(_handler(lambda request: answer))  # warnings are errors here
    assert found.snapshot.assets is None and found.snapshot.failures == {}
    assert found.models["hash"].isna().all()
    assert found.models.set_index("folder").loc["unet_gguf", "size_bytes"] is pd.NA


def test_a_failing_assets_api_is_reported_not_raised() -> None:
    snap = cf.capture("http://gpu-box:8188", transport=_handler(lambda request: httpx.Response(500)), progress=False)
    assert snap.failures["/api/assets"]["status"] == 500
    assert snap.object_info  # everything else was captured


def test_a_server_that_ignores_the_cursor_ends_the_walk() -> None:
    """ComfyUI 0.33 reads the cursor as ``after``; a server ignoring it answers the first page again."""
    calls = []

    def same_page(request: httpx.Request) -> httpx.Response:
        calls.append(dict(request.url.params))
        return httpx.Response(200, json={"assets": ASSETS[:2], "total": 9, "has_more": True, "next_cursor": "abc"})

    with pytest.warns(cf.DegradedServerWarning, match="cut short: page 2 repeated records already seen"):
        found = cf.discover("http://gpu-box:8188", transport=_handler(same_page), progress=False)  # said, not silent
    assert len(calls) == 2 and calls[1].get("after") == "abc"
    assert len(found.snapshot.assets or []) == 2
