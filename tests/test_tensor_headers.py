"""Safetensors headers: every classification rule on header fixtures, every malformed header, the byte bound.

The live tests (test_live_headers.py) read these fixtures from a real ComfyUI 0.33.0; here the rules run on
parsed headers directly, and faults a real server will not produce (never-ending bodies, broken headers)
come from an httpx.MockTransport.
"""

from __future__ import annotations

import asyncio
import json
import math
import struct
import warnings
from collections.abc import AsyncIterator

import httpx
import numpy as np
import pandas as pd
import pytest
from header_fixtures import CASES, GGUF_CASES, HeaderCase
from test_client import comfy_handler

import comfyframe as cf
from comfyframe.http._client import ComfyClient
from comfyframe.http._options import MIB, ConnectOptions, SizeLimits
from comfyframe.inference._infer_headers import header_verdicts
from comfyframe.rules import _rules
from comfyframe.snapshot._gguf import Incomplete, parse_gguf
from comfyframe.snapshot._headers import header_route, parse_header, read_header

GIB = float(1 << 30)
LIMIT = 8 * MIB


def _verdicts(cases: tuple[HeaderCase, ...]):  # type: ignore[no-untyped-def]
    headers = [parse_header(c.header(), c.size, LIMIT) for c in cases]
    verdicts = header_verdicts(pd.DataFrame({"header": headers}))
    assert verdicts is not None
    return verdicts


@pytest.mark.parametrize("case", CASES, ids=[f"{c.folder}-{c.family or c.kind}-{c.name}" for c in CASES])
def test_rules_identify_each_architecture_and_layout(case: HeaderCase) -> None:
    v = _verdicts((case,))
    assert _rules.KINDS[v.kind[0]] == case.kind
    assert ([*_rules.FAMILIES, ""][v.family[0]]) == case.family
    assert set(case.variants) <= set(v.variants[0])
    if case.precision:
        assert v.precision[0] == case.precision
    assert v.weights_gb[0] == pytest.approx(case.data_bytes / GIB)
    elements = sum(math.prod(s) for key, _, s in case.tensors
                   if key.startswith("model.diffusion_model.") or not any(
                       k.startswith("model.diffusion_model.") for k, _, _ in case.tensors))
    assert v.params_b[0] == pytest.approx(elements / 1e9)


def test_every_rule_fires_on_some_fixture() -> None:
    """Each kind and family rule decides at least one fixture; each variant label of the rules is found."""
    v = _verdicts(CASES)
    decided = {int(part.split("#")[1].split(":")[0]) for ev in v.evidence for part in ev.split(" ; ") if "#" in part}
    table = _rules.tensor_rules()
    deciding = set(table.index[table["target"].isin(["kind", "family"])])
    unused = sorted(deciding - decided)
    assert unused == [], table.loc[unused, ["target", "value", "pattern"]].to_string()
    labels = {label for vs in v.variants for label in vs}
    assert set(table.loc[table["target"] == "variant", "value"]) <= labels
    assert {"fp8_scaled", "fp16", "bf16", "fp32", "fp8_e4m3fn"} <= set(v.precision)


def test_a_lora_of_each_base_is_identified() -> None:
    loras = tuple(c for c in CASES if c.kind == "lora")
    assert {c.family for c in loras} >= {"sd15", "sdxl", "sd3", "flux1", "flux2", "wan21", "wan22", "qwen_image",
                                         "hunyuan_video", "ltxv", "ltx2", "lumina2", "hidream"}
    v = _verdicts(loras)
    assert [[*_rules.FAMILIES, ""][f] for f in v.family] == [c.family for c in loras]


def test_nvfp4_and_int8_precisions() -> None:
    nvfp4 = HeaderCase("diffusion_models", "q.safetensors", "diffusion_model", "flux1", (
        ("double_blocks.0.img_attn.norm.key_norm.scale", "BF16", (128,)), ("img_in.weight", "BF16", (3072, 64)),
        ("double_blocks.0.img_attn.qkv.weight", "U8", (9216, 1536)),
        ("double_blocks.0.img_attn.qkv.weight_scale", "F8_E4M3", (9216, 192)),
        ("double_blocks.0.img_attn.qkv.weight_scale_2", "F32", ())))
    int8 = HeaderCase("text_encoders", "t.safetensors", "text_encoder", "", (
        ("encoder.block.0.layer.0.SelfAttention.q.weight", "I8", (4096, 4096)),))
    assert list(_verdicts((nvfp4, int8)).precision) == ["nvfp4", "int8"]


