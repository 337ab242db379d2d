"""A headline answer people can trust (issue 20): broken files, budgets, fleets, job sizes, nothing-fits reasons."""

from __future__ import annotations

import copy
import warnings

import pytest

import comfyframe as cf
from comfyframe.snapshot._snapshot import Snapshot, details_route, folder_route, metadata_route


@pytest.fixture(scope="module")
def demo() -> cf.Discovery:
    return cf.discover(demo=True)


def with_files(snapshot: Snapshot, folder: str, files: dict[str, int], *, url: str | None = None) -> Snapshot:
    """A copy of ``snapshot`` whose ``folder`` also lists ``files`` (name -> size in bytes)."""
    snap = copy.deepcopy(snapshot)
    if url is not None:
        snap.url = url
    snap.responses[folder_route(folder)] = [*snap.responses[folder_route(folder)], *files]
    snap.responses[details_route(folder)] = [
        *snap.responses[details_route(folder)],
        *({"name": name, "pathIndex": 0, "modified": 1748736000.0, "size": size} for name, size in files.items()),
    ]
    return snap


def quiet(snapshot: Snapshot | list[Snapshot]) -> cf.Discovery:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cf.Discovery(snapshot)


def test_empty_file_is_broken_never_a_part_never_ranked(demo: cf.Discovery) -> None:
    snap = with_files(demo.snapshot, "checkpoints", {"broken_download.safetensors": 0, "sdxl_copy.safetensors": 7})
    found = quiet(snap)
    models = found.models.set_index("name")
    assert models.loc["broken_download.safetensors", "broken"] == "empty file (0 bytes)"
    assert "shorter than a safetensors header" in models.loc["sdxl_copy.safetensors", "broken"]
    assert models.loc["broken_download.safetensors", "capabilities"] == ()
    assert models.loc["sd_xl_base_1.0.safetensors", "broken"] == ""
    names = {"broken_download.safetensors", "sdxl_copy.safetensors"}
    pipes = found.pipelines
    assert not pipes["generator"].isin(names).any()
    assert not any(c.rsplit("/", 1)[-1] in names for parts in pipes["components"] for c in parts)
    for prefer in ("quality", "speed"):
        ranked = found.best_for("text_to_image", prefer=prefer, ready=False)
        assert not ranked["generator"].isin(names).any()
    status = found.status()
    assert "2 broken files (never ranked)" in status
    assert "checkpoints/broken_download.safetensors: empty file (0 bytes)" in status


def test_unreadable_header_is_broken_only_when_siblings_answer(demo: cf.Discovery) -> None:
    snap = copy.deepcopy(demo.snapshot)
    key = metadata_route("checkpoints", "sd_xl_base_1.0.safetensors")
    snap.responses.pop(key, None)
    snap.failures[key] = {"error": "ServerHTTPError", "status": 500, "message": "HTTP 500"}
    models = quiet(snap).models.set_index("name")
    assert "HTTP 500" in models.loc["sd_xl_base_1.0.safetensors", "broken"]
    assert not quiet(snap).best_for("text_to_image", ready=False)["generator"].eq("sd_xl_base_1.0.safetensors").any()
    # every metadata request of the folder failed: the server, not the file, is at fault
    lone = copy.deepcopy(snap)
    for route in [k for k in lone.responses if k.startswith("/view_metadata/checkpoints?")]:
        lone.responses.pop(route)
        lone.failures[route] = {"error": "ServerHTTPError", "status": 500, "message": "HTTP 500"}
    assert quiet(lone).models["broken"].eq("").all()


def test_facade_reports_best_fors_peak(demo: cf.Discovery) -> None:
    registry = cf.ModelRegistryV2("http://unused.invalid")
    registry.discovery = demo
    pick = registry.get_best_for(cf.Capability.TEXT_TO_VIDEO)
    ranked = demo.best_for("text_to_video", top=1)
    assert pick is not None and pick.filename == ranked.loc[0, "generator"]
    assert pick.vram_required == ranked.loc[0, "vram_gb"]


