"""Discovery.explain and ``comfyframe explain``: the evidence chain behind one file's family."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import comfyframe as cf
from comfyframe._cli import main


def _discovery(files: dict[str, list[tuple[str, int | None]]]) -> cf.Discovery:
    responses: dict[str, object] = {"/object_info": {}, "/models": sorted(files)}
    for folder, listed in files.items():
        responses[f"/models/{folder}"] = [n for n, _ in listed]
        responses[f"/experiment/models/{folder}"] = [
            {"name": n, "size": s, "modified": 0, "pathIndex": 0} for n, s in listed if s
        ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cf.Discovery(cf.Snapshot(url="http://127.0.0.1:1", responses=responses), warn=False)


FILES = {
    "checkpoints": [("SDXL/oddMerge_v1.safetensors", 2_100_000_000), ("SDXL/FluxFusionXL_v2.safetensors", 6_900_000_000)],
    "loras": [("Char/aliceXL.safetensors", None), ("Char/bob_pony.safetensors", None),
              ("Char/carol_illustrious.safetensors", None), ("Char/mystery.safetensors", None),
              ("Other/mystery.safetensors", None), ("flux1-dev-learned_svd.safetensors", None),
              ("artsy_learned_svd.safetensors", None)],
}  # fmt: skip


@pytest.fixture(scope="module")
def found() -> cf.Discovery:
    return _discovery(FILES)


def verdicts(found: cf.Discovery, folder: str | None, name: str) -> dict[str, str]:
    frame = found.explain(folder, name).evidence
    return dict(zip(frame["role"], frame["verdict"]))


def test_the_deciding_rule_and_the_losers_are_named(found: cf.Discovery) -> None:
    why = found.explain("checkpoints", "SDXL/FluxFusionXL_v2.safetensors")
    rows = why.evidence.set_index("role")
    assert why.result["family"] == "sdxl"
    assert rows.loc["file name", "verdict"].startswith("DECIDES")
    assert "family_names.csv #" in rows.loc["file name", "rule"] and "xl" in rows.loc["file name", "rule"]
    assert rows.loc["subfolder", "verdict"] == "agrees"
    assert rows.loc["size", "verdict"] == "agrees"
    assert "flux fusion xl v2" in why.seen["tokens"]  # type: ignore[operator]


def test_a_veto_is_shown_with_its_reason(found: cf.Discovery) -> None:
    rows = found.explain("checkpoints", "SDXL/oddMerge_v1.safetensors").evidence.set_index("role")
    assert rows.loc["subfolder", "family"] == "sdxl" and rows.loc["subfolder", "verdict"].startswith("VETOED")
    assert rows.loc["size", "family"] == "sd15" and rows.loc["size", "verdict"].startswith("DECIDES")


def test_sibling_evidence_is_explained(found: cf.Discovery) -> None:
    why = found.explain("loras", "Char/mystery.safetensors")
    assert (why.result["family"], why.result["source"]) == ("sdxl", "folder")
    assert "sdxl x3" in str(why.seen["siblings"])
    assert verdicts(found, "loras", "Char/mystery.safetensors")["siblings"].startswith("DECIDES")


def test_a_masked_token_is_explained(found: cf.Discovery) -> None:
    why = found.explain("loras", "flux1-dev-learned_svd.safetensors")
    assert why.result["family"] == "flux1"
    assert "learned svd" in str(why.seen["tokens"])
    rows = found.explain("loras", "artsy_learned_svd.safetensors").evidence.set_index("role")
    assert rows.loc["file name", "family"] == "svd" and rows.loc["file name", "verdict"].startswith("masked")
    assert rows.loc["siblings", "verdict"].startswith("no decision: siblings count in subfolders only")


def test_name_forms_and_ambiguity(found: cf.Discovery) -> None:
    assert found.explain(None, "oddMerge_v1.safetensors").name == "SDXL/oddMerge_v1.safetensors"
    assert found.explain(None, "loras/Char/mystery.safetensors").folder == "loras"
    with pytest.raises(ValueError, match="ambiguous .*Char/mystery.*Other/mystery"):
        found.explain("loras", "mystery.safetensors")
    with pytest.raises(ValueError, match="no model file"):
        found.explain(None, "absent.safetensors")


def test_text_is_terminal_safe() -> None:
    found = _discovery({"loras": [("evil\x1b[31m_xl.safetensors", None)]})
    text = found.explain("loras", "evil\x1b[31m_xl.safetensors").text()
    assert "\x1b" not in text and "\\x1b" in text


def test_cli_explain_demo_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "my_style_v3.safetensors", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "family sdxl (from metadata" in out and "metadata_families.csv #" in out
    assert main(["explain", "no_such_file.safetensors", "--demo"]) == 2
    assert capsys.readouterr().err.startswith("comfyframe: error: no model file")


def test_cli_explain_against_the_live_server(comfyui) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "comfyframe._cli", "explain", "my_style_v3.safetensors", comfyui.url, "-q"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "family sdxl (from metadata" in done.stdout
    assert "sdxl_base_v1-0" in done.stdout  # the metadata key that decided


def test_a_diffusion_model_size_veto_is_explained() -> None:
    found = _discovery({"diffusion_models": [("Flux.1/tiny_q4.gguf", 1_500_000_000)]})
    rows = found.explain("diffusion_models", "Flux.1/tiny_q4.gguf").evidence.set_index("role")
    assert rows.loc["subfolder", "family"] == "flux1" and rows.loc["subfolder", "verdict"].startswith("VETOED")
    assert found.explain("diffusion_models", "Flux.1/tiny_q4.gguf").result["family"] == ""


def test_a_format_guess_is_explained() -> None:
    found = _discovery({"embeddings": [("myToken.pt", 25_000)]})
    why = found.explain("embeddings", "myToken.pt")
    rows = why.evidence.set_index("role")
    assert why.result["family"] == "sd15"
    assert rows.loc["default", "rule"].startswith("format_families.csv: embedding .pt")
