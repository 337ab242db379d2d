"""ComfyUI's own code is the oracle for comfyframe's job-memory table (issue 7).

``comfyui_memory_probe.py`` runs in the cached ComfyUI 0.3.75 environment's python: for every family it builds
ComfyUI's model config (no weights), makes the latent with ComfyUI's empty-latent node and asks
``sampler_helpers.estimate_memory`` -> ``BaseModel.memory_required`` (PyTorch-attention branch) for the bytes.
The same probe runs on the ComfyUI 0.8.0 source (the tarball unpacked to a temp dir; its ``comfy`` package imports
in the 0.3.75 environment). ``rules/job_memory.csv`` follows 0.8.0, so:

* against 0.8.0, :func:`activation_gb` agrees within 10% for every family ComfyUI has;
* against 0.3.75, it agrees within 10% where the two versions' factors are equal; where 0.8.0 changed a factor
  the table's note names the old one and comfyframe's estimate is not below 0.3.75's;
* :func:`vae_decode_gb` agrees within 10% with 0.8.0's ``sd.VAE(...).memory_used_decode``, the VAE built from
  the few state-dict keys that select its branch, weights not loaded.

The probe's cases are keyed by family; ``family@B`` is a model of B billion parameters that
``rules/job_memory_variants.csv`` gives another config, ``family/name`` another config the table only notes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from comfyui_memory_probe import CASES
from comfyui_server import REPO_ROOT, ensure_comfyui
from conftest import _unavailable

from comfyframe.pipelines._job_memory import (
    activation_gb,
    job_defaults,
    job_memory_table,
    job_memory_variants,
    latent_shape_area,
    vae_decode_gb,
)
from comfyframe.rules import _rules

PROBE = Path(__file__).with_name("comfyui_memory_probe.py")
TARBALL_080 = Path(
    os.environ.get("COMFYFRAME_COMFYUI_080_TARBALL")
    or REPO_ROOT.parent / "shared" / "comfyui" / "ComfyUI-0.8.0-3cd7b32f.tar.gz"
)
TOLERANCE = 0.10
# Families no ComfyUI core config covers (CogVideoX runs in custom nodes only).
NOT_IN_COMFYUI = {"cogvideox"}
# Families whose latent comfyframe approximates: LTX-2's packed audio latent, Stable Audio's even rounding.
APPROXIMATE_AREA = {"ltx2", "stable_audio"}
# ACE-Step's VAE (MusicDCAE) cannot be built without torchaudio, which the test environment lacks.
VAE_NEEDS_TORCHAUDIO = {"ace_step"}


def _family(key: str) -> str:
    return key.split("/")[0].split("@")[0]


def _params(key: str) -> float:
    return float(key.split("@")[1]) if "@" in key else float("nan")


def _jobs() -> dict[str, list[list[float]]]:
    """Three jobs per case: its family's default, a larger one with batch 2, and a small odd size."""
    jobs: dict[str, list[list[float]]] = {}
    for key in CASES:
        width, height, frames = (float(v[0]) for v in job_defaults([_rules.FAMILY_CODE[_family(key)]]))
        still = frames == 1.0
        jobs[key] = [
            [width, height, frames, 1.0],
            [width + 256, height + 128, frames if still else 2 * frames - 1, 2.0],
            [max(width - 200, 72), max(height - 100, 72), frames if still else math.ceil(frames / 2), 1.0],
        ]
    return jobs


def _probe(python: Path, comfy_dir: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), str(PROBE), str(comfy_dir), json.dumps(_jobs())],
        capture_output=True, text=True, timeout=900, cwd=comfy_dir,
    )  # fmt: skip
    assert done.returncode == 0, f"probe failed on {comfy_dir}:\n{done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def comfy_env() -> tuple[Path, Path]:
    try:
        return ensure_comfyui()
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"cannot build the ComfyUI environment: {exc}")


@pytest.fixture(scope="module")
def oracle_0375(comfy_env: tuple[Path, Path]) -> dict[str, Any]:
    python, comfy_dir = comfy_env
    return _probe(python, comfy_dir)


