"""Usage, unused models, duplicates and diff, offline: snapshots as a server would answer."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from test_client import comfy_handler

import comfyframe as cf
from comfyframe._cli import main
from comfyframe.inventory._duplicates import find_duplicates

CORPUS_080 = "snapshots/comfyui-0.8.0_cpu_test-tree.json.gz"


def _prompt(number: int, prompt_id: str, graph: dict[str, Any], status: str | None, start_ms: int | None) -> dict[str, Any]:
    messages = [["execution_start", {"prompt_id": prompt_id, "timestamp": start_ms}]] if start_ms else []
    return {
        "prompt": [number, prompt_id, graph, {"client_id": "x"}, ["9"]],
        "outputs": {},
        "status": None if status is None else {"status_str": status, "completed": status == "success", "messages": messages},
    }


def _ckpt(name: str) -> dict[str, Any]:
    return {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": name}},
            "2": {"class_type": "CLIPTextEncode", "inputs": {"text": name, "clip": ["1", 1]}}}  # fmt: skip


@pytest.fixture
def demo() -> cf.Snapshot:
    return cf.demo_snapshot()


def test_usage_matches_dropdowns_and_keeps_failed_prompts(demo: cf.Snapshot) -> None:
    snap = copy.deepcopy(demo)
    ckpt = "sd_xl_base_1.0.safetensors"
    snap.responses["/history"] = {
        "a": _prompt(1, "a", _ckpt(ckpt), "success", 1_760_000_000_000),
        "b": _prompt(2, "b", _ckpt(ckpt), "error", 1_760_000_600_000),
        "c": _prompt(3, "c", _ckpt("not_on_this_server.safetensors"), "success", 1_760_000_900_000),
    }
    snap.responses["/queue"] = {"queue_running": [[4, "d", _ckpt(ckpt), {}, ["9"]]], "queue_pending": []}
    found = cf.Discovery(snap, warn=False)
    usage = found.usage
    assert list(usage.columns) == cf.USAGE.names
    assert set(zip(usage["prompt_id"], usage["status"])) == {("a", "success"), ("b", "error"), ("d", "running")}
    # The CLIP text that happens to equal a file name is no use: CLIPTextEncode's text is not a dropdown.
    assert set(usage["node"]) == {"CheckpointLoaderSimple"}
    row = found.models.set_index(["folder", "name"]).loc[("checkpoints", ckpt)]
    assert row["use_count"] == 3
    assert row["last_used"] == pd.Timestamp(1_760_000_600, unit="s", tz="UTC")
    assert str(found.models["use_count"].dtype) == "Int64"
    assert str(found.models["last_used"].dtype) == "datetime64[ns, UTC]"
    assert (found.models["use_count"] == 0).sum() == len(found.models) - 1
    assert ckpt not in set(found.unused()["name"])


def test_snapshots_of_one_server_pool_their_history(demo: cf.Snapshot) -> None:
    old, new = copy.deepcopy(demo), copy.deepcopy(demo)
    old.taken_at, new.taken_at = "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"
    old.responses["/history"] = {"a": _prompt(1, "a", _ckpt("svd_xt.safetensors"), "success", 1_760_000_000_000)}
    new.responses["/history"] = {"b": _prompt(1, "b", _ckpt("svd_xt.safetensors"), "error", 1_770_000_000_000)}
    pooled = cf.Discovery([new, old], warn=False)
    assert len(pooled.snapshots) == 1 and len(pooled.models) == len(cf.Discovery(new, warn=False).models)
    assert set(pooled.usage["prompt_id"]) == {"a", "b"}
    assert pooled.snapshot.carried["/history"] == old.taken_at
    assert "a" not in new.history  # the caller's snapshot is not changed


def test_unused_warns_when_the_snapshot_has_no_history(demo: cf.Snapshot) -> None:
    blind = copy.deepcopy(demo)  # as recorded by a comfyframe that did not ask for /history yet
    blind.responses.pop("/history", None)
    with pytest.warns(cf.DegradedServerWarning, match="no /history"):
        unused = cf.Discovery(blind, warn=False).unused()
    assert len(unused) == int(cf.Discovery(blind, warn=False).models["listed"].sum())


def test_failed_history_is_reported(demo: cf.Snapshot) -> None:
    snap = copy.deepcopy(demo)
    snap.failures["/history"] = {"error": "ServerHTTPError", "status": 403, "message": "forbidden"}
    assert any("/history failed (HTTP 403)" in p for p in cf.Discovery(snap, warn=False).problems)


def test_duplicates_take_the_strongest_reason_and_keep_one_copy_per_server() -> None:
    rows = [
        # server, folder, name, size, hash, used
        ("s1", "checkpoints", "a.safetensors", 100, "blake3:aa", 0),
        ("s1", "checkpoints", "old/a_copy.safetensors", 100, "blake3:aa", 3),
        ("s2", "checkpoints", "a.safetensors", 100, "blake3:aa", 0),
        ("s1", "loras", "x.safetensors", 50, None, 0),
        ("s1", "loras", "y.safetensors", 50, None, 0),
        ("s1", "vae", "ae.safetensors", 70, None, 0),
        ("s1", "diffusion_models", "ae.safetensors", 70, None, 0),
        ("s1", "vae", "lonely.safetensors", 70, None, 0),
    ]
    models = pd.DataFrame(rows, columns=["server", "folder", "name", "size_bytes", "hash", "use_count"])
    models["filename"] = models["name"].str.rsplit("/", n=1).str[-1]
    models["size_bytes"] = models["size_bytes"].astype("Int64")
    prints = pd.Series(["m1", "m1", "m1", "m2", "m2", "", "", ""], dtype=object)
    dupes = find_duplicates(models, prints)
    reasons = set(zip(dupes["server"], dupes["folder"], dupes["name"], dupes["reason"]))
    assert reasons == {
        ("s1", "checkpoints", "a.safetensors", "same hash"), ("s1", "checkpoints", "old/a_copy.safetensors", "same hash"),
        ("s2", "checkpoints", "a.safetensors", "same hash"),
        ("s1", "loras", "x.safetensors", "same size and safetensors metadata"),
        ("s1", "loras", "y.safetensors", "same size and safetensors metadata"),
        ("s1", "vae", "ae.safetensors", "same size and file name"),
        ("s1", "diffusion_models", "ae.safetensors", "same size and file name"),
    }  # fmt: skip
    assert len(dupes) == 7 and dupes["group"].nunique() == 3
    kept = dupes[dupes["keep"]]
    # One copy per server and group; the used copy is the one kept.
    assert ("s1", "old/a_copy.safetensors") in set(zip(kept["server"], kept["name"]))
    assert ("s2", "a.safetensors") in set(zip(kept["server"], kept["name"]))
    assert int(dupes.loc[~dupes["keep"], "size_bytes"].sum()) == 100 + 50 + 70
    assert int(dupes.loc[dupes["group"].eq(1), "size_bytes"].iloc[0]) == 100  # group 1 wastes the most


def test_diff_reports_resized_redated_new_deleted_models_nodes_and_hardware(demo: cf.Snapshot) -> None:
    new = copy.deepcopy(demo)
    details = new.responses["/experiment/models/loras"]
    details[0]["size"] += 1
    details[1]["modified"] += 3600
    new.responses["/models/loras"] = [n for n in new.responses["/models/loras"] if n != details[2]["name"]]
    new.responses["/experiment/models/loras"] = [d for d in details if d["name"] != details[2]["name"]]
    new.responses["/models/vae"] = [*new.responses["/models/vae"], "new_vae.safetensors"]
    del new.responses["/object_info"]["UnetLoaderGGUF"]
    new.responses["/system_stats"]["system"]["comfyui_version"] = "0.3.76"
    new.responses["/system_stats"]["devices"][0]["vram_total"] *= 2
    table = cf.diff(demo, new)
    assert list(table.columns) == ["change", "table", "server", "folder", "name", "field", "old", "new"]
    got = set(zip(table["change"], table["table"], table["name"], table["field"]))
    assert ("changed", "models", details[0]["name"], "size_bytes") in got
    assert ("changed", "models", details[1]["name"], "modified") in got
    assert ("removed", "models", details[2]["name"], pd.NA) in got  # no field for added and removed rows
    assert ("added", "models", "new_vae.safetensors", pd.NA) in got
    assert ("removed", "nodes", "UnetLoaderGGUF", pd.NA) in got
    assert ("changed", "hardware", "0", "comfyui_version") in got
    assert ("changed", "hardware", "0", "vram_total_gb") in got
    assert cf.diff(demo, demo).empty


def test_diff_of_two_versions_from_saved_files(corpus_dir: Path, tmp_path: Path) -> None:
    old = cf.demo_snapshot().save(tmp_path / "old.json.gz")
    table = cf.diff(old, corpus_dir / CORPUS_080)
    hardware = table[table["table"].eq("hardware") & table["field"].eq("comfyui_version")]
    assert list(zip(hardware["old"], hardware["new"])) == [("0.3.75", "0.8.0")]
    assert "LTXAVTextEncoderLoader" in set(table.loc[table["change"].eq("added") & table["table"].eq("nodes"), "name"])


def test_snapshot_keeps_what_was_carried(demo: cf.Snapshot, tmp_path: Path) -> None:
    snap = copy.deepcopy(demo)
    snap.carried["/view_metadata/loras?filename=x.safetensors"] = "2026-01-01T00:00:00+00:00"
    assert cf.Snapshot.load(snap.save(tmp_path / "s.json")).carried == snap.carried


def test_cli_views_offline(demo: cf.Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap = copy.deepcopy(demo)
    snap.responses["/history"] = {"a": _prompt(1, "a", _ckpt("svd_xt.safetensors"), "error", 1_760_000_000_000)}
    snap.responses["/models/vae"] = [*snap.responses["/models/vae"], "\x1b[31mevil.safetensors"]
    path = snap.save(tmp_path / "s.json.gz")
    assert main(["unused", "--snapshot", str(path)]) == 0
    out = capsys.readouterr().out
    assert "svd_xt.safetensors" not in out and "sd_xl_base_1.0.safetensors" in out and "reclaimable" in out
    assert "\x1b" not in out and "\\x1b[31mevil" in out
    assert main(["duplicates", "--snapshot", str(path)]) == 0
    assert "(no duplicates)" in capsys.readouterr().out
    assert main(["diff", str(cf.demo_snapshot().save(tmp_path / "d.json")), str(path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"change": "added", "table": "models", "folder": "vae", "name": "\x1b[31mevil.safetensors"}.items() <= rows[0].items()
    for fmt, empty in (("table", "(no changes)"), ("csv", "change,table,server,folder,name,field,old,new"), ("json", "[]")):
        assert main(["diff", str(path), str(path), "--format", fmt]) == 0
        assert capsys.readouterr().out.strip() == empty
    assert main(["diff", str(tmp_path / "missing.json"), str(path)]) == 2
    assert "No snapshot file" in capsys.readouterr().err


def test_v3_dynamic_combo_and_autogrow_dropdowns_are_edges_and_usage(demo: cf.Snapshot) -> None:
    snap = copy.deepcopy(demo)
    ckpts = snap.responses["/models/checkpoints"]
    loras = snap.responses["/models/loras"]
    combo = ["COMBO", {"multiselect": False, "options": ckpts}]
    snap.responses["/object_info"]["ProbeDynamic"] = {
        "input": {"required": {
            "source": ["COMFY_DYNAMICCOMBO_V3", {"options": [
                {"key": "checkpoint", "inputs": {"required": {"ckpt_name": combo}}},
                {"key": "none", "inputs": {"required": {"strength": ["FLOAT", {"default": 1.0}]}}},
            ]}],
            "loras": ["COMFY_AUTOGROW_V3", {"template": {"input": {"required": {"lora": ["COMBO", {"options": loras}]}},
                                                       "prefix": "lora", "min": 1, "max": 10}}],
            "named": ["COMFY_AUTOGROW_V3", {"template": {"input": {"optional": {"x": [loras, {}]}},
                                                       "names": ["first", "second"], "min": 0}}],
        }},
        "output": ["MODEL"], "name": "ProbeDynamic", "python_module": "custom_nodes.probe",
    }  # fmt: skip
    graph = {"1": {"class_type": "ProbeDynamic", "inputs": {
        "source": "checkpoint", "source.ckpt_name": ckpts[0], "loras.lora0": loras[0], "loras.lora7": loras[1],
        "named.second": loras[2]}}}  # fmt: skip
    snap.responses["/history"] = {"p": _prompt(1, "p", graph, "success", 1_760_000_000_000)}
    found = cf.Discovery(snap, warn=False)
    edges = found.edges[found.edges["node"].eq("ProbeDynamic")]
    inputs = set(edges["input"])
    assert inputs == {"source.ckpt_name", "loras.lora*", "named.first", "named.second"}
    assert set(edges.loc[edges["input"].eq("source.ckpt_name"), "name"]) == set(ckpts)
    assert set(edges.loc[edges["input"].eq("named.first"), "section"]) == {"optional"}
    used = set(zip(found.usage["input"], found.usage["name"]))
    assert used == {("source.ckpt_name", ckpts[0]), ("loras.lora0", loras[0]), ("loras.lora7", loras[1]),
                    ("named.second", loras[2])}  # fmt: skip


def test_a_combined_loader_offering_a_whole_folder_is_no_evidence(demo: cf.Snapshot) -> None:
    """Like 0.8.0's LTXAVTextEncoderLoader (a text encoder plus ANY checkpoint), in a folder nobody planned for."""
    snap = copy.deepcopy(demo)
    files = ["ltx_style_a.safetensors", "flux_thing.safetensors", "sdxl_other.safetensors"]
    snap.responses["/models"] = [*snap.responses["/models"], "pack_weights"]
    snap.responses["/models/pack_weights"] = files
    own = {"input": {"required": {"model_name": [files, {}]}}, "output": ["MODEL"], "name": "PackModelLoader",
           "python_module": "custom_nodes.pack"}  # fmt: skip
    snap.responses["/object_info"]["PackModelLoader"] = own
    alone = cf.Discovery(copy.deepcopy(snap), warn=False).models.set_index(["folder", "name"]).loc["pack_weights"]
    snap.responses["/object_info"]["LTXAudioTextEncoderLoader"] = {
        "input": {"required": {"text_encoder": ["COMBO", {"options": snap.responses["/models/text_encoders"]}],
                               "ckpt_name": ["COMBO", {"options": files}]}},
        "output": ["CLIP", "VAE"], "name": "LTXAudioTextEncoderLoader", "python_module": "comfy_extras.nodes_lt_audio",
    }  # fmt: skip
    found = cf.Discovery(snap, warn=False)
    edges = found.edges.set_index(["node", "input"])
    assert edges.loc[("LTXAudioTextEncoderLoader", "ckpt_name"), "whole_folder"].all()
    assert not edges.loc[("PackModelLoader", "model_name"), "whole_folder"].any()
    both = found.models.set_index(["folder", "name"]).loc["pack_weights"]
    assert all("LTXAudioTextEncoderLoader" in nodes for nodes in both["loader_nodes"])  # it does offer them
    assert list(both["loader_outputs"]) == [("MODEL",)] * 3
    for column in ("kind", "family", "capabilities"):  # its VAE output would otherwise outvote MODEL
        assert list(both[column]) == list(alone[column]), column
    assert set(both["kind"]) == {"diffusion_model"}


