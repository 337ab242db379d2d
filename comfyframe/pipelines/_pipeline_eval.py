"""Evaluating a pipeline plan (:mod:`._pipeline_plan`) for a memory budget and a job: one file per part,
readiness, the jobs each pipeline can run, and peak VRAM.

Choosing a part: within a part's candidates, the largest file (the highest precision) that keeps its phase
within the budget, assuming the other parts of that phase take their smallest files; when none fits, the
smallest. Expert halves prefer the generator's own precision and quant (fp8 high-noise with fp8 low-noise).

Peak VRAM, the way ComfyUI spends it (it loads the text encoders, encodes, and unloads what does not fit
before it loads the diffusion model; VAE decode comes last)::

    encode = text encoders + CLIP vision + audio encoder weights (a checkpoint's bundled share included)
    sample = diffusion weights (+ motion module) + activations(width, height, frames, batch, params)  (_job_memory)
    decode = VAE weights + VAE decode(width, height, frames): the whole latent where it fits the budget,
             else one tile, as ComfyUI falls back to tiled decoding                                   (_job_memory)
    vram_gb = max(encode, sample, decode)

Activations are ComfyUI's own sampling estimate (``memory_required`` on the doubled cond/uncond batch), sized
by the generator's parameters where a family's sizes differ (Wan 1.3B / 14B).

An all-in-one checkpoint's weights are split into diffusion / text-encoder / VAE shares by its family's
parameter counts (``family_specs.csv``). Expert halves swap in turn, so only one counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..rules import _rules
from ..tables._schema import PIPELINES, from_columns, object_cells
from ._job_memory import activation_gb, job_defaults, vae_decode_gb
from ._pipeline_plan import _SPAN, Job, Plan

# Parts loaded for the encode phase, the decode phase; experts replace the generator while sampling.
ENCODE_ROLES = ("text_encoder", "clip_vision", "audio_encoder")
DECODE_ROLES = ("vae", "audio_vae")
T2I, I2I = "text_to_image", "image_to_image"
# AnimateDiff's default context: 16 frames sampled as one batch.
MOTION_FRAMES = 16


def evaluate(plan: Plan, budget: pd.Series | dict[str, float] | float | None, job: Job | None = None) -> pd.DataFrame:
    """The pipelines table for a memory budget (GiB, per server or one for all; None = unlimited) and a job."""
    job = job or Job()
    n_gen = int((plan.pipes["module"] < 0).sum())
    gen_pos = plan.pipes["gen"][:n_gen]
    server = plan.cols["server"]
    budgets = _budgets(budget, server[gen_pos])
    choice = _choose(plan, budgets, n_gen)
    gens = _generator_rows(plan, gen_pos, choice, job, budgets)
    modules = _module_rows(plan, gens, job, _budgets(budget, server[plan.pipes["module"][n_gen:]]))
    table = pd.concat([gens, modules], ignore_index=True) if len(modules) else gens
    for column in ("weights_gb", "activations_gb", "encode_gb", "decode_gb", "vram_gb"):
        table[column] = table[column].astype("float64").round(2)
    for column in ("width", "height", "frames", "batch"):  # whole pixels, frames (audio: seconds, rounded), images
        table[column] = np.rint(table[column].to_numpy(dtype=np.float64, na_value=np.nan))
    return from_columns(PIPELINES, {c: table[c].to_numpy() for c in table.columns}, len(table))


def _budgets(budget: pd.Series | dict[str, float] | float | None, servers: np.ndarray) -> np.ndarray:
    if budget is None:
        return np.full(servers.size, np.inf)
    if isinstance(budget, (int, float)):
        return np.full(servers.size, float(budget))
    mapping = pd.Series(budget, dtype="float64")
    values = mapping.reindex(servers).to_numpy(dtype=np.float64)
    return np.where(np.isnan(values), np.inf, values)


def _choose(
    plan: Plan, budgets: np.ndarray, n_gen: int
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Pick one file per need: (chosen needs, missing labels, jobs lost to missing parts, count of missing parts
    that block every job, and GiB per pipe of the encode / decode / expert parts)."""
    generator = plan.needs["pipe"] < n_gen
    needs = {column: values[generator] for column, values in plan.needs.items()}
    weight = plan.cols["weights_gb"]
    group = needs["group"]
    found = group >= 0
    pipe = needs["pipe"]
    # The smallest file of each part, then the room the other parts of its phase leave it.
    smallest = np.zeros(pipe.size)
    first = np.searchsorted(plan.cand_key, group[found] * _SPAN)
    smallest[found] = weight[plan.cand_pos[first]]
    role = needs["role"]
    phase = np.where(np.isin(role, ENCODE_ROLES), 0, np.where(np.isin(role, DECODE_ROLES), 1, 2))
    phase_min = pd.Series(smallest).groupby([pipe, phase]).transform("sum").to_numpy()
    room = budgets[pipe] - (phase_min - smallest)
    pos = np.full(pipe.size, -1, dtype=np.int64)
    pos[found] = _pick(plan.cand_key, plan.cand_pos, group[found], room[found])
    pos = _prefer_like(plan, needs, pos, room, found)
    chosen = {column: values[found] for column, values in {**needs, "pos": pos}.items()}
    missing, job_lost, blocking = _missing(needs, found, n_gen)
    w = weight[chosen["pos"]]
    role = chosen["role"]
    at = chosen["pipe"]
    phases = {
        name: np.bincount(at, weights=np.where(np.isin(role, roles), w, 0.0), minlength=n_gen)
        for name, roles in (("encode", ENCODE_ROLES), ("decode", DECODE_ROLES), ("expert", ("expert",)))
    }
    return chosen, missing, job_lost, blocking, phases