@pytest.fixture(scope="module")
def oracle_080(comfy_env: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not TARBALL_080.is_file():
        _unavailable(f"ComfyUI 0.8.0 source {TARBALL_080} not found (set COMFYFRAME_COMFYUI_080_TARBALL)")
    target = tmp_path_factory.mktemp("comfyui-080")
    with tarfile.open(TARBALL_080) as archive:
        archive.extractall(target, filter="data")
    comfy_dir = next(p.parent for p in target.glob("*/main.py"))
    return _probe(comfy_env[0], comfy_dir)


def _ours(function: Any, key: str, job: list[float]) -> float:
    code = np.array([_rules.FAMILY_CODE[_family(key)]])
    return float(function(code, *job, params_b=_params(key))[0])


def _note(key: str) -> str:
    if "@" not in key:
        return str(job_memory_table().loc[key, "note"])
    variants = job_memory_variants()
    hit = (variants["family"] == _family(key)) & variants["params_min"].le(_params(key)) & variants["params_max"].gt(
        _params(key)
    )  # fmt: skip
    return str(variants.loc[hit, "note"].iloc[0])


def _checked(oracle: dict[str, Any]) -> set[str]:
    """The cases comfyframe models: families and variants (``family/name`` cases are notes only)."""
    return {key for key in oracle["families"] if "/" not in key}


def _disagreements(oracle: dict[str, Any], keys: set[str]) -> list[str]:
    bad = []
    for key in sorted(keys):
        for row in oracle["families"][key]["jobs"]:
            ours, theirs = _ours(activation_gb, key, row["job"]), row["bytes"] / 2**30
            if not abs(ours - theirs) <= TOLERANCE * theirs:
                bad.append(f"{key} {row['job']}: comfyframe {ours:.3f} GiB, ComfyUI {theirs:.3f} GiB")
    return bad


def test_oracle_covers_every_family_and_variant_comfyui_has(
    oracle_0375: dict[str, Any], oracle_080: dict[str, Any]
) -> None:
    assert oracle_0375["version"] == "0.3.75" and oracle_080["version"] == "0.8.0"
    checked = _checked(oracle_080)
    assert {k for k in checked if "@" not in k} == set(_rules.FAMILIES) - NOT_IN_COMFYUI
    # 0.3.75 predates LTX-2 (LTXAV); everything else is in both.
    assert set(oracle_080["families"]) - set(oracle_0375["families"]) == {"ltx2"}
    variants = job_memory_variants()
    for _, row in variants.iterrows():
        keys = [k for k in checked if "@" in k and _family(k) == row["family"]]
        hits = [k for k in keys if row["params_min"] <= _params(k) < row["params_max"]]
        assert len(hits) == 1, (row["family"], row["config"], keys)
        assert oracle_080["families"][hits[0]]["config"] == row["config"]
    table = job_memory_table()
    for key in checked - {k for k in checked if "@" in k}:
        assert table.loc[key, "config"] == oracle_080["families"][key]["config"], key


def test_activation_agrees_with_comfyui_080(oracle_080: dict[str, Any]) -> None:
    assert not _disagreements(oracle_080, _checked(oracle_080))


def test_activation_agrees_with_comfyui_0375_where_factors_did_not_change(
    oracle_0375: dict[str, Any], oracle_080: dict[str, Any],
) -> None:  # fmt: skip
    new, old = oracle_080["families"], oracle_0375["families"]
    both = _checked(oracle_0375) & _checked(oracle_080)
    same = {k for k in both if math.isclose(old[k]["factor"], new[k]["factor"])}
    assert not _disagreements(oracle_0375, same)
    changed = both - same
    assert changed == {"sd3", "hunyuan_image", "omnigen2", "lumina2", "cosmos@2"}  # 0.8.0 raised these factors
    for key in changed:
        assert f"0.3.75 had {old[key]['factor']:g}" in _note(key), key
        for row in old[key]["jobs"]:
            assert _ours(activation_gb, key, row["job"]) >= row["bytes"] / 2**30, (key, row["job"])


def test_lumina_image_2_factor_is_the_one_the_lumina2_note_names(
    oracle_0375: dict[str, Any], oracle_080: dict[str, Any]
) -> None:
    other = oracle_080["families"]["lumina2/lumina_image_2"]
    assert other["config"] == "Lumina2" and f"is {other['factor']:g}" in _note("lumina2")
    assert oracle_0375["families"]["lumina2/lumina_image_2"]["factor"] == other["factor"]


def test_latent_area_is_the_shape_comfyui_samples(oracle_080: dict[str, Any]) -> None:
    """shape[0] * prod(shape[2:]) of the empty latent, doubled for cond + uncond as estimate_memory does."""
    for key in _checked(oracle_080):
        for row in oracle_080["families"][key]["jobs"]:
            shape = row["shape"]
            theirs = 2 * shape[0] * math.prod(shape[2:])
            ours = _ours(latent_shape_area, key, row["job"])
            if _family(key) in APPROXIMATE_AREA:
                assert ours == pytest.approx(theirs, rel=0.05), (key, shape)
            else:
                assert ours == theirs, (key, row["job"], shape)


def test_vae_decode_agrees_with_comfyui_080(oracle_080: dict[str, Any]) -> None:
    bad, unbuilt = [], {}
    for key in _checked(oracle_080):
        for row in oracle_080["families"][key]["jobs"]:
            theirs = row["vae_bytes"]
            if isinstance(theirs, str):
                unbuilt[key] = theirs
                continue
            ours = _ours(vae_decode_gb, key, row["job"])
            if not abs(ours - theirs / 2**30) <= TOLERANCE * theirs / 2**30:
                bad.append(f"{key} {row['job']}: comfyframe {ours:.3f} GiB, ComfyUI {theirs / 2**30:.3f} GiB")
    assert not bad
    assert set(unbuilt) == VAE_NEEDS_TORCHAUDIO, unbuilt
    assert all("MelScale" in reason or "torchaudio" in reason for reason in unbuilt.values()), unbuilt