def _history_server(count: int, *, pages: bool) -> tuple[httpx.MockTransport, list[dict[str, str]]]:
    """A server with ``count`` finished prompts; ``pages=False`` ignores max_items/offset like an old one."""
    records = {
        f"id{i}": {
            "prompt": [i, f"id{i}", _ckpt("sd_xl_base_1.0.safetensors"),
                       {"client_id": "c", "extra_pnginfo": {"workflow": {"nodes": ["big"]}}, "create_time": 1_760_000_000_000},
                       ["9"]],
            "outputs": {"9": {"images": [{"filename": f"out_{i}.png"}]}},
            "status": {"status_str": "success", "completed": True, "messages": []},
            "meta": {},
        }
        for i in range(count)
    }  # fmt: skip
    asked: list[dict[str, str]] = []

    def history(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        asked.append(params)
        if not pages:
            return httpx.Response(200, json=records)
        offset, size = int(params["offset"]), int(params["max_items"])
        return httpx.Response(200, json=dict(list(records.items())[offset:offset + size]))

    return httpx.MockTransport(comfy_handler({"/history": history})), asked


@pytest.mark.parametrize("pages", [True, False])
def test_history_is_read_in_pages_and_slimmed(pages: bool) -> None:
    transport, asked = _history_server(2500, pages=pages)
    snap = cf.capture("http://gpu-box:8188", transport=transport, progress=False)
    assert len(snap.history) == 2500
    assert len(asked) == (3 if pages else 1)  # a server ignoring max_items answers everything at once
    record = snap.history["id7"]
    assert set(record) == {"prompt", "status"}  # no outputs, no meta
    assert record["prompt"][3] == {"create_time": 1_760_000_000_000}  # no UI workflow, no client id
    assert cf.Discovery(snap, warn=False).models.set_index("name").loc["sd_xl_base_1.0.safetensors", "use_count"] == 2500


def test_refresh_rereads_what_it_cannot_compare() -> None:
    """Without sizes and dates (/experiment/models missing) nothing can be carried: every file is read again."""
    seen: list[str] = []

    def metadata(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["filename"])
        return httpx.Response(200, json={"modelspec.architecture": "stable-diffusion-xl-v1-base"})

    def handler(sizes: bool) -> httpx.MockTransport:
        overrides = {"/view_metadata/checkpoints": metadata, "/view_metadata/vae": metadata}
        if not sizes:
            overrides |= {f"/experiment/models/{f}": lambda r: httpx.Response(404) for f in ("checkpoints", "vae")}
        return httpx.MockTransport(comfy_handler(overrides))

    first = cf.capture("http://gpu-box:8188", transport=handler(True), progress=False)
    assert sorted(seen) == ["ae.safetensors", "sd_xl_base_1.0.safetensors"]
    seen.clear()
    again = cf.capture("http://gpu-box:8188", transport=handler(True), progress=False, previous=first)
    assert seen == [] and len(again.carried) == 2
    blind = cf.capture("http://gpu-box:8188", transport=handler(False), progress=False, previous=first)
    assert sorted(seen) == ["ae.safetensors", "sd_xl_base_1.0.safetensors"] and blind.carried == {}
    other = cf.capture("http://other-box:8188", transport=handler(True), progress=False, previous=first)
    assert other.carried == {}  # an earlier snapshot of another server is never used
