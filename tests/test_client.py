"""Faults a real server won't produce on demand, through httpx.MockTransport."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable

import httpx
import pytest

import comfyframe as cf
from comfyframe.http._client import normalize_url

SYSTEM_STATS = {
    "system": {"os": "posix", "ram_total": 8 << 30, "ram_free": 4 << 30, "comfyui_version": "0.3.75",
               "python_version": "3.11", "pytorch_version": "2.5", "argv": ["main.py"]},
    "devices": [{"name": "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync", "type": "cuda", "index": 0,
                 "vram_total": 24 << 30, "vram_free": 20 << 30, "torch_vram_total": 0, "torch_vram_free": 0}],
}
OBJECT_INFO = {
    "CheckpointLoaderSimple": {
        "input": {"required": {"ckpt_name": [["sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.ckpt"], {}]}},
        "output": ["MODEL", "CLIP", "VAE"], "name": "CheckpointLoaderSimple", "display_name": "Load Checkpoint",
        "category": "loaders", "python_module": "nodes",
    },
    "VAELoader": {
        "input": {"required": {"vae_name": ["COMBO", {"options": ["ae.safetensors", "taesd", "pixel_space"]}]}},
        "output": ["VAE"], "name": "VAELoader", "category": "loaders", "python_module": "nodes",
    },
}
FOLDERS = {"checkpoints": ["sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.ckpt"], "vae": ["ae.safetensors"]}


def comfy_handler(
    overrides: dict[str, Callable[[httpx.Request], httpx.Response]] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """A minimal ComfyUI: routes answer like 0.3.75; ``overrides`` replace routes by path."""
    overrides = overrides or {}

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in overrides:
            return overrides[path](request)
        if path == "/system_stats":
            return httpx.Response(200, json=SYSTEM_STATS)
        if path == "/object_info":
            return httpx.Response(200, json=OBJECT_INFO)
        if path == "/models":
            return httpx.Response(200, json=[*FOLDERS, "custom_nodes", "configs"])
        if path == "/embeddings":
            return httpx.Response(200, json=[])
        if path.startswith("/models/"):
            folder = path.split("/", 2)[2]
            if folder in ("custom_nodes", "configs"):
                raise AssertionError(f"{folder} holds no models and must not be fetched")
            return httpx.Response(200, json=FOLDERS[folder])
        if path.startswith("/experiment/models/"):
            folder = path.rsplit("/", 1)[1]
            if folder not in FOLDERS:
                return httpx.Response(404)
            return httpx.Response(200, json=[{"name": n, "pathIndex": 0, "modified": 1.7e9, "size": 1000 + i}
                                             for i, n in enumerate(FOLDERS[folder])])
        if path.startswith("/view_metadata/"):
            if request.url.params["filename"] == "sd_xl_base_1.0.safetensors":
                return httpx.Response(200, json={"modelspec.architecture": "stable-diffusion-xl-v1-base"})
            return httpx.Response(404)
        return httpx.Response(404)

    return handle


def run_capture(handler: Callable[[httpx.Request], httpx.Response], **kw: object) -> cf.Snapshot:
    return cf.capture("http://gpu-box:8188", transport=httpx.MockTransport(handler), progress=False, **kw)


def test_capture_records_every_answer_and_treats_metadata_404_as_none() -> None:
    snap = run_capture(comfy_handler())
    assert snap.failures == {}
    assert snap.model_folders == ["checkpoints", "vae", "custom_nodes", "configs"]
    assert snap.folder_files("vae") == ["ae.safetensors"]
    assert snap.metadata("checkpoints", "sd_xl_base_1.0.safetensors") == {
        "modelspec.architecture": "stable-diffusion-xl-v1-base"
    }
    assert "/view_metadata/vae?filename=ae.safetensors" in snap.responses
    assert snap.metadata("vae", "ae.safetensors") is None
    # .ckpt files have no safetensors header: never asked
    assert not any("v1-5-pruned" in key for key in snap.responses if key.startswith("/view_metadata"))


def test_connection_refused_names_url_and_fix() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(cf.ServerUnreachable) as info:
        run_capture(refuse)
    message = str(info.value)
    assert "http://gpu-box:8188" in message and "--listen" in message
    assert info.value.url.startswith("http://gpu-box:8188/")


def test_timeout_is_its_own_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(cf.ServerTimeout, match="did not answer within 3 s"):
        run_capture(slow, timeout=3)


def test_not_comfyui_is_unexpected_payload() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>login</html>", headers={"content-type": "text/html"})

    with pytest.raises(cf.UnexpectedPayload, match="not JSON"):
        run_capture(comfy_handler({"/system_stats": html, "/object_info": html}))


def test_wrong_json_shape_is_unexpected_payload() -> None:
    with pytest.raises(cf.UnexpectedPayload, match="object of node classes"):
        run_capture(comfy_handler({"/object_info": lambda r: httpx.Response(200, json=["not", "a", "dict"])}))


def test_object_info_http_error_raises_with_status() -> None:
    with pytest.raises(cf.ServerHTTPError) as info:
        run_capture(comfy_handler({"/object_info": lambda r: httpx.Response(500)}))
    assert info.value.status_code == 500
    assert "/object_info" in str(info.value)


def test_old_server_without_optional_routes_degrades_with_warning() -> None:
    missing = {p: (lambda r: httpx.Response(404)) for p in ("/models", "/system_stats", "/embeddings")}
    snap = run_capture(comfy_handler(missing))
    assert set(snap.failures) == {"/models", "/system_stats", "/embeddings"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = cf.Discovery(snap)
    messages = [str(w.message) for w in caught if issubclass(w.category, cf.DegradedServerWarning)]
    assert any("/models failed" in m for m in messages)
    assert any("/system_stats failed" in m for m in messages)
    assert found.hardware.empty
    # Files are still found through the dropdowns, folders from the core loader table.
    got = set(zip(found.models["folder"], found.models["name"]))
    assert got == {("checkpoints", "sd_xl_base_1.0.safetensors"), ("checkpoints", "v1-5-pruned-emaonly.ckpt"),
                   ("vae", "ae.safetensors")}
    assert not found.models["listed"].any()


def test_server_without_experiment_api_is_probed_once() -> None:
    calls: list[str] = []

    def count(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(404)

    snap = run_capture(comfy_handler({"/experiment/models/checkpoints": count, "/experiment/models/vae": count}))
    assert calls == ["/experiment/models/checkpoints"]
    found = cf.Discovery(snap, warn=False)
    assert found.models["size_bytes"].isna().all()
    assert any("/experiment/models" in p for p in found.problems)


def test_metadata_server_error_is_recorded_not_fatal() -> None:
    snap = run_capture(comfy_handler({"/view_metadata/vae": lambda r: httpx.Response(500)}))
    assert snap.failures["/view_metadata/vae?filename=ae.safetensors"]["status"] == 500
    found = cf.Discovery(snap, warn=False)
    assert len(found.models) == 3


def test_metadata_can_be_skipped() -> None:
    snap = run_capture(comfy_handler(), metadata=False)
    assert not any(key.startswith("/view_metadata") for key in snap.responses)


def test_folder_names_are_quoted() -> None:
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=["x.safetensors"])

    folders = lambda r: httpx.Response(200, json=["my models"])  # noqa: E731
    run_capture(comfy_handler({"/models": folders, "/models/my models": record}), metadata=False)
    assert seen == ["http://gpu-box:8188/models/my%20models"]


def test_bounded_concurrency_is_respected() -> None:
    import asyncio

    active = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.002)
        active -= 1
        return comfy_handler()(request)

    cf.capture("http://gpu-box:8188", transport=httpx.MockTransport(handler), progress=False, max_concurrency=2)
    assert peak <= 2


@pytest.mark.parametrize(
    ("given", "expected"),
    [("localhost:8188", "http://localhost:8188"), ("http://h:8188/", "http://h:8188"),
     ("https://h/comfy/", "https://h/comfy")],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


@pytest.mark.parametrize("bad", ["", "ftp://h", "http://h:notaport"])
def test_bad_urls_are_clear_errors(bad: str) -> None:
    with pytest.raises(cf.ComfyFrameError):
        normalize_url(bad)


def test_discover_and_snapshot_give_identical_tables(tmp_path) -> None:
    import pandas.testing as pdt

    live = cf.discover("http://gpu-box:8188", transport=httpx.MockTransport(comfy_handler()), progress=False)
    path = live.save(tmp_path / "snap.json.gz")
    offline = cf.discover(snapshot=path)
    for table in ("hardware", "nodes", "edges", "models", "capabilities"):
        pdt.assert_frame_equal(getattr(live, table), getattr(offline, table))
    assert json.loads(json.dumps(offline.snapshot.to_dict()))["url"] == "http://gpu-box:8188"