# --------------------------------------------------------------------------- precedence, through infer


def _frame(cases: tuple[HeaderCase, ...], names: list[str]) -> pd.DataFrame:
    from comfyframe.tables._schema import MODELS_BASE, from_columns

    data = {
        "server": "http://x", "folder": [c.folder for c in cases], "name": names, "path": names,
        "subfolder": "", "filename": names, "stem": [n.rsplit(".", 1)[0] for n in names], "ext": "safetensors",
        "listed": True, "size_bytes": [c.size for c in cases], "loader_nodes": [()] * len(cases),
        "loader_outputs": [()] * len(cases), "loader_count": 0,
    }
    frame = from_columns(MODELS_BASE, data, len(cases))
    frame["header"] = [{"source": "assets", **parse_header(c.header(), c.size, LIMIT)} for c in cases]
    return frame


def test_header_beats_a_contradicting_name_and_explain_says_so() -> None:
    from comfyframe.inference._explain import explain
    from comfyframe.inference._infer import infer_models

    sdxl = next(c for c in CASES if c.name == "style_2.safetensors")
    models = _frame((sdxl,), ["flux1_dev_portrait_lora.safetensors"])
    empty_edges = pd.DataFrame(columns=["server", "node", "input", "section", "format", "folder", "name", "whole_folder"])
    nodes = pd.DataFrame(columns=["server", "node", "category", "output_types", "python_module", "display_name"])
    inferred = infer_models(models, empty_edges, nodes)
    assert (inferred.at[0, "family"], inferred.at[0, "source"]) == ("sdxl", "header")
    text = str(explain(inferred, empty_edges, nodes, "flux1_dev_portrait_lora.safetensors"))
    assert "contradicted by the tensors" in text and "said flux1" in text
    assert "attn2_to_k.lora_down.weight [16, 2048]" in text


def test_a_weak_reading_does_not_override_a_name() -> None:
    """A deep-block Flux-layout LoRA without modulation layers is FLUX.1 or Chroma: tier 50 fills only silence."""
    from comfyframe.inference._infer import infer_models

    lora = HeaderCase("loras", "w.safetensors", "lora", "flux1", tuple(
        (f"diffusion_model.double_blocks.{b}.img_attn.qkv.{p}.weight", "BF16", s)
        for b in (0, 14) for p, s in (("lora_A", (32, 3072)), ("lora_B", (9216, 32)))))
    models = _frame((lora, lora), ["chroma_style_v2.safetensors", "style.safetensors"])
    edges = pd.DataFrame(columns=["server", "node", "input", "section", "format", "folder", "name", "whole_folder"])
    nodes = pd.DataFrame(columns=["server", "node", "category", "output_types", "python_module", "display_name"])
    inferred = infer_models(models, edges, nodes)
    assert list(inferred["family"]) == ["chroma", "flux1"]
    assert list(inferred["source"]) == ["name", "header"]


# --------------------------------------------------------------------------- untrusted headers


def _raw(body: object, length: int | None = None, pad: int = 0) -> bytes:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + b"\0" * pad


GOOD = {"a": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]}}


