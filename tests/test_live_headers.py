"""The assets API of ComfyUI 0.33.0 as it really answers, and files identified from their safetensors headers.

``comfyui_assets`` runs 0.33.0 with ``--enable-assets --enable-asset-hashing`` over the model tree plus the
silent-named files of header_fixtures.py; ``comfyui_silent`` serves those files on 0.3.75 and on 0.33.0
without the assets API, where they stay unknown (not a failure).
"""

from __future__ import annotations

import warnings

import httpx
import pytest
from header_fixtures import CASES, GGUF_CASES

import comfyframe as cf
from comfyframe.snapshot._headers import header_route

pytestmark = pytest.mark.live
GIB = float(1 << 30)


def _discover(url: str, **kwargs: object) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)  # sparse files without metadata answer 500
        return cf.discover(url, progress=False, **kwargs)


@pytest.fixture(scope="module")
def with_assets(comfyui_assets) -> cf.Discovery:
    return _discover(comfyui_assets.url)


def test_assets_api_answers_as_recorded(comfyui_assets) -> None:
    with httpx.Client(base_url=comfyui_assets.url, timeout=30) as http:
        assert http.get("/features").json()["assets"] is True
        page = http.get("/api/assets", params={"limit": 500}).json()
        loras = set(http.get("/models/loras").json())
    records = {r["loader_path"]: r for r in page["assets"] if "model_type:loras" in r.get("tags", [])}
    assert records and set(records) <= loras  # loader_path is what the loader's dropdown offers
    style = records["my_style_v3.safetensors"]
    assert style["metadata"]["base_model"] == "sdxl_base_v1-0"
    for record in page["assets"]:
        assert "modified" not in record and "mtime" not in record  # no modification time
        for key in ("hash", "asset_hash"):  # absent until the background pass hashed the file, never null
            assert key not in record or str(record[key]).startswith("blake3:")


def test_reader_maps_records_to_listed_files(comfyui_assets, with_assets: cf.Discovery) -> None:
    models = with_assets.models.set_index(["folder", "name"])
    row = models.loc[("loras", "my_style_v3.safetensors")]
    assert row["asset_base_model"] == "sdxl_base_v1-0"
    assert (row["family"], row["source"]) == ("sdxl", "assets")
    # the assets record settled it: no /view_metadata request of its own
    assert "/view_metadata/loras?filename=my_style_v3.safetensors" not in with_assets.snapshot.responses
    gguf = [f for f in comfyui_assets.files if f.ext == ".gguf"]
    sizes = models.loc[[(f.folder, f.name) for f in gguf], "size_bytes"]
    assert sizes.notna().sum() >= 1  # the assets API sizes what /experiment/models leaves out


def test_silent_files_are_identified_from_their_headers(with_assets: cf.Discovery) -> None:
    models = with_assets.models.set_index(["folder", "name"])
    wrong = []
    for case in CASES:
        row = models.loc[(case.folder, case.name)]
        if case.kind != "upscale":  # a kind without families (from its folder) leaves nothing to read for
            assert header_route(case.folder, case.name) in with_assets.snapshot.responses, case.name
        if row["kind"] != case.kind:
            wrong.append((case.name, "kind", row["kind"], case.kind))
        if case.family and (row["family"], row["source"]) != (case.family, "header"):
            wrong.append((case.name, "family", row["family"], row["source"], case.family))
        if not set(case.variants) <= set(str(row["variant"]).split(";")):
            wrong.append((case.name, "variant", row["variant"], case.variants))
        if case.precision and row["precision"] != case.precision:
            wrong.append((case.name, "precision", row["precision"], case.precision))
        if case.kind != "upscale" and abs(row["weights_gb"] - case.data_bytes / GIB * (0.5 if case.precision == "fp32" and case.kind in
                                                            ("checkpoint", "diffusion_model") else 1.0)) > 1e-9:
            wrong.append((case.name, "weights_gb", row["weights_gb"], case.data_bytes / GIB))
    assert wrong == []


def test_explain_shows_the_deciding_tensor(with_assets: cf.Discovery) -> None:
    text = str(with_assets.explain("loras", "style_6.safetensors"))
    assert "header" in text and "lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight" in text


def test_headers_none_reads_no_header(comfyui_assets) -> None:
    found = _discover(comfyui_assets.url, tensor_headers="none")
    assert not any(k.startswith("/tensor_header/") for k in found.snapshot.responses)
    models = found.models.set_index(["folder", "name"])
    assert models.loc[("loras", "style_6.safetensors"), "family"] == ""


def test_without_assets_silent_files_stay_unknown(comfyui_silent) -> None:
    with httpx.Client(base_url=comfyui_silent.url, timeout=30) as http:
        features = http.get("/features")
        assets = http.get("/api/assets")
    if comfyui_silent.version == "0.33.0":
        assert features.json()["assets"] is False and assets.status_code == 503
    else:
        assert assets.status_code == 404
    found = _discover(comfyui_silent.url)
    assert not any(k.startswith("/tensor_header/") for k in found.snapshot.responses)
    models = found.models.set_index(["folder", "name"])
    loras = [c for c in CASES if c.kind == "lora"]
    assert (models.loc[[(c.folder, c.name) for c in loras], "family"] == "").all()


def test_hashing_server_gives_blake3_hashes_and_headers(comfyui_hashing) -> None:
    found = _discover(comfyui_hashing.url)
    models = found.models.set_index(["folder", "name"])
    cases = [c for c in CASES if c.folder in (found.snapshot.model_folders or [])]  # no node packs here
    rows = models.loc[[(c.folder, c.name) for c in cases]]
    assert len(cases) > 40 and rows["hash"].str.startswith("blake3:").all()
    assert (rows.loc[[(c.folder, c.name) for c in cases if c.family], "source"] == "header").all()


def test_training_datasets_are_not_models(comfyui_assets, with_assets: cf.Discovery) -> None:
    with httpx.Client(base_url=comfyui_assets.url, timeout=30) as http:
        assert "datasets" in http.get("/models").json()
        assert http.get("/models/datasets").json()  # 0.33 lists every file there
    assert not with_assets.models["folder"].eq("datasets").any()


def test_gguf_files_are_identified_from_their_headers(with_assets: cf.Discovery) -> None:
    models = with_assets.models.set_index(["folder", "name"])
    for case in GGUF_CASES:
        row = models.loc[(case.folder, case.name)]
        assert header_route(case.folder, case.name) in with_assets.snapshot.responses, case.name
        assert (row["kind"], row["family"], row["source"]) == (case.kind, case.family, "header"), case.name