def test_default_budget_is_total_less_reserve_and_named(demo: cf.Discovery) -> None:
    hw = demo.hardware.iloc[0]
    ranked = demo.best_for("text_to_image")
    assert ranked["budget_gb"].eq(hw["budget_gb"]).all()
    assert hw["budget_gb"] < hw["vram_total_gb"] and hw["budget_gb"] != hw["budget_free_gb"]
    assert ranked.attrs["budget"].startswith(f"{hw['budget_gb']:.1f} GiB (device 0: total RAM")
    free = demo.best_for("text_to_image", budget="free")
    assert free["budget_gb"].eq(hw["budget_free_gb"]).all() and "budget='free'" in free.attrs["budget"]
    explicit = demo.best_for("text_to_image", max_vram=hw["vram_free_gb"])  # the seed's example keeps working
    assert explicit["budget_gb"].eq(hw["vram_free_gb"]).all() and explicit.attrs["budget"].endswith("(max_vram)")
    with pytest.raises(ValueError, match="budget must be 'total'"):
        demo.best_for("text_to_image", budget="now")


def test_capability_words_as_the_cli_takes_them(demo: cf.Discovery) -> None:
    assert demo.best_for("text-to-image", top=3).equals(demo.best_for("text_to_image", top=3))


def test_job_is_shown_and_expert_pairs_rank_once(demo: cf.Discovery) -> None:
    ranked = demo.best_for("image_to_video")
    wan = ranked[ranked["family"].eq("wan22")]
    assert set(wan["job"]) == {"832×480×81"}
    halves = ranked["generator"].str.contains("A14B-(?:High|Low)Noise", regex=True)
    assert halves.sum() == 1 and ranked.loc[halves, "generator"].str.contains("HighNoise").all()
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    audio = demo.best_for("text_to_audio")
    assert audio["job"].str.endswith(" s audio").all()


def test_empty_answer_carries_its_reason(demo: cf.Discovery) -> None:
    with pytest.warns(cf.NothingFitsWarning, match="weights alone") as caught:
        ranked = demo.best_for("text_to_video", max_vram=0.5)
    assert ranked.empty and "weights alone" in ranked.attrs["reason"]
    assert caught[0].filename == __file__  # attributed to the caller's line
    able = demo.best_for("text_to_video", max_vram=1e9)
    smallest = able.loc[able["vram_gb"].idxmin()]
    with pytest.warns(cf.NothingFitsWarning, match="shrink the job with width="):
        demo.best_for("text_to_video", max_vram=float(smallest["vram_gb"]) - 0.1)


def small_twin(demo: cf.Discovery, url: str, ram_gib: int) -> Snapshot:
    """The demo server again at ``url``, with ``ram_gib`` of memory (a CPU server: its budget is RAM)."""
    snap = copy.deepcopy(demo.snapshot)
    snap.url = url
    stats = snap.responses["/system_stats"]
    stats["system"]["ram_total"] = stats["system"]["ram_free"] = ram_gib << 30
    for device in stats["devices"]:
        device["vram_total"] = device["vram_free"] = ram_gib << 30
    return snap