@pytest.mark.parametrize(
    ("data", "size", "reason"),
    [
        (b"\x01\x02", 100, "shorter than a safetensors header"),
        (_raw(GOOD, length=9 * MIB), 10**12, "over the 8 MiB limit"),
        (_raw(GOOD, length=1), 100, "not a safetensors file"),
        (_raw(GOOD), 20, "longer than the file"),
        (_raw(GOOD, length=200)[:100], 10**6, "the server sent"),
        (_raw(b"{not json"), 10**6, "not valid JSON"),
        (_raw(b"\xff\xfe{}"), 10**6, "not valid JSON"),
        (_raw([1, 2]), 10**6, "not a JSON object"),
        (_raw({"a": 3}), 10**6, "not described by an object"),
        (_raw({"a": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 1]}}), 10**6, "unknown dtype"),
        (_raw({"a": {"dtype": "F16", "shape": [-1], "data_offsets": [0, 2]}}), 10**6, "absurd shape"),
        (_raw({"a": {"dtype": "F16", "shape": [1] * 9, "data_offsets": [0, 2]}}), 10**6, "absurd shape"),
        (_raw({"a": {"dtype": "F16", "shape": [2**41], "data_offsets": [0, 2]}}), 10**6, "absurd shape"),
        (_raw({"a": {"dtype": "F16", "shape": [4], "data_offsets": [8, 0]}}), 10**6, "invalid data offsets"),
        (_raw({"a": {"dtype": "F16", "shape": [4], "data_offsets": [0, 8]}}), 75, "past the end of the file"),
        (_raw({"a": {"dtype": "F16", "shape": [4, 4], "data_offsets": [0, 8]}}), 10**6, "does not match"),
    ],
)
def test_malformed_headers_fail_with_a_reason(data: bytes, size: int, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_header(data, size, LIMIT)


def test_a_good_header_is_summarised() -> None:
    body = {"__metadata__": {"ss_base_model_version": "sdxl_base_v1-0", "n": 3}, **GOOD}
    summary = parse_header(_raw(body), 1000, LIMIT)
    assert summary["tensors"] == [["a", "F16", [2, 2]]]
    assert summary["metadata"] == {"ss_base_model_version": "sdxl_base_v1-0"}  # strings only
    assert summary["data_bytes"] == 8


# --------------------------------------------------------------------------- the byte bound


class _Endless(httpx.AsyncByteStream):
    """A body that never ends: ``first`` bytes, then zeros forever; counts what was pulled."""

    def __init__(self, first: bytes) -> None:
        self.first, self.sent, self.closed = first, 0, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        self.sent += len(self.first)
        while True:
            chunk = b" " * 65536
            self.sent += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        self.closed = True


def _read(stream: _Endless, limit: int, timeout: float = 10.0) -> dict[str, object]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    async def go() -> dict[str, object]:
        async with ComfyClient("http://gpu-box:8188", transport=httpx.MockTransport(handler), timeout=timeout) as client:
            return await read_header(client, "0f3c-aa", None, limit)

    return asyncio.run(go())


def test_reading_stops_at_the_header_even_when_the_server_streams_forever() -> None:
    body = json.dumps(GOOD).encode()
    stream = _Endless(struct.pack("<Q", len(body)) + body)
    assert _read(stream, LIMIT)["tensors"] == [["a", "F16", [2, 2]]]
    assert stream.sent <= 8 + len(body) + 65536 and stream.closed


def test_an_endless_header_stops_at_the_limit() -> None:
    stream = _Endless(struct.pack("<Q", 1 << 20) + b'{"a":')  # claims 1 MiB of header, sends spaces forever
    with pytest.raises(ValueError, match="not valid JSON"):
        _read(stream, 1 << 20)
    assert stream.sent <= (1 << 20) + 2 * 65536 and stream.closed


def test_an_over_long_header_length_is_refused_after_eight_bytes() -> None:
    stream = _Endless(struct.pack("<Q", 1 << 40))
    with pytest.raises(ValueError, match="over the 8 MiB limit"):
        _read(stream, LIMIT)
    assert stream.sent <= 8 + 65536


# --------------------------------------------------------------------------- capture: selection, budget, failures


def _assets_server(cases: tuple[HeaderCase, ...], broken: dict[str, bytes] | None = None) -> httpx.MockTransport:
    broken = broken or {}
    names = [c.name for c in cases] + list(broken)
    by_id = {f"00{i}": (c.header() + b"\0" * c.data_bytes) for i, c in enumerate(cases)}
    by_id.update({f"90{i}": data for i, data in enumerate(broken.values())})
    ids = [f"00{i}" for i in range(len(cases))] + [f"90{i}" for i in range(len(broken))]
    records = [{"id": i, "name": n, "loader_path": n, "size": len(by_id[i]), "tags": ["model_type:loras", "models"],
                "metadata": {"format": "safetensors"}} for i, n in zip(ids, names)]  # fmt: skip

    def content(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=by_id[request.url.path.split("/")[3]])

    overrides = {
        "/models": lambda r: httpx.Response(200, json=["loras"]),
        "/models/loras": lambda r: httpx.Response(200, json=names),
        "/experiment/models/loras": lambda r: httpx.Response(200, json=[]),
        "/history": lambda r: httpx.Response(200, json={}),
        "/queue": lambda r: httpx.Response(200, json={"queue_running": [], "queue_pending": []}),
        "/api/assets": lambda r: httpx.Response(200, json={"assets": records, "has_more": False}),
        **{f"/api/assets/{i}/content": content for i in ids},
    }
    return httpx.MockTransport(comfy_handler(overrides))


def _discover(transport: httpx.MockTransport, **kwargs: object) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        return cf.discover("http://gpu-box:8188", transport=transport, progress=False, **kwargs)


def test_a_broken_header_fails_that_file_alone() -> None:
    loras = tuple(c for c in CASES if c.kind == "lora")[:3]
    found = _discover(_assets_server(loras, {"bad.safetensors": _raw(b"{oops", pad=64)}))
    failure = found.snapshot.failures[header_route("loras", "bad.safetensors")]
    assert failure["error"] == "BadTensorHeader" and "not valid JSON" in failure["message"]
    assert any("header(s) could not be used" in p and "not valid JSON" in p for p in found.problems)
    families = found.models.set_index("name")["family"]
    assert [families[c.name] for c in loras] == [c.family for c in loras]


def test_budget_and_modes() -> None:
    loras = tuple(c for c in CASES if c.kind == "lora")[:5]
    transport = _assets_server(loras)
    budgeted = _discover(transport, header_files=2)
    assert sum(k.startswith("/tensor_header/") for k in budgeted.snapshot.responses) == 2
    assert budgeted.snapshot.stats["tensor_headers"]["skipped_by_budget"] == 3
    assert not any(k.startswith("/tensor_header/") for k in _discover(transport, tensor_headers="none").snapshot.responses)
    with pytest.raises(ValueError, match="tensor_headers must be one of"):
        ConnectOptions(tensor_headers="some")
    with pytest.raises(ValueError, match="limits.tensor_header"):
        ConnectOptions(limits=SizeLimits(tensor_header=0))


def test_headers_survive_a_snapshot_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    loras = tuple(c for c in CASES if c.kind == "lora")[:3]
    found = _discover(_assets_server(loras))
    path = tmp_path / "snap.json.gz"
    found.snapshot.save(path)
    again = cf.discover(snapshot=path)
    assert list(again.models["family"]) == list(found.models["family"])
    assert np.allclose(again.models["weights_gb"], found.models["weights_gb"])


# --------------------------------------------------------------------------- GGUF


def test_gguf_headers_are_classified_by_the_same_rules() -> None:
    headers = [parse_gguf(c.header(), c.size, LIMIT) for c in GGUF_CASES]
    assert headers[0]["metadata"]["general.architecture"] == "flux"
    assert headers[0]["tensors"][1] == ["double_blocks.0.img_attn.qkv.weight", "Q4_K", [9216, 3072]]
    v = header_verdicts(pd.DataFrame({"header": headers}))
    assert v is not None
    assert [_rules.FAMILIES[f] for f in v.family] == [c.family for c in GGUF_CASES]
    assert [_rules.KINDS[k] for k in v.kind] == [c.kind for c in GGUF_CASES]
    assert v.weights_gb[0] == pytest.approx((GGUF_CASES[0].size - headers[0]["header_bytes"]) / GIB)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b"GGUX" + b[4:], "GGUF magic"),
        (lambda b: b[:4] + struct.pack("<I", 9) + b[8:], "version 9"),
        (lambda b: b[:8] + struct.pack("<Q", 10**9) + b[16:], "absurd"),
        (lambda b: b[:60], "continues past"),
    ],
)
def test_malformed_gguf_headers(mutate, reason: str) -> None:  # type: ignore[no-untyped-def]
    case = GGUF_CASES[0]
    with pytest.raises(ValueError, match=reason):
        parse_gguf(mutate(case.header()), case.size, LIMIT)


