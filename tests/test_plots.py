"""The matplotlib views: what each draws, counted on its axes (Agg backend, no display)."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from test_picker import MODELS, T2I, T2V, UP, device, make_discovery, model  # noqa: E402

import comfyframe as cf  # noqa: E402
from comfyframe.views._plots import FITS, OTHER, TIGHT, TOO_BIG, pareto_front, short_label, top_with_other  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture
def found() -> cf.Discovery:
    return make_discovery(MODELS, [device(total=24.0, free=20.0, budget=19.5)])


def bars(ax: plt.Axes, gid: str) -> list:
    return [p for p in ax.patches if p.get_gid() == gid]


def ticklabels(ax: plt.Axes) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def points(ax: plt.Axes, gid: str) -> list[tuple[float, float]]:
    found = [c for c in ax.collections if c.get_gid() == gid]
    return [] if not found else [tuple(map(float, xy)) for xy in found[0].get_offsets()]


# --------------------------------------------------------------------------- VRAM fit


def test_vram_fit_draws_ranked_candidates_in_order_against_the_device(found: cf.Discovery) -> None:
    ranked = found.best_for(T2I, max_vram=40)
    ax = cf.plot_vram_fit(ranked, found)
    drawn = bars(ax, "vram")
    assert len(drawn) == len(ranked) == 6
    assert ticklabels(ax) == ranked["generator"].tolist()  # pipelines are labelled by their generator
    # weights and the job's activations are stacked; the hand-made pipelines hold all their VRAM as weights
    assert [b.get_width() for b in drawn] == pytest.approx(ranked["weights_gb"].tolist())
    assert [b.get_width() for b in bars(ax, "activations")] == pytest.approx(ranked["activations_gb"].tolist())
    colours = dict(zip(ranked["generator"], (to_hex(b.get_facecolor()) for b in drawn)))
    assert colours["flux2_dev.safetensors"] == TOO_BIG  # 36 GB > 24 GB total
    assert colours["qwen_image.safetensors"] == TIGHT  # 21 GB > 19.5 GB budget
    assert colours["sd15.safetensors"] == FITS
    lines = sorted(round(line.get_xdata()[0], 2) for line in ax.get_lines())
    assert lines == [19.5, 20.0, 24.0]  # budget, free, total


def test_vram_fit_top_and_highlight(found: cf.Discovery) -> None:
    fig, given = plt.subplots()
    ax = cf.plot_vram_fit(found.models, found.hardware.iloc[0], ax=given, top=3, highlight="qwen_image.safetensors",
                          budget=10.0)
    assert ax is given
    assert len(bars(ax, "vram")) == 3
    assert ticklabels(ax) == ["flux2_dev.safetensors", "qwen_image.safetensors", "flux1-dev.safetensors"]  # largest
    assert bars(ax, "vram")[1].get_linewidth() > bars(ax, "vram")[0].get_linewidth()
    assert "top 3 of 11" in ax.get_title()
    assert 10.0 in [line.get_xdata()[0] for line in ax.get_lines()]


def test_vram_fit_without_hardware_or_candidates(found: cf.Discovery) -> None:
    ax = cf.plot_vram_fit(found.best_for(UP, max_vram=0.01))
    assert bars(ax, "vram") == [] and ax.get_lines() == []
    assert "no models" in ax.texts[0].get_text()


# --------------------------------------------------------------------------- quality against VRAM

PARETO_CASE = pd.DataFrame(
    {
        "name": ["A", "B", "C", "D", "E", "F", "G", "H"],
        "vram_gb": [2.0, 4.0, 4.0, 6.0, 8.0, 1.0, 3.0, 8.0],
        "quality": [3, 5, 4, 5, 9, 2, 3, 9],
    }
)


def test_pareto_front_on_a_hand_made_frame() -> None:
    front = pareto_front(PARETO_CASE)
    # G (3 GB, q3) loses to A (2 GB, q3); C and D lose to B; H ties E and E comes first by name.
    assert front["name"].tolist() == ["F", "A", "B", "E"]
    assert pareto_front(PARETO_CASE.iloc[0:0]).empty


def test_quality_vs_vram_marks_and_labels_the_front() -> None:
    frame = PARETO_CASE.assign(kind="checkpoint", capabilities=[(T2I,)] * len(PARETO_CASE))
    ax = cf.plot_quality_vs_vram(frame)
    assert len(points(ax, "models")) == 8
    assert points(ax, "pareto") == [(1.0, 2.0), (2.0, 3.0), (4.0, 5.0), (8.0, 9.0)]
    assert sorted(t.get_text() for t in ax.texts) == ["A", "B", "E", "F"]
    ax = cf.plot_quality_vs_vram(frame, front=False)
    assert points(ax, "pareto") == [] and not ax.texts


def test_quality_vs_vram_draws_generators_only(found: cf.Discovery) -> None:
    ax = cf.plot_quality_vs_vram(found)
    assert len(points(ax, "models")) == 10  # the LoRA (no capability, no quality) is left out
    ax = cf.plot_quality_vs_vram(found.models, capability=T2V)
    assert sorted(points(ax, "models")) == [(3.0, 6.0), (15.0, 8.0)]
    assert points(ax, "pareto") == [(3.0, 6.0), (15.0, 8.0)]


# --------------------------------------------------------------------------- inventory and disk use


def test_inventory_by_kind_family_capability(found: cf.Discovery) -> None:
    ax = cf.plot_inventory(found, by="kind")
    counts = dict(zip(ticklabels(ax), (b.get_width() for b in bars(ax, "inventory"))))
    assert counts == {"diffusion_model": 6, "checkpoint": 3, "upscale": 1, "lora": 1}
    ax = cf.plot_inventory(found.models, by="family")
    counts = dict(zip(ticklabels(ax), (b.get_width() for b in bars(ax, "inventory"))))
    assert counts["sdxl"] == 3 and counts["unknown"] == 1 and sum(counts.values()) == 11
    ax = cf.plot_inventory(found, by="capability")
    counts = dict(zip(ticklabels(ax), (b.get_width() for b in bars(ax, "inventory"))))
    assert counts == {T2I: 6, "image_to_image": 1, T2V: 2, UP: 1}
    with pytest.raises(ValueError):
        cf.plot_inventory(found, by="colour")


def test_disk_use_by_folder(found: cf.Discovery) -> None:
    ax = cf.plot_disk_use(found.models)
    sizes = dict(zip(ticklabels(ax), (b.get_width() for b in bars(ax, "disk"))))
    expected = found.models.groupby("folder")["size_bytes"].sum().astype("float64") / 2**30
    assert sizes == pytest.approx(expected.to_dict())
    assert ticklabels(ax)[0] == "checkpoints"  # largest first


def test_hundreds_of_models_stay_readable() -> None:
    rows = [
        model(f"family{i % 40}/a_really_long_model_file_name_number_{i:03d}_fp16.safetensors", 1 + i % 30, 1 + i % 10,
              [T2I], kind=f"kind{i % 25}", family=f"fam{i % 40}", folder=f"folder{i % 30}")
        for i in range(400)
    ]
    big = make_discovery(rows, [device()])
    ax = cf.plot_inventory(big, by="family", top=15)
    labels = ticklabels(ax)
    assert len(bars(ax, "inventory")) == 15 and labels[-1] == OTHER
    assert sum(b.get_width() for b in bars(ax, "inventory")) == 400
    ax = cf.plot_disk_use(big, top=10)
    assert len(bars(ax, "disk")) == 10
    ax = cf.plot_vram_fit(big.best_for(T2I, max_vram=100), big, top=25)
    assert len(bars(ax, "vram")) == 25 and all(len(t) <= 42 for t in ticklabels(ax))
    assert "…" in ticklabels(ax)[0] and ticklabels(ax)[0].endswith(".safetensors")
    ax = cf.plot_quality_vs_vram(big)
    assert len(points(ax, "models")) == 400


def test_helpers() -> None:
    assert short_label("short.pth") == "short.pth"
    cut = short_label("x" * 50 + ".safetensors", 20)
    assert len(cut) == 20 and cut.endswith("tensors") and "…" in cut
    assert short_label(None) == ""
    grouped = top_with_other(pd.Series({"a": 5, "b": 4, "c": 1, "d": 1}), 3)
    assert grouped.to_dict() == {"a": 5, "b": 4, OTHER: 2}
    assert top_with_other(pd.Series({"a": 1}), 3).to_dict() == {"a": 1}


def test_plots_on_a_real_snapshot() -> None:
    """The demo snapshot (a real server's answers, real inference) draws without error."""
    try:
        found = cf.discover(demo=True)
    except cf.SnapshotError as exc:
        pytest.skip(f"demo snapshot not shipped yet: {exc}")
    fig, axes = plt.subplots(2, 2)
    assert cf.plot_inventory(found, ax=axes[0, 0]) is axes[0, 0]
    assert cf.plot_disk_use(found, ax=axes[0, 1]) is axes[0, 1]
    assert cf.plot_quality_vs_vram(found, ax=axes[1, 0]) is axes[1, 0]
    capability = found.available_capabilities()[0]
    assert cf.plot_vram_fit(found.best_for(capability), found, ax=axes[1, 1]) is axes[1, 1]
    assert len(bars(axes[0, 0], "inventory")) > 0


# --------------------------------------------------------------------------- hostile labels, unknown sizes

DOLLARS = "price_$5_to_$10.safetensors"


def test_names_with_dollar_signs_are_drawn_literally_not_as_maths() -> None:
    hostile = [model(DOLLARS, 6.0, 7, [T2I]), model("$\\frac{1}{0}$.ckpt", 4.0, 5, [T2I], folder="$a$")]
    found = make_discovery(hostile + MODELS, [device(gpu="GPU $x$ $y$")])
    for ax in (cf.plot_vram_fit(found.best_for(T2I, max_vram=40), found, highlight=DOLLARS),
               cf.plot_quality_vs_vram(found, capability=T2I),
               cf.plot_inventory(found, by="family"),
               cf.plot_disk_use(found)):
        ax.figure.canvas.draw()  # a mathtext parse error would raise here
    vram = cf.plot_vram_fit(found.best_for(T2I, max_vram=40), found)
    vram.figure.canvas.draw()
    shown = [t.get_text() for t in vram.get_yticklabels()]
    assert DOLLARS.replace("$", r"\$") in shown
    assert not any(t._preprocess_math(t.get_text())[1] for t in vram.get_yticklabels())  # not parsed as maths
    assert r"GPU \$x\$ \$y\$" in vram.get_title()


def test_disk_use_title_counts_files_of_unknown_size(found: cf.Discovery) -> None:
    models = found.models.copy()
    models.loc[models.index[:2], "size_bytes"] = pd.NA
    ax = cf.plot_disk_use(models)
    assert ax.get_title().endswith(f"in {len(models) - 2} files + 2 files of unknown size")