def test_a_fleet_ranks_every_server_against_its_own_budget(demo: cf.Discovery, tmp_path, capsys) -> None:
    from comfyframe._cli import main

    small = small_twin(demo, "http://small-box:8188", 12)
    found = quiet([demo.snapshot, small])
    ranked = found.best_for("text_to_image")
    assert set(ranked["server"]) == {demo.url, "http://small-box:8188"}
    per_server = ranked.groupby("server")["budget_gb"].first()
    assert per_server[demo.url] == pytest.approx(found.hardware.set_index("server").loc[demo.url, "budget_gb"])
    assert per_server["http://small-box:8188"] == pytest.approx(12 - 2.0)
    assert ranked["vram_gb"].le(ranked["budget_gb"]).all()
    assert ranked.loc[ranked["server"].eq("http://small-box:8188"), "vram_gb"].max() <= 10.0
    assert "http://small-box:8188: 10.0 GiB" in ranked.attrs["budget"]
    one = found.best_for("text_to_image", server="http://small-box:8188")
    assert set(one["server"]) == {"http://small-box:8188"}
    path = found.save(tmp_path / "fleet.json.gz")
    assert main(["best", "text_to_image", "--snapshot", str(path), "--top", "40"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["server", "rank"]
    assert "http://small-box:8188" in out and demo.url in out
    assert main(["best", "text_to_image", "--demo", "--top", "2"]) == 0
    single = capsys.readouterr().out
    assert single.splitlines()[0].split()[0] == "rank" and "budget: " in single


def test_status_lists_capabilities_with_files_but_nothing_fitting(demo: cf.Discovery) -> None:
    found = quiet(small_twin(demo, "http://tiny-box:8188", 6))  # budget 4 GiB
    status = found.status()
    assert "budget 4.0 GiB (total RAM 6.0 GiB less 2.0 GiB for the OS and ComfyUI)" in status
    assert "budget 4.0 GiB" in status
    video = next(line for line in status.splitlines() if line.strip().startswith("text_to_video"))
    assert "none fits:" in video and "4.0 GiB" in video
    picks = found.best_per_capability()
    assert picks.loc[picks["capability"].eq("text_to_video"), "reason"].str.contains("fits").all()


@pytest.mark.parametrize(
    "args",
    [["best", "text_to_video", "--demo", "--format", "csv"], ["unused", "--demo"], ["discover", "--demo"]],
    ids=["best", "unused", "discover"],
)
def test_a_closed_pipe_ends_the_command_quietly(args: list[str]) -> None:
    import subprocess
    import sys

    cli = [sys.executable, "-c", "import sys; from comfyframe._cli import main; sys.exit(main())"]
    proc = subprocess.Popen([*cli, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line, as with `| head -0`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def failing_metadata(demo: cf.Discovery, *names: str) -> Snapshot:
    snap = copy.deepcopy(demo.snapshot)
    for name in names:
        key = metadata_route("loras", name)
        snap.responses.pop(key, None)
        snap.failures[key] = {"error": "ServerTimeout", "status": None, "message": "timed out"}
    return snap


def test_a_metadata_failure_is_warned_once_naming_the_file_at_the_callers_line(demo: cf.Discovery, tmp_path, capsys) -> None:
    from comfyframe._cli import main

    path = failing_metadata(demo, "my_style_v3.safetensors").save(tmp_path / "one.json.gz")
    with pytest.warns(cf.DegradedServerWarning) as caught:
        cf.discover(snapshot=path)
    assert len(caught) == 1 and caught[0].filename == __file__
    assert "metadata of 1 file(s): loras/my_style_v3.safetensors" in str(caught[0].message)
    assert main(["discover", "--snapshot", str(path), "-q"]) == 0
    out, err = capsys.readouterr()
    assert err.count("loras/my_style_v3.safetensors") == 1 and "loras/my_style_v3" not in out
    many = [n for n in demo.models.loc[demo.models["folder"].eq("loras"), "name"] if n.endswith(".safetensors")][:5]
    with pytest.warns(cf.DegradedServerWarning, match=r"of 5 file\(s\): .* and 2 more"):
        cf.Discovery(failing_metadata(demo, *many))


def test_hints_name_the_right_cause() -> None:
    import http.server
    import threading

    from comfyframe.http._options import ConnectOptions
    from comfyframe.snapshot._capture import _deadline_message

    # whichever runs out first, the request or the whole discovery, the knob named is --timeout
    with pytest.raises(cf.ServerTimeout, match=r"raise timeout= / --timeout") as caught:
        cf.discover("http://127.0.0.1:9", timeout=0.001, retries=0, progress=False)
    assert "--deadline" not in str(caught.value)
    assert "raise timeout= / --timeout (the deadline follows it)" in _deadline_message("u", ConnectOptions(timeout=0.001))
    assert "raise deadline= / --deadline" in _deadline_message("u", ConnectOptions(timeout=5, deadline=1))
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        with pytest.raises(cf.ComfyFrameError, match=rf"plain HTTP, not TLS: use http://127.0.0.1:{port}") as caught:
            cf.discover(f"https://127.0.0.1:{port}", timeout=5, retries=0, progress=False)
        assert "--insecure would fail the same way" in str(caught.value)
    finally:
        server.shutdown()
        server.server_close()


def test_no_port_mentions_comfyuis_default() -> None:
    from comfyframe.http._client import _port_hint

    assert "ComfyUI listens on 8188 by default: http://gpu-box:8188" in _port_hint("http://gpu-box")
    assert _port_hint("http://gpu-box:8188") == ""


def test_explain_suggests_close_names(demo: cf.Discovery, capsys) -> None:
    from comfyframe._cli import main

    with pytest.raises(ValueError, match=r"Did you mean 'loras/my_style_v3.safetensors'\?"):
        demo.explain(None, "my_style_v2.safetensors")
    assert main(["explain", "nothing-like-it-zzz", "--demo"]) == 2
    err = capsys.readouterr().err
    assert "comfyframe export" in err and err.count("\n") == 1


def test_arguments_are_used_or_refused_in_one_line(capsys, tmp_path) -> None:
    from comfyframe._cli import build_parser, main
    from comfyframe.views._export import TABLES

    with pytest.raises(SystemExit) as stopped:
        main(["best", "text_to_image", "--demo", "--prefer", "fastest"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("comfyframe: error: best: argument --prefer: invalid choice: 'fastest'")
    assert err.count("\n") == 1 and "usage:" not in err
    path = cf.demo_snapshot().save(tmp_path / "demo.json.gz")
    assert main(["discover", "--snapshot", str(path), "http://gpu-box:8188"]) == 2
    assert "give one source" in capsys.readouterr().err
    diff = build_parser().parse_args(["diff", "a", "b", "-H", "X-Key: 1", "--insecure", "--deadline", "5", "-q"])
    assert (diff.header, diff.insecure, diff.deadline, diff.quiet) == (["X-Key: 1"], True, 5.0, True)
    with pytest.raises(SystemExit):
        main(["diff", "--help"])
    assert "csv or json for scripts" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = " ".join(capsys.readouterr().out.split())
    assert all(table in listed.split("export", 1)[1].split("unused")[0] for table in TABLES), listed


def test_a_silent_server_is_named_while_we_wait() -> None:
    import socket
    import threading

    class Labels:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def add(self, total: int, label: str) -> None:
            self.seen.append(label)

        def advance(self, count: int = 1) -> None:
            pass

        def close(self) -> None:
            pass

    listener = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    labels = Labels()
    try:
        with pytest.raises(cf.ServerTimeout):
            cf.discover(url, timeout=4.5, retries=0, progress=labels)
    finally:
        stop.set()
        for conn in held:
            conn.close()
        listener.close()
    waiting = [label for label in labels.seen if label.startswith(f"waiting for {url}…")]
    assert waiting and waiting[0].endswith(" 3 s"), labels.seen


def test_quality_vs_vram_draws_one_front_per_capability() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    frame = pd.DataFrame({
        "name": ["audio", "small_img", "big_img"], "kind": "checkpoint", "vram_gb": [3.0, 4.0, 12.0],
        "quality": pd.array([9, 3, 8], dtype="Int64"),
        "capabilities": [("text_to_audio",), ("text_to_image",), ("text_to_image",)],
    })  # fmt: skip
    ax = cf.plot_quality_vs_vram(frame)
    fronts = [[tuple(map(float, xy)) for xy in c.get_offsets()] for c in ax.collections if c.get_gid() == "pareto"]
    # one front would have kept only the audio model (cheaper and better than both image models)
    assert fronts == [[(4.0, 3.0), (12.0, 8.0)], [(3.0, 9.0)]]
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"Pareto front: text_to_image", "Pareto front: text_to_audio"}


def test_tables_fit_the_terminal_and_keep_file_names(demo: cf.Discovery) -> None:
    from comfyframe.views._display import terminal_table

    ranked = demo.best_for("image_to_video", top=3)[["rank", "generator", "job", "vram_gb", "components"]]
    text = terminal_table(ranked, width=100)
    assert max(map(len, text.splitlines())) <= 100
    assert "umt5_xxl" in text and "text_encoders/" not in text  # components shortened to file names first
    assert max(map(len, terminal_table(ranked).splitlines())) > 100  # piped (not a terminal): every character


def test_job_sizes_are_integers_json_keeps_slashes_unused_is_readable(demo: cf.Discovery, capsys) -> None:
    import json

    from comfyframe._cli import main

    ranked = demo.best_for("text_to_video")
    assert all(str(ranked[c].dtype) == "Int64" for c in ("width", "height", "frames", "batch"))
    assert main(["best", "text_to_video", "--demo", "--format", "json", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "\\/" not in out and '"server":"demo://' in out
    record = json.loads(out)[0]
    assert isinstance(record["width"], int) and isinstance(record["frames"], int)
    assert main(["best", "text_to_video", "--demo", "--format", "csv", "--top", "1"]) == 0
    import csv
    import io

    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert all(row[c].isdigit() for c in ("width", "height", "frames", "batch")), row
    with pytest.raises(ValueError, match="width must be a whole number"):
        demo.best_for("text_to_image", width=832.5)
    assert main(["unused", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[3] == "size" and lines[1].split()[-2] == "GiB"