def _missing(
    needs: dict[str, np.ndarray], found: np.ndarray, n_gen: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(missing labels, jobs lost to missing parts, count of missing parts that block every job) per generator."""
    miss = ~found & ~needs["optional"]
    missing = group_tuples(needs["pipe"][miss], needs["label"][miss], n_gen)
    job_lost, blocking = _lost(needs, miss, n_gen)
    return missing, job_lost, blocking


def _lost(needs: dict[str, np.ndarray], miss: np.ndarray, n_gen: int) -> tuple[np.ndarray, np.ndarray]:
    """(jobs lost to missing parts, count of missing parts that block every job) per generator; ``miss``: which
    needs are missing (not found, not optional)."""
    pipe = needs["pipe"][miss]
    for_job = needs["for_job"][miss]
    scoped = for_job != ""
    blocking = np.bincount(pipe[~scoped], minlength=n_gen)
    jobs, job_names = pd.factorize(for_job[scoped])
    _, first = np.unique(pipe[scoped] * max(len(job_names), 1) + jobs, return_index=True)  # each (pipe, job) once
    job_lost = group_tuples(pipe[scoped][first], for_job[scoped][first], n_gen)
    return job_lost, blocking


def _ready(
    cols: dict[str, np.ndarray], gen: np.ndarray, blocking: np.ndarray, lost: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ready, capabilities, unknown) per generator: ready when no part blocks it and a job is left.

    ``unknown``: a bare diffusion model nothing identifies; nobody can say which encoders and VAE it needs.
    None of this depends on the budget or the job.
    """
    unknown = (cols["family"][gen] == "") & (cols["kind"][gen] == "diffusion_model")
    capabilities = sorted_tuples(cols["capabilities"][gen])
    blocked = blocking[: gen.size] != 0
    return ~unknown & ~blocked & _some_job_left(capabilities, lost), capabilities, unknown


def group_tuples(group: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """Per group 0..n-1, the sorted tuple of its ``labels`` (``()`` for none).

    One sort, then one tuple built per distinct combination (thousands of generators share a few).
    """
    out = _filled(n, ())
    if not len(group):
        return out
    codes, names = pd.factorize(labels, sort=True)
    order = np.lexsort((codes, group))
    group, codes = group[order], codes[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    chunks = np.split(codes, starts[1:])
    keys, inverse = np.unique(np.array([c.tobytes() for c in chunks], dtype=object), return_inverse=True)
    table = _cells([tuple(names[chunks[i]]) for i in _first_of(inverse, len(keys))])
    out[group[starts]] = table[inverse]
    return out


def _first_of(inverse: np.ndarray, n: int) -> np.ndarray:
    """Index of the first occurrence of each of ``n`` codes in ``inverse``."""
    first = np.full(n, -1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse))[::-1]
    return first


def _pick(keys: np.ndarray, positions: np.ndarray, group: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Per part: the largest file of its group within ``room`` GiB, else the group's smallest file.

    ``keys`` are ``group * _SPAN + weight``, sorted, so both ends are one ``searchsorted`` away.
    """
    first = np.searchsorted(keys, group * _SPAN)
    last = np.searchsorted(keys, group * _SPAN + np.clip(room, -1.0, _SPAN / 2), side="right") - 1
    return positions[np.where(last >= first, last, first)]


def _prefer_like(
    plan: Plan, needs: dict[str, np.ndarray], pos: np.ndarray, room: np.ndarray, found: np.ndarray
) -> np.ndarray:
    """Experts take a file of the generator's own precision and quant when one is installed."""
    expert = np.flatnonzero(found & (needs["role"] == "expert"))
    if not expert.size:
        return pos
    gen = plan.pipes["gen"][needs["pipe"][expert]]
    precision, quant = plan.cols["precision"][gen], plan.cols["quant"][gen]
    groups = needs["group"][expert]
    # one dict lookup per expert half (a handful per server), not per model
    like = np.array([plan.like_groups.get((int(g), str(p), str(q)), -1) for g, p, q in zip(groups, precision, quant)])
    has = like >= 0
    out = pos.copy()
    out[expert[has]] = _pick(plan.like_key, plan.like_pos, like[has], room[expert[has]])
    return out


def _shares(kind: np.ndarray, family: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(diffusion, text encoder, VAE) share of a file's weights: checkpoints split by family parameters."""
    codes = _rules.codes(family, _rules.FAMILY_CODE)
    params = _rules.by_family("params_b", np.nan).astype(np.float64)[codes]
    te = _rules.by_family("te_params_b", 0.0).astype(np.float64)[codes]
    vae = _rules.by_family("vae_params_b", 0.0).astype(np.float64)[codes]
    total = params + te + vae
    checkpoint = (kind == "checkpoint") & ~np.isnan(total) & (total > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dm = np.where(checkpoint, params / total, 1.0)
        te_share = np.where(checkpoint, te / total, 0.0)
    return dm, te_share, 1.0 - dm - te_share


def _job_size(family: np.ndarray, job: Job) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    codes = _rules.codes(family, _rules.FAMILY_CODE)
    width, height, frames = job_defaults(codes)
    pick = lambda given, default: np.full(codes.size, float(given)) if given is not None else default  # noqa: E731
    return codes, pick(job.width, width), pick(job.height, height), pick(job.frames, frames)


def _generator_rows(
    plan: Plan, gen: np.ndarray,
    choice: tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]], job: Job,
    budgets: np.ndarray,
) -> pd.DataFrame:  # fmt: skip
    chosen, missing, job_lost, blocking, phases = choice
    cols = plan.cols
    n = gen.size
    kind = cols["kind"][gen]
    family = cols["family"][gen]
    weights = cols["weights_gb"][gen]
    dm, te_share, vae_share = _shares(kind, family)
    codes, width, height, frames = _job_size(family, job)
    params = cols["params_b"][gen]  # sizes within a family differ (Wan 1.3B / 14B): job_memory_variants.csv
    upscaler = kind == "upscale"
    act = activation_gb(codes, width, height, frames, job.batch, params_b=params)
    up = np.flatnonzero(upscaler)  # few servers hold many upscalers: the name pass runs on those only
    if up.size:
        act = act.copy()
        act[up] = _upscale_gb(cols["name"][gen][up], width[up], height[up], job.batch)
    decode_vae = phases["decode"] + weights * vae_share
    encode_gb = phases["encode"] + weights * te_share
    diffusion_gb = weights * dm
    decode = _decode(codes, width, height, frames, job.batch, params, decode_vae, budgets)
    decode_gb = decode_vae + np.where(upscaler, 0.0, decode)  # an upscale model works on pixels: no VAE
    ready, capabilities, unknown = _ready(cols, gen, blocking, job_lost)
    miss = missing.copy()
    miss[unknown] = _filled(int(unknown.sum()), ("recipe:unknown_family",))
    lost = job_lost
    comp = group_tuples(chosen["pipe"], _component_names(cols, chosen["pos"]), n)
    return pd.DataFrame({
        "server": cols["server"][gen],
        "generator_folder": cols["folder"][gen],
        "generator": cols["name"][gen],
        "module": np.full(n, "", dtype=object),
        "kind": kind, "family": family,
        "variant": cols["variant"][gen],
        "capabilities": capabilities, "jobs": _jobs(capabilities, lost, ready),
        "components": comp, "missing": miss, "ready": ready,
        "precision": cols["precision"][gen],
        "quant": cols["quant"][gen],
        "quality": cols["quality"][gen],
        "weights_gb": diffusion_gb, "activations_gb": act, "encode_gb": encode_gb, "decode_gb": decode_gb,
        "vram_gb": np.fmax(np.fmax(encode_gb, diffusion_gb + act), decode_gb),
        "width": width, "height": height, "frames": frames, "batch": np.full(n, float(job.batch)),
        "_vae_gb": decode_vae, "_params": params,
    })  # fmt: skip


def _cells(values: list[tuple[str, ...]]) -> np.ndarray:
    """Tuples as the cells of an object array (numpy would read equal-length tuples as a second axis)."""
    return object_cells(values, len(values))


def _filled(n: int, value: tuple[str, ...]) -> np.ndarray:
    """An object array of ``n`` cells all holding ``value`` (a tuple must not become a second axis)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


# ComfyUI's ImageUpscaleWithModel frees memory for a 512-pixel tile before it upscales:
# tile² × 3 channels × 4 bytes × scale × 384 (its own estimate of what such models take), plus the input image.
UPSCALE_TILE = 512
UPSCALE_FACTOR = 384.0
SCALE_TOKEN = r"(?:^|[^a-z0-9])(?:([1248])x|x([1248]))(?:[^a-z0-9]|$)"


def _upscale_gb(names: np.ndarray, width: np.ndarray, height: np.ndarray, batch: float) -> np.ndarray:
    """Memory an upscale model's job takes beside its weights, GiB, as ComfyUI estimates it (scale from the name's
    "4x" / "x2" token; 4 when the name has none)."""
    found = pd.Series(names, dtype=object).astype(str).str.lower().str.extract(SCALE_TOKEN)
    scale = pd.to_numeric(found[0].fillna(found[1]), errors="coerce").fillna(4.0).to_numpy(dtype=np.float64)
    tile = UPSCALE_TILE * UPSCALE_TILE * 3 * 4.0 * scale * UPSCALE_FACTOR
    image = width * height * 3 * 4.0 * batch
    return (tile + image) / float(1 << 30)


def _decode(
    codes: np.ndarray, width: np.ndarray, height: np.ndarray, frames: np.ndarray | float, batch: float,
    params: np.ndarray | None, vae_gb: np.ndarray, budgets: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """VAE decode memory as ComfyUI spends it: the whole latent at once where that fits the budget, else
    one tile (ComfyUI falls back to tiled decoding by itself when a full decode runs out of memory)."""
    full = vae_decode_gb(codes, width, height, frames, batch, params_b=params)
    tiled = vae_decode_gb(codes, width, height, frames, batch, tiled=True, params_b=params)
    return np.where(vae_gb + full <= budgets, full, np.minimum(full, tiled))


def _module_rows(plan: Plan, gens: pd.DataFrame, job: Job, budgets: np.ndarray) -> pd.DataFrame:
    """One pipeline per motion module, around the best base generator of a family it runs inside.

    The base is the ready text-to-image generator of the highest quality (then the smallest) on the module's
    server; frames run as one batch through the base model, as AnimateDiff does.
    """
    modules = plan.pipes["module"][plan.pipes["module"] >= 0]
    if not modules.size:
        return gens.iloc[0:0]
    cols = plan.cols
    bases = gens[gens["capabilities"].map(lambda caps: T2I in caps).to_numpy(dtype=bool)]
    bases = bases.assign(_q=pd.to_numeric(bases["quality"], errors="coerce").fillna(0))
    bases = bases.sort_values(["ready", "_q", "vram_gb", "generator"], ascending=[False, False, True, True], kind="stable")
    best = bases.drop_duplicates(["server", "family"]).set_index(["server", "family"])
    runs_on = _rules.adapter_bases()
    family = cols["family"][modules]
    wanted = pd.DataFrame({
        "m": np.arange(modules.size), "server": cols["server"][modules],
        "family": pd.Series(family, dtype=object).map(runs_on).to_numpy(),
    }).explode("family").dropna(subset=["family"])  # fmt: skip
    found = wanted.join(best, on=["server", "family"], how="inner")
    found = found.sort_values(["m", "ready", "_q", "vram_gb"], ascending=[True, False, False, True], kind="stable")
    base = found.drop_duplicates("m").set_index("m").reindex(pd.RangeIndex(modules.size))
    has = base["generator"].notna().to_numpy()

    n = modules.size
    module_names = _component_names(cols, modules)
    base_family = np.where(has, base["family"].fillna("").to_numpy(dtype=object), family)
    codes, width, height, _ = _job_size(base_family, job)
    frames = float(job.frames) if job.frames is not None else float(MOTION_FRAMES)
    batch = frames * float(job.batch)
    act = activation_gb(codes, width, height, np.ones(n), batch, params_b=base["_params"].astype("float64").to_numpy())
    module_gb = cols["weights_gb"][modules]
    weights = base["weights_gb"].astype("float64").fillna(0.0).to_numpy() + module_gb
    encode_gb = base["encode_gb"].astype("float64").fillna(0.0).to_numpy()
    vae_gb = base["_vae_gb"].astype("float64").fillna(0.0).to_numpy()
    decode_gb = vae_gb + _decode(codes, width, height, np.ones(n), batch, None, vae_gb, budgets)
    base_components = np.where(has, base["components"].to_numpy(dtype=object), None)
    base_missing = np.where(has, base["missing"].to_numpy(dtype=object), None)
    components = _cells([tuple(sorted((c or ()) + (m,))) for c, m in zip(base_components, module_names)])
    missing = _cells([tuple(m) if ok else (f"base:{f or 'unknown'}",) for m, ok, f in zip(base_missing, has, family)])
    ready = has & base["ready"].fillna(False).to_numpy(dtype=bool)
    capabilities = sorted_tuples(cols["capabilities"][modules])
    return pd.DataFrame({
        "server": cols["server"][modules],
        "generator_folder": base["generator_folder"].fillna("").to_numpy(dtype=object),
        "generator": base["generator"].fillna("").to_numpy(dtype=object),
        "module": module_names,
        "kind": base["kind"].fillna("").to_numpy(dtype=object),
        "family": base_family,
        "variant": cols["variant"][modules],
        "capabilities": capabilities,
        "jobs": np.where(ready, capabilities, _filled(n, ())),
        "components": components, "missing": missing, "ready": ready,
        "precision": base["precision"].fillna("").to_numpy(dtype=object),
        "quant": base["quant"].fillna("").to_numpy(dtype=object),
        "quality": cols["quality"][modules],
        "weights_gb": weights, "activations_gb": act, "encode_gb": encode_gb, "decode_gb": decode_gb,
        "vram_gb": np.fmax(np.fmax(encode_gb, weights + act), decode_gb),
        "width": width, "height": height, "frames": np.full(n, frames), "batch": np.full(n, float(job.batch)),
    })  # fmt: skip


def _component_names(cols: dict[str, np.ndarray], pos: np.ndarray) -> np.ndarray:
    return (cols["folder"][pos] + "/" + cols["name"][pos]).astype(object)


def sorted_tuples(cells: np.ndarray) -> np.ndarray:
    """Set-valued cells as sorted tuples of str (converted once per distinct cell)."""
    try:
        codes, distinct = pd.factorize(cells)
    except TypeError:  # unhashable cells (lists, after a Parquet round trip)
        codes, distinct = pd.factorize(pd.Series(cells, dtype=object).map(tuple).to_numpy())
    return _cells([tuple(sorted(map(str, cell))) for cell in distinct])[codes]


def _some_job_left(capabilities: np.ndarray, lost: np.ndarray) -> np.ndarray:
    """False where missing parts took every capability the generator has."""
    codes, distinct = pd.factorize(_cells(list(zip(capabilities, lost))))
    table = np.array([not caps or bool(set(caps) - set(gone)) for caps, gone in distinct], dtype=bool)
    return table[codes]


def _jobs(capabilities: np.ndarray, lost: np.ndarray, ready: np.ndarray) -> np.ndarray:
    """What a ready pipeline can run: its capabilities less the jobs a missing part takes, plus img2img by denoising."""
    keys = pd.Series(list(zip(capabilities, lost, ready)), dtype=object)
    codes, distinct = pd.factorize(keys)
    table = np.empty(len(distinct), dtype=object)
    for i, (caps, gone, ok) in enumerate(distinct):  # once per distinct (capabilities, lost, ready), not per row
        can = set(caps) - set(gone) if ok else set()
        if T2I in can:
            can.add(I2I)
        table[i] = tuple(sorted(can))
    return table[codes]


def ready_generators(plan: Plan) -> np.ndarray:
    """Per generator of the plan (``pipes`` rows without a module): is its pipeline ready, as in :func:`evaluate`.

    Readiness does not depend on the budget or the job, so this needs no evaluation.
    """
    n_gen = int((plan.pipes["module"] < 0).sum())
    needs = plan.needs  # every need is a generator's: motion modules borrow their base's parts
    job_lost, blocking = _lost(needs, (needs["group"] < 0) & ~needs["optional"], n_gen)
    return _ready(plan.cols, plan.pipes["gen"][:n_gen], blocking, job_lost)[0]