def test_a_truncated_gguf_header_asks_for_more() -> None:
    case = GGUF_CASES[0]
    with pytest.raises(Incomplete):
        parse_gguf(case.header()[:100], case.size, LIMIT)


def test_gguf_read_stops_at_its_prefixes_against_an_endless_server() -> None:
    case = GGUF_CASES[0]
    stream = _Endless(case.header())

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    async def go() -> dict[str, object]:
        async with ComfyClient("http://gpu-box:8188", transport=httpx.MockTransport(handler)) as client:
            return await read_header(client, "0f3c-aa", case.size, LIMIT, gguf=True)

    summary = asyncio.run(go())
    assert summary["tensors"][0][0] == "double_blocks.0.img_attn.norm.key_norm.scale"
    assert stream.sent <= (256 << 10) + 65536 and stream.closed  # one prefix of 256 KiB was enough


# --------------------------------------------------------------------------- comfyui-tooling-nodes


def _etn_server(answers: dict[str, object], calls: list[str]) -> httpx.MockTransport:
    from test_client import OBJECT_INFO

    etn_node = {"input": {"required": {"image": ["STRING", {}]}}, "output": ["IMAGE"], "name": "ETN_LoadImageBase64",
                "category": "external_tooling", "python_module": "custom_nodes.comfyui-tooling-nodes"}
    names = ["mystery_a.safetensors", "mystery_b.safetensors", "mystery_c.safetensors", "sd_xl_base_1.0.safetensors"]

    def etn(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        offset = int(request.url.params["offset"])
        page = dict(list(answers.items())[offset: offset + 200])
        return httpx.Response(200, json={**page, "_meta": {"offset": offset, "count": len(page), "total": len(answers)}})

    return httpx.MockTransport(comfy_handler({
        "/object_info": lambda r: httpx.Response(200, json={**OBJECT_INFO, "ETN_LoadImageBase64": etn_node}),
        "/models": lambda r: httpx.Response(200, json=["checkpoints"]),
        "/models/checkpoints": lambda r: httpx.Response(200, json=names),
        "/history": lambda r: httpx.Response(200, json={}),
        "/queue": lambda r: httpx.Response(200, json={"queue_running": [], "queue_pending": []}),
        "/api/etn/model_info/checkpoints": etn,
    }))


def test_tooling_nodes_model_info_identifies_files_without_the_assets_api() -> None:
    answers = {
        "mystery_a.safetensors": {"base_model": "flux-schnell", "is_inpaint": False},
        "mystery_b.safetensors": {"base_model": "sd15", "is_inpaint": True},
        "mystery_c.safetensors": {"base_model": "unknown"},
        "sd_xl_base_1.0.safetensors": {"base_model": "sdxl", "is_inpaint": False, "type": "eps"},
    }
    calls: list[str] = []
    found = _discover(_etn_server(answers, calls))
    assert len(calls) == 1 and "offset=0" in calls[0]
    models = found.models.set_index("name")
    assert (models.at["mystery_a.safetensors", "family"], models.at["mystery_a.safetensors", "source"]) == ("flux1", "header")
    assert "schnell" in models.at["mystery_a.safetensors", "variant"]
    assert models.at["mystery_b.safetensors", "family"] == "sd15" and "inpaint" in models.at["mystery_b.safetensors", "variant"]
    assert models.at["mystery_c.safetensors", "family"] == ""
    text = str(found.explain("checkpoints", "mystery_a.safetensors"))
    assert "comfyui-tooling-nodes" in text and "base_model flux-schnell" in text
    assert not any(k.startswith("/api/etn/") for k in _discover(_etn_server(answers, []), tensor_headers="none").snapshot.responses)


def test_a_server_without_the_plugin_is_not_asked() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return comfy_handler()(request)

    _discover(httpx.MockTransport(handler))
    assert not any(c.startswith("/api/etn/") for c in calls)


def test_the_budget_is_shared_by_the_servers_of_a_discovery() -> None:
    loras = tuple(c for c in CASES if c.kind == "lora")[:5]
    transport = _assets_server(loras)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cf.DegradedServerWarning)
        found = cf.discover(["http://gpu-a:8188", "http://gpu-b:8188"], transport=transport, progress=False,
                            header_files=7)
    read = [sum(k.startswith("/tensor_header/") for k in s.responses) for s in found.snapshots]
    assert sum(read) == 7 and sorted(read) == [2, 5]


def test_a_refresh_carries_headers_of_unchanged_files() -> None:
    loras = tuple(c for c in CASES if c.kind == "lora")[:3]
    transport = _assets_server(loras)
    first = _discover(transport)
    again = _discover(transport, previous=first)
    routes = [header_route(c.folder, c.name) for c in loras]
    assert all(again.snapshot.carried.get(r) == first.snapshot.taken_at for r in routes)
    assert list(again.models["family"]) == list(first.models["family"])
