"""Fault injection, second round (issue 18): bounds that hold, partial answers, no secret in any output.

Memory bounds are measured in a fresh process (its own peak RSS, ``VmHWM``) against a loopback
:class:`FaultServer` running in this one.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import warnings
import zlib
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer, encoded, gzip_bomb, stacked_bomb_bytes

import comfyframe as cf

QUICK = {"progress": False, "timeout": 5.0}
_PEAK = (
    "def _peak_mb():\n"
    "    import resource\n"
    "    peak = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "    return (peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024\n"
)


def measured(script: str, timeout: float = 120) -> dict[str, Any]:
    """Run ``script`` (which sets ``result``, a dict) in a fresh Python; ``result`` plus its peak RSS in MB."""
    code = f"{_PEAK}import json, warnings\nimport comfyframe as cf\n{script}\nresult['rss_mb'] = _peak_mb()\n" \
           "print(json.dumps(result))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def baseline_mb() -> float:
    """Peak RSS of a fresh process that imported comfyframe and built the tables of a tiny server."""
    with FaultServer() as server:
        return measured(f"cf.discover({server.url!r}, progress=False)\nresult = {{}}")["rss_mb"]


def caught_warnings(run):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    return result, [str(w.message) for w in caught if issubclass(w.category, cf.DegradedServerWarning)]


# -- 1, 2: every decoding layer bounded --------------------------------------------------------
def test_stacked_gzip_bomb_on_one_fleet_member_is_bounded_and_keeps_the_fleet() -> None:
    """``gzip, gzip``: about 10 KB on the wire, 4 GiB decoded; the 8 MiB metadata limit holds at every layer."""
    bomb = stacked_bomb_bytes(4 << 30)
    assert len(bomb) < 20_000
    base = baseline_mb()
    with FaultServer(faults={"/view_metadata/checkpoints": encoded(bomb, "gzip, gzip")}) as bad, \
            FaultServer(folders={"checkpoints": ["flux1-dev.safetensors"]}) as good:  # its own files: asked of it
        result = measured(
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            f"    found = cf.discover([{bad.url!r}, {good.url!r}], progress=False, timeout=30)\n"
            "failures = [f['message'] for s in found.snapshots for f in s.failures.values()]\n"
            "result = {'servers': sorted(set(found.models['server'])), 'failures': failures,\n"
            "          'warnings': [str(w.message) for w in caught]}\n"
        )
    assert result["servers"] == sorted([bad.url, good.url])
    assert result["failures"] and all("more than 8 MiB" in m for m in result["failures"])
    assert any("safetensors metadata" in w for w in result["warnings"])
    # Unbounded, the inner layer reached 4.2 GB and a MemoryError. Bounded: one 8 MiB body per read at most.
    assert result["rss_mb"] - base < 120, (result["rss_mb"], base)


def test_many_metadata_bombs_at_high_concurrency_stay_within_limit_times_concurrency() -> None:
    """64 metadata bombs, 32 requests at once: memory is bounded by limit × concurrency, not by the ratio."""
    names = [f"bomb_{i:02d}.safetensors" for i in range(64)]
    base = baseline_mb()
    with FaultServer(folders={"checkpoints": names}, faults={"/view_metadata/checkpoints": gzip_bomb(256 << 20)}) as s:
        result = measured(
            "with warnings.catch_warnings():\n"
            "    warnings.simplefilter('ignore')\n"
            f"    found = cf.discover({s.url!r}, progress=False, timeout=60, max_concurrency=32)\n"
            "result = {'failed': len(found.snapshot.failures), 'models': len(found.models)}\n"
        )
    assert result["failed"] == 64 and result["models"] >= 64
    # 32 in flight × 8 MiB would be 256 MiB; large bodies also wait for one of 4 read permits. Measured ~40 MB
    # above the baseline; before, every request inflated a 66 MB network chunk before checking (2.33 GB).
    assert result["rss_mb"] - base < 32 * 8 + 30, (result["rss_mb"], base)


@pytest.mark.parametrize(
    ("encoding", "note"),
    [("gzip, gzip, gzip", "compressed 3 times"), ("gzip,deflate,gzip", "compressed 3 times"),
     ("br", "does not decode ('br'")],
)
def test_more_than_two_layers_or_unknown_encodings_are_refused(encoding: str, note: str) -> None:
    body = gzip.compress(gzip.compress(gzip.compress(b'{"a": 1}')))
    with FaultServer(faults={"/view_metadata/checkpoints": encoded(body, encoding)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    failures = list(found.snapshot.failures.values())
    assert failures and all(note in f["message"] for f in failures), failures
    assert any("safetensors metadata" in m for m in messages) and len(found.models) == 3


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
     ("deflate", zlib.compress),
     ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
     ("identity, gzip", gzip.compress),
     ("x-gzip", gzip.compress)],
)
def test_one_or_two_honest_layers_are_decoded(encoding: str, pack: Any) -> None:
    meta = {"__metadata__": {"modelspec.architecture": "stable-diffusion-xl-v1-base"}}
    body = pack(json.dumps(meta).encode())
    with FaultServer(faults={"/view_metadata/checkpoints": encoded(body, encoding)}) as server:
        found = cf.discover(server.url, **QUICK)
    assert not found.snapshot.failures
    assert found.snapshot.metadata("checkpoints", "sd_xl_base_1.0.safetensors") == meta


def test_a_damaged_compressed_body_is_a_clear_failure() -> None:
    body = b"\x1f\x8b\x08\x00garbage-not-deflate" * 3
    with FaultServer(faults={"/object_info": encoded(body, "gzip")}) as server:
        with pytest.raises(cf.UnexpectedPayload, match="damaged compressed body"):
            cf.discover(server.url, **QUICK)


def test_bounded_decoder_never_makes_more_than_a_step_past_the_limit() -> None:
    """The decoder itself: each call makes at most a step, and stops one byte past the limit."""
    from comfyframe.http._decode import STEP, BoundedDecoder, TooLarge

    decoder = BoundedDecoder(["gzip", "gzip"], 1 << 20)
    made = 0
    with pytest.raises(TooLarge):
        for piece in decoder.feed(stacked_bomb_bytes(64 << 20)):
            assert len(piece) <= STEP
            made += len(piece)
    assert made <= 1 << 20


# -- 3: paging that never ends ------------------------------------------------------------------
def endless_history(asked: list[int]) -> Any:
    """``/history`` pages of exactly ``max_items`` new prompts, forever."""
    from fault_server import send_json

    def run(handler: Any) -> None:
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(handler.path).query)
        offset, size = int(query["offset"][0]), int(query["max_items"][0])
        asked.append(offset)
        graph = {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}}}
        send_json(handler, {f"p{offset + i}": {"prompt": [offset + i, f"p{offset + i}", graph, {}, ["9"]],
                                               "status": {"status_str": "success", "completed": True}}
                            for i in range(size)})

    return run


def test_endless_history_is_cut_off_with_a_warning_and_the_other_tables_kept() -> None:
    from comfyframe.snapshot._capture import HISTORY_PAGE, MAX_HISTORY_PAGES, MAX_HISTORY_PROMPTS

    asked: list[int] = []
    with FaultServer(faults={"/history": endless_history(asked)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    assert len(asked) <= MAX_HISTORY_PAGES and len(found.snapshot.history) == MAX_HISTORY_PROMPTS
    assert MAX_HISTORY_PROMPTS <= MAX_HISTORY_PAGES * HISTORY_PAGE
    assert any("/history was cut short" in m and "20,000 prompts" in m for m in messages), messages
    assert len(found.models) == 3 and not found.hardware.empty and "CheckpointLoaderSimple" in set(found.nodes["node"])
    assert found.models.set_index("name").loc["sd_xl_base_1.0.safetensors", "use_count"] == MAX_HISTORY_PROMPTS


def test_endless_history_memory_is_bounded() -> None:
    """Before the cap: 1,973 pages and 5.8 GB, then the deadline and no tables. Now 20 pages at most."""
    asked: list[int] = []
    base = baseline_mb()
    with FaultServer(faults={"/history": endless_history(asked)}) as server:
        result = measured(
            "with warnings.catch_warnings():\n"
            "    warnings.simplefilter('ignore')\n"
            f"    found = cf.discover({server.url!r}, progress=False, timeout=30)\n"
            "result = {'prompts': len(found.snapshot.history), 'models': len(found.models)}\n"
        )
    assert result["prompts"] == 20_000 and result["models"] == 3 and len(asked) <= 20
    assert result["rss_mb"] - base < 150, (result["rss_mb"], base)


def _assets_transport(pages: Any) -> Any:
    import httpx
    from test_client import comfy_handler

    overrides = {
        "/history": lambda r: httpx.Response(200, json={}),
        "/queue": lambda r: httpx.Response(200, json={"queue_running": [], "queue_pending": []}),
        "/api/assets": pages,
    }
    return httpx.MockTransport(comfy_handler(overrides))


def _record(i: int) -> dict[str, Any]:
    return {"id": str(i), "name": f"m{i}.safetensors", "size": 1000, "tags": ["models", "checkpoints"]}


@pytest.mark.parametrize(
    ("page", "note"),
    [
        # a cursor that comes back: the same page again and again
        (lambda n, req: {"assets": [_record(n)], "has_more": True, "next_cursor": "same"}, "repeated an earlier cursor"),
        # offsets ignored: the same records again
        (lambda n, req: {"assets": [_record(0), _record(1)], "has_more": True}, "repeated records already seen"),
        # new records forever: the page cap
        (lambda n, req: {"assets": [_record(n * 10 + i) for i in range(10)], "has_more": True,
                         "next_cursor": f"c{n}"}, "still more after 200 pages"),
    ],
)
def test_assets_paging_that_never_ends_stops_loudly(page: Any, note: str) -> None:
    import httpx

    calls: list[int] = []

    def pages(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json=page(len(calls), request))

    found, messages = caught_warnings(
        lambda: cf.discover("http://gpu-box:8188", transport=_assets_transport(pages), progress=False))
    from comfyframe.snapshot._assets import MAX_PAGES

    assert len(calls) <= MAX_PAGES
    assert any("/api/assets was cut short" in m and note in m for m in messages), messages
    assert found.snapshot.assets and not found.models.empty


def test_assets_record_cap_and_string_has_more() -> None:
    import httpx

    from comfyframe.snapshot import _assets

    calls: list[int] = []

    def huge(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        start = 500 * (len(calls) - 1)
        return httpx.Response(200, json={"assets": [_record(start + i) for i in range(500)], "has_more": True,
                                         "next_cursor": f"c{len(calls)}"})

    found, messages = caught_warnings(
        lambda: cf.discover("http://gpu-box:8188", transport=_assets_transport(huge), progress=False))
    assert len(found.snapshot.assets or []) == _assets.MAX_RECORDS and len(calls) == _assets.MAX_RECORDS // 500
    assert any("more than 100,000 asset records" in m for m in messages)

    calls.clear()

    def false_text(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json={"assets": [_record(len(calls))], "has_more": "false",
                                         "next_cursor": f"c{len(calls)}"})

    found, messages = caught_warnings(
        lambda: cf.discover("http://gpu-box:8188", transport=_assets_transport(false_text), progress=False))
    assert len(calls) == 1 and not any("cut short" in m for m in messages)


# -- 4: a snapshot that inflates hugely -----------------------------------------------------------
def test_snapshot_bomb_is_refused_on_every_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fault_server import zeros_gzip

    from comfyframe._cli import main

    bomb = tmp_path / "crafted.json.gz"
    bomb.write_bytes(zeros_gzip(2 << 30))  # about 2 MB on disk, 2 GiB inflated
    assert bomb.stat().st_size < 3 << 20
    with pytest.raises(cf.SnapshotError, match="inflates to more than"):
        cf.discover(snapshot=bomb, progress=False)
    good = cf.discover(demo=True).save(tmp_path / "good.json.gz")
    for argv in (["discover", "--snapshot", str(bomb)], ["diff", str(bomb), str(good)],
                 ["snapshot", "http://127.0.0.1:1", "--previous", str(bomb), "-o", str(tmp_path / "x.json"), "-q"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "comfyframe: error:" in err and "inflates to more than" in err and "Traceback" not in err, err


def test_snapshot_bomb_memory_is_bounded(tmp_path: Path) -> None:
    from fault_server import zeros_gzip

    bomb = tmp_path / "crafted.json.gz"
    bomb.write_bytes(zeros_gzip(2 << 30))
    base = measured("import comfyframe._discovery\nresult = {}")["rss_mb"]
    result = measured(
        f"try:\n    cf.discover(snapshot={str(bomb)!r})\nexcept cf.SnapshotError as exc:\n    message = str(exc)\n"
        "result = {'message': message}\n"
    )
    assert "inflates to more than 202 MiB" in result["message"]  # 100 x its 2.02 MB
    assert result["rss_mb"] - base < 300, (result["rss_mb"], base)  # before: a MemoryError past 2 GiB


def test_honest_and_truncated_gzip_snapshots(tmp_path: Path) -> None:
    found = cf.discover(demo=True)
    path = found.save(tmp_path / "s.json.gz")
    assert len(cf.discover(snapshot=path).models) == len(found.models)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(cf.SnapshotError, match="damaged gzip"):
        cf.discover(snapshot=path)


# -- 11: passwords with '#', '?', '/' and mistyped schemes ---------------------------------------------
SECRET_URLS = [
    "http://alice:pa#S3CRET@{host}",
    "http://alice:pa/S3CRET@{host}",
    "http://alice:pa?S3CRET@{host}",
    "http://alice:1234#S3CRET@{host}",  # the start of the password would pass for a port
    "http:/alice:S3CRET@{host}",
    "http//alice:S3CRET@{host}",
    "https//alice:S3CRET@{host}",
    "http:\\\\alice:S3CRET@{host}",
    "ftp://alice:S3CRET@{host}/?token=S3CRET",
]


def _no_secret(text: str) -> None:
    assert "S3CRET" not in text and "alice" not in text and "1234" not in text, text


@pytest.mark.parametrize("template", SECRET_URLS)
def test_url_passwords_are_never_shown_in_errors(template: str, capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    url = template.format(host="127.0.0.1:8188")
    with pytest.raises(cf.ComfyFrameError) as info:
        cf.discover(url, progress=False)
    _no_secret(str(info.value))
    assert main(["discover", url, "-q"]) == 2
    err = capsys.readouterr().err
    assert "comfyframe: error:" in err
    _no_secret(err)


@pytest.mark.parametrize("template", SECRET_URLS)
def test_url_passwords_are_never_shown_by_a_fleet(template: str, tmp_path: Path) -> None:
    with FaultServer() as good:
        bad = template.format(host=good.url.split("://")[1])
        found, messages = caught_warnings(lambda: cf.discover([good.url, bad], **QUICK))
        assert len(found.failed) == 1 and set(found.models["server"]) == {good.url}
        path = found.save(tmp_path / "fleet.json")
        shown = [*messages, found.servers.to_string(), found._repr_html_(), found.status(), repr(found),
                 path.read_text()]
    for text in shown:
        _no_secret(text)


def test_bare_query_keys_are_secrets_too(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from fault_server import status

    from comfyframe._cli import main

    with FaultServer() as server, caplog.at_level(logging.INFO, logger="comfyframe.http"):
        cf.discover(server.url + "/?S3CRET&token=T0KEN", **QUICK)
        assert all("S3CRET" in s.target for s in server.seen)  # sent with every request
    assert "HTTP Request" in caplog.text and "S3CRET" not in caplog.text and "T0KEN" not in caplog.text
    with FaultServer(faults={"/object_info": status(500)}) as server:
        assert main(["discover", server.url + "/?S3CRET", "-q", "--timeout", "5"]) == 2
    assert "S3CRET" not in capsys.readouterr().err


def test_redaction_rules() -> None:
    from comfyframe.http._urls import redact_url, strip_secrets

    assert redact_url("http://alice:pa#S3CRET@h:8188/x?k=v&bare") == "http://***@h:8188/x?k=***&***"
    assert redact_url("alice:S3CRET@h") == "***@h"
    assert redact_url("http://h:8188") == "http://h:8188"
    assert strip_secrets("to http://a:b/c?d@h:1 (refused)") == "to http://***@h:1 (refused)"


# -- 12, 15: CSV and terminal output of best and diff -----------------------------------------------
HOSTILE = ["\r=1+1 sd_xl_base_1.0.safetensors", "\x1b[2J\x1b]0;pwn\x07sd_xl_base_1.0_b.safetensors",
           "+cmd|' /C calc'!A0 sd_xl_turbo.safetensors", "\ufeff\u2028\U000e0041\u00adsd_xl_x.safetensors"]


def _assert_safe_csv(out: str) -> None:
    import csv
    import io

    assert "\x1b" not in out and "\x07" not in out and "\ufeff" not in out and "\u2028" not in out
    assert "\U000e0041" not in out and "\u00ad" not in out
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) > 1
    for line in out.splitlines()[1:]:
        assert line[:1] in ('"', "") or line[:1].isdigit() or line[:1] == "-", line  # text is quoted
    for row in rows[1:]:
        for cell in row:
            assert not cell.lstrip("\r\n\t ").startswith(("=", "+", "@")), row
            assert "\r" not in cell and "\n" not in cell


def test_best_csv_is_spreadsheet_and_terminal_safe(capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    with FaultServer(folders={"checkpoints": HOSTILE, "vae": ["ae.safetensors"]}) as server:
        assert main(["best", "text_to_image", server.url, "-q", "--format", "csv", "--all", "--max-vram", "80"]) == 0
        out = capsys.readouterr().out
        _assert_safe_csv(out)
        assert "\\x1b" in out and "=1+1" in out  # shown, as visible escapes and neutralised text
        assert main(["best", "text_to_image", server.url, "-q", "--format", "json", "--all", "--max-vram", "80"]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\ufeff" not in out and "\\u001b" in out
        assert any("\x1b[2J" in r["generator"] for r in json.loads(out))  # the same data, escaped as JSON


def test_diff_csv_is_spreadsheet_and_terminal_safe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    with FaultServer() as server:
        before = cf.capture(server.url, **QUICK).save(tmp_path / "a.json")
        server.folders = {"checkpoints": HOSTILE, "vae": ["ae.safetensors"]}
        after = cf.capture(server.url, **QUICK).save(tmp_path / "b.json")
    assert main(["diff", str(before), str(after), "--format", "csv"]) == 0
    _assert_safe_csv(capsys.readouterr().out)
    assert main(["diff", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\ufeff" not in out and "\u2028" not in out and "\\x1b" in out


def test_every_format_and_separator_character_is_escaped() -> None:
    import unicodedata

    from comfyframe.support._safe_text import for_terminal

    invisible = [chr(c) for c in range(0x110000)
                 if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp", "Cs")]
    shown = for_terminal("".join(invisible))
    assert shown.isascii() and shown.isprintable()
    assert for_terminal("caf\u00e9 \u4e2d\u6587 \U0001f600") == "caf\u00e9 \u4e2d\u6587 \U0001f600"  # visible text kept


# -- 13: links in export folders ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_replaces_a_link_instead_of_writing_through_it(tmp_path: Path, fmt: str) -> None:
    from comfyframe._cli import main

    pytest.importorskip("pyarrow")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / f"models.{fmt}").symlink_to(victim)
    assert main(["export", "--demo", "--out", str(out), "--format", fmt]) == 0
    assert victim.read_text() == "precious"
    assert not (out / f"models.{fmt}").is_symlink() and (out / f"models.{fmt}").stat().st_size > 1000
    assert not list(out.glob(".*.tmp"))  # no temporary file left behind
    assert len(cf.read_export(out)["models"]) == len(cf.discover(demo=True).models)


@pytest.mark.parametrize("name", ["snap.json", "snap.json.gz"])
def test_snapshot_save_replaces_a_link_instead_of_writing_through_it(tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / name).symlink_to(victim)
    found = cf.discover(demo=True)
    path = found.save(tmp_path / name)
    assert victim.read_text() == "precious" and not path.is_symlink()
    assert len(cf.discover(snapshot=path).models) == len(found.models)


def test_partitioned_export_replaces_a_linked_table_folder(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "models").symlink_to(victim, target_is_directory=True)
    cf.discover(demo=True).export(out, "parquet", partition_by="server")
    assert (victim / "keep.txt").read_text() == "precious" and sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    assert not (out / "models").is_symlink()


@pytest.mark.parametrize("where", ["loop", "outside", "table", "file"])
def test_read_export_does_not_follow_links(tmp_path: Path, where: str) -> None:
    import time

    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    cf.discover(demo=True).export(out, "parquet", partition_by="server")
    partition = next((out / "models").iterdir())
    if where == "loop":
        (partition / "a").symlink_to(".", target_is_directory=True)
        (partition / "b").symlink_to(".", target_is_directory=True)
    elif where == "outside":
        (out / "models" / "server=x").symlink_to("/usr/lib", target_is_directory=True)
    elif where == "table":
        real = tmp_path / "elsewhere"
        (out / "models").rename(real)
        (out / "models").symlink_to(real, target_is_directory=True)
    else:
        part = next(partition.glob("*.parquet"))
        moved = tmp_path / "moved.parquet"
        part.rename(moved)
        part.symlink_to(moved)
    started = time.monotonic()
    with pytest.raises(cf.ComfyFrameError, match="symbolic link"):
        cf.read_export(out)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("column", "value"),
    [("size_bytes", "1e300"), ("size_bytes", "1e400"), ("size_bytes", "-1e400"), ("orphan", "maybe"),
     ("modified", "99999-99-99")],
)
def test_read_export_of_wrong_values_is_a_comfyframe_error(tmp_path: Path, column: str, value: str) -> None:
    import csv

    out = tmp_path / "out"
    cf.discover(demo=True).export(out, "csv")
    path = out / "models.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    if column not in rows[0]:
        pytest.skip(f"no {column} column")
    rows[1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(cf.ComfyFrameError, match="Cannot read models"):
        cf.read_export(out)


def test_read_export_of_wrong_typed_parquet_is_a_comfyframe_error(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    cf.discover(demo=True).export(out, "parquet")
    models = pd.read_parquet(out / "models.parquet")
    models["size_bytes"] = 1e300
    models["orphan"] = "true"
    models.to_parquet(out / "models.parquet")
    with pytest.raises(cf.ComfyFrameError, match="Cannot read models"):
        cf.read_export(out)


# -- 6: the deadline keeps what was captured ----------------------------------------------------------
LORAS = [f"lora_{i:03d}.safetensors" for i in range(400)]


def test_deadline_keeps_every_answered_table_and_names_what_is_missing(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """400 LoRAs whose /view_metadata hangs: export at the deadline, with the tables that answered."""
    import time

    from fault_server import hang

    from comfyframe._cli import main

    folders = {"checkpoints": ["sd_xl_base_1.0.safetensors"], "loras": LORAS}
    with FaultServer(folders=folders, faults={"/view_metadata/loras": hang(60)}) as server:
        started = time.monotonic()
        code = main(["export", server.url, "-q", "--timeout", "2", "--deadline", "5", "--out", str(tmp_path / "o")])
        took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 0 and took < 12, (code, took, err)
    assert "deadline of 5 s" in err and "/view_metadata/loras" in err and "unanswered" in err
    models = cf.read_export(tmp_path / "o")["models"]
    assert set(LORAS) <= set(models["name"]) and len(models) == 402


def test_a_fleet_member_at_its_deadline_keeps_its_partial_tables() -> None:
    from fault_server import hang

    with FaultServer(folders={"loras": LORAS[:50]}, faults={"/view_metadata/loras": hang(60)}) as slow, \
            FaultServer() as fast:
        found, messages = caught_warnings(
            lambda: cf.discover([slow.url, fast.url], progress=False, timeout=2, deadline=4))
    assert not found.failed and set(found.models["server"]) == {slow.url, fast.url}
    assert (found.models["server"] == slow.url).sum() == 51, messages  # 50 LoRAs and the VAE
    assert any(slow.url in m and "deadline" in m for m in messages), messages


# -- 7, 9: numbers and dates out of range --------------------------------------------------------------
def _impossible_files() -> dict[str, Any]:
    from fault_server import json_body

    details = [{"name": "sd_xl_base_1.0.safetensors", "pathIndex": 0, "modified": 1.7e9, "size": 2 ** 63},
               {"name": "v1-5-pruned-emaonly.ckpt", "pathIndex": 0, "modified": 1e20, "size": -5}]
    assets = [{"id": str(i), "name": name, "size": size, "tags": ["models", folder], "updated_at": date}
              for i, (name, folder, size, date) in enumerate([
                  ("sd_xl_base_1.0.safetensors", "checkpoints", 2 ** 63, "9999-12-31T00:00:00Z"),
                  ("v1-5-pruned-emaonly.ckpt", "checkpoints", 2 ** 64, "0001-01-01T00:00:00"),
                  ("ae.safetensors", "vae", 2 ** 70, "2262-04-12T00:00:00"),
              ])]
    return {"/experiment/models/checkpoints": json_body(details),
            "/api/assets": json_body({"assets": assets, "total": 3, "has_more": False})}


def test_out_of_range_sizes_and_dates_are_nan_with_a_warning_and_the_fleet_is_unaffected(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    with FaultServer(faults=_impossible_files()) as bad, FaultServer() as good:
        found, messages = caught_warnings(lambda: cf.discover([bad.url, good.url], **QUICK))
        assert main(["export", bad.url, good.url, "-q", "--out", str(tmp_path / "o")]) == 0
        assert main(["discover", bad.url, "-q"]) == 0
    out = capsys.readouterr()
    assert "-0.0" not in out.out
    models = found.models.set_index(["server", "name"])
    ours = models.loc[bad.url].loc[["sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.ckpt"]]
    assert ours["size_bytes"].isna().all()  # the assets' values are no better
    assert ours["modified"].isna().tolist() == [False, True]
    assert models.loc[(bad.url, "ae.safetensors"), "size_bytes"] == 1000  # /experiment/models' own value kept
    assert models.loc[(good.url, "sd_xl_base_1.0.safetensors"), "size_bytes"] == 1000
    assert any("/experiment/models gives 2 file(s)" in m for m in messages), messages
    assert any("/api/assets gives 3 record(s)" in m for m in messages), messages
    exported = cf.read_export(tmp_path / "o")["models"]
    assert set(exported["server"]) == {bad.url, good.url}


@pytest.mark.parametrize(
    ("route", "value", "note"),
    [("/system_stats", 5, "/system_stats failed"), ("/models", "checkpoints", "/models failed"),
     ("/models/checkpoints", {"a": 1}, "could not list folder(s) checkpoints"),
     ("/history", [1], "/history failed")],
)
def test_wrong_kinds_in_a_crafted_snapshot_are_reported(tmp_path: Path, route: str, value: object, note: str) -> None:
    with FaultServer() as server:
        data = cf.capture(server.url, **QUICK).to_dict()
    data["responses"][route] = value
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(data))
    found, messages = caught_warnings(lambda: cf.discover(snapshot=path))
    assert any(note in m for m in messages), messages
    assert found.snapshot.failures[route]["error"] == "UnexpectedPayload"
    assert "CheckpointLoaderSimple" in set(found.nodes["node"])


@pytest.mark.parametrize("url", [None, 5, ""])
def test_a_snapshot_without_a_url_is_damaged(tmp_path: Path, url: object) -> None:
    found = cf.discover(demo=True)
    data = found.snapshot.to_dict() | {"url": url}
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(data))
    with pytest.raises(cf.SnapshotError, match="'url'"):
        cf.discover(snapshot=path)


def test_listing_entries_that_are_not_names_are_dropped_with_a_warning() -> None:
    from fault_server import json_body

    odd = ["sd_xl_base_1.0.safetensors", 1, None, {"a": 1}, True]
    with FaultServer(faults={"/models/checkpoints": json_body(odd), "/embeddings": json_body(["e.pt", 7])}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    names = set(found.models["name"])
    assert "sd_xl_base_1.0.safetensors" in names and not {"1", "None", "True", "{'a': 1}"} & names
    assert any("/models/checkpoints lists 4 entr(ies) that are not names" in m for m in messages), messages
    assert any("/embeddings lists 1 entr(ies)" in m for m in messages), messages


def test_negative_sizes_are_nan_not_minus_zero(capsys: pytest.CaptureFixture[str]) -> None:
    from fault_server import json_body

    from comfyframe._cli import main

    details = [{"name": n, "pathIndex": 0, "modified": 1.7e9, "size": -5}
               for n in ("sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.ckpt")]
    with FaultServer(faults={"/experiment/models/checkpoints": json_body(details)}) as server:
        assert main(["discover", server.url, "-q"]) == 0
    out = capsys.readouterr()
    assert "-0.0" not in out.out and "/experiment/models gives 2 file(s)" in out.err


# -- 10: silent partial data ------------------------------------------------------------------------
@pytest.mark.parametrize("route", ["/api/assets", "/queue"])
@pytest.mark.parametrize("fault", ["500", "malformed", "timeout"])
def test_failing_assets_and_queue_are_warned_about(route: str, fault: str) -> None:
    from fault_server import hang, raw, status

    behaviour = {"500": status(500), "malformed": raw(b'{"assets": [', "application/json"), "timeout": hang(10)}[fault]
    with FaultServer(faults={route: behaviour}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, progress=False, timeout=2, retries=0))
    assert route in found.snapshot.failures
    assert any(f"{route} failed" in m for m in messages), messages
    assert len(found.models) == 3


# -- 8: raw surrogate bytes in a snapshot --------------------------------------------------------------
def test_raw_surrogate_bytes_in_a_snapshot_are_scrubbed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    with FaultServer() as server:
        data = cf.capture(server.url, **QUICK).to_dict()
    data["responses"]["/models/checkpoints"].append("caf\udce9.safetensors")
    text = json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert b"\xed\xb3\xa9" in text  # the surrogate as raw bytes, not as a \u escape
    for name in ("raw.json", "raw.json.gz"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
        assert main(["export", "--snapshot", str(path), "--out", str(tmp_path / name[:-5])]) == 0
        assert "caf\\xe9.safetensors" in (tmp_path / name[:-5] / "models.csv").read_text(encoding="utf-8")
    assert main(["diff", str(tmp_path / "raw.json"), str(tmp_path / "raw.json.gz"), "--format", "csv"]) == 0
    assert "surrogates" not in capsys.readouterr().err


# -- 17: $COMFYUI_HEADERS ---------------------------------------------------------------------------
def test_environment_headers_split_on_lines_only(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    monkeypatch.setenv("COMFYUI_HEADERS", "Cookie: a=1; b=2\r\nX-Api-Key: abc;de/f:rest\n\nX-Team: render")
    with FaultServer() as server:
        assert main(["discover", server.url, "-q"]) == 0
        headers = server.seen[0].headers
    assert (headers["cookie"], headers["x-api-key"], headers["x-team"]) == ("a=1; b=2", "abc;de/f:rest", "render")
    for broken in ("X-Api-Key abc;de/f:rest", "X-Api-Key: ok\nabc;de/f:rest"):
        monkeypatch.setenv("COMFYUI_HEADERS", broken)
        assert main(["discover", "http://127.0.0.1:1", "-q"]) == 2
        err = capsys.readouterr().err
        assert "$COMFYUI_HEADERS line" in err and "abc" not in err and "de/f" not in err and "rest" not in err, err


# -- 5: deep nesting ------------------------------------------------------------------------------------
@pytest.mark.parametrize("surrogate", [False, True])
def test_deeply_nested_answers_are_refused_at_parse_time(tmp_path: Path, surrogate: bool) -> None:
    from fault_server import raw

    deep = b"[" * 990 + (b'"caf\\udce9"' if surrogate else b"1") + b"]" * 990  # the second one parses with json
    body = b'{"__metadata__": {"x": ' + deep + b"}}"
    with FaultServer(faults={"/view_metadata/checkpoints": raw(body)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
        path = found.save(tmp_path / "s.json")  # before: RecursionError here
    failure = found.snapshot.failures["/view_metadata/checkpoints?filename=sd_xl_base_1.0.safetensors"]
    assert "nested more than 255 levels" in failure["message"]
    assert any("safetensors metadata" in m for m in messages) and len(found.models) == 3
    assert len(cf.discover(snapshot=path).models) == 3


def test_ordinary_nesting_is_accepted() -> None:
    from comfyframe.http._bodies import decode_json

    body = json.dumps({"a": [[[{"b": list(range(300))}]]]}).encode()
    assert decode_json(body, "u", "application/json")["a"][0][0][0]["b"][-1] == 299
    assert decode_json(b"[" * 255 + b"]" * 255, "u", "application/json") is not None
    with pytest.raises(cf.UnexpectedPayload, match="nested"):
        decode_json(b"[" * 256 + b"]" * 256, "u", "application/json")


# -- 14: long server URLs as partition folders ---------------------------------------------------------------
def test_a_300_character_server_url_partitions_into_a_bounded_folder(tmp_path: Path) -> None:
    import pandas.testing as pdt

    from comfyframe.views._export import export_tables

    pytest.importorskip("pyarrow")
    models = cf.discover(demo=True).models
    long_url = "http://gpu-box.example:8188/" + "proxy-prefix/" * 21 + "end"
    assert len(long_url) >= 300
    half = len(models) // 2  # servers' rows are contiguous, as in a fleet's tables
    models = models.assign(server=models["server"].where(models.index < half, long_url).astype(models["server"].dtype))
    export_tables({"models": models}, tmp_path / "out", "parquet", partition_by="server")
    folders = [p.name for p in (tmp_path / "out" / "models").iterdir()]
    assert len(folders) == 2 and all(len(name.encode()) <= 255 for name in folders)
    assert any(name.startswith("server=http%3A%2F%2Fgpu-box.example%3A8188") for name in folders)
    back = cf.read_export(tmp_path / "out")["models"]
    pdt.assert_frame_equal(back, models)  # the full URL comes back, rows in their order


# -- 16: proxies -----------------------------------------------------------------------------------------
def _clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize(
    ("no_proxy", "bypassed"),
    # as httpx decides (its NO_PROXY patterns match an IPv6 host by the same spelling, without brackets)
    [("::1", {"http://[::1]:8188"}), ("localhost,::1", {"http://[::1]:8188", "http://localhost:8188"}),
     ("*", {"http://[::1]:8188", "http://127.0.0.1:8188", "http://gpu:8188", "http://localhost:8188"}),
     ("::2", set()), ("", set()), ("127.0.0.1", {"http://127.0.0.1:8188"})],
)
def test_no_proxy_for_ipv6_literals_matches_httpx(monkeypatch: pytest.MonkeyPatch, no_proxy: str,
                                                   bypassed: set[str]) -> None:
    from comfyframe.http._transport import environment_proxy

    _clean_proxy_env(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    for url in ("http://[::1]:8188", "http://127.0.0.1:8188", "http://gpu:8188", "http://localhost:8188"):
        assert (environment_proxy(url) is None) == (url in bypassed), (url, no_proxy)


def test_a_proxy_that_is_down_is_named_not_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from fault_server import dead_url

    _clean_proxy_env(monkeypatch)
    proxy = dead_url()
    monkeypatch.setenv("HTTP_PROXY", proxy)
    with pytest.raises(cf.ServerUnreachable) as info:
        cf.discover("http://comfy.invalid:8188", progress=False, timeout=5, retries=0)
    message = str(info.value)
    assert proxy in message and "NO_PROXY" in message and "--listen" not in message


# -- 18: fleet URLs that differ only in query or userinfo ---------------------------------------------------
def test_fleet_urls_that_are_one_server_are_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    with FaultServer() as server:
        urls = [server.url + "/?node=gpu1", server.url + "/?node=gpu2",
                server.url.replace("http://", "http://bob:x@")]
        found, messages = caught_warnings(lambda: cf.discover(urls, **QUICK))
        assert main(["discover", *urls, "-q"]) == 0
    assert len(found.snapshots) == 1 and found.url == server.url
    assert any("given 3 times" in m and "only the first" in m for m in messages), messages
    err = capsys.readouterr().err
    assert "given 3 times" in err and "gpu" not in err and "bob" not in err
    assert {s.target.rsplit("?", 1)[-1] for s in server.seen if "?" in s.target} >= {"node=gpu1"}
    assert not any("node=gpu2" in s.target for s in server.seen)


# -- 19: --previous from another server -------------------------------------------------------------------
def test_previous_from_another_server_is_warned_about(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    with FaultServer() as server:
        old = cf.capture(server.url, **QUICK).save(tmp_path / "old.json")
        spelled = server.url.replace("127.0.0.1", "localhost")
        found, messages = caught_warnings(lambda: cf.discover(spelled, previous=old, **QUICK))
        assert main(["snapshot", spelled, "--previous", str(old), "-o", str(tmp_path / "new.json"), "-q"]) == 0
        same, quiet = caught_warnings(lambda: cf.discover(server.url, previous=old, **QUICK))
    assert any(f"snapshot of {server.url}, not of {spelled}" in m for m in messages), messages
    assert f"snapshot of {server.url}, not of {spelled}" in capsys.readouterr().err
    assert not any("previous" in m for m in quiet) and same.snapshot.carried


def test_diff_of_a_mistyped_url_does_not_show_its_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    good = cf.discover(demo=True).save(tmp_path / "good.json")
    for side in ("http:/alice:S3CRET@127.0.0.1:1", "http//alice:S3CRET@h", "alice:S3CRET@127.0.0.1:1"):
        assert main(["diff", side, str(good), "--timeout", "2"]) == 2
        _no_secret(capsys.readouterr().err)


def test_unused_and_best_tables_escape_invisible_characters(capsys: pytest.CaptureFixture[str]) -> None:
    from comfyframe._cli import main

    with FaultServer(folders={"checkpoints": HOSTILE, "vae": ["ae.safetensors"]}) as server:
        assert main(["unused", server.url, "-q"]) == 0
        assert main(["best", "text_to_image", server.url, "-q", "--all", "--max-vram", "80"]) == 0
    out = capsys.readouterr().out
    for char in ("\x1b", "\x07", "\ufeff", "\u2028", "\U000e0041", "\u00ad", "\r"):
        assert char not in out
    assert "\\ufeff" in out and "\\u2028" in out


# -- a real ComfyUI that compresses its answers ---------------------------------------------------------------
@pytest.mark.live
def test_a_compressing_comfyui_gives_the_same_tables(comfyui: Any, tmp_path: Path) -> None:
    """``--enable-compress-response-body``: the hand-made decoding reads what aiohttp compresses."""
    import httpx
    import pandas.testing as pdt
    from comfyui_server import build_model_tree, ensure_comfyui, start_comfyui

    python, comfy_dir = ensure_comfyui(comfyui.version)
    build_model_tree(tmp_path)
    handle = start_comfyui(tmp_path, extra_args=["--enable-compress-response-body"], python=python,
                           comfy_dir=comfy_dir)
    try:
        answer = httpx.get(handle.url + "/object_info", headers={"Accept-Encoding": "gzip, deflate"}, timeout=60)
        assert answer.headers.get("content-encoding") in ("gzip", "deflate")  # the server really compresses
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cf.DegradedServerWarning)
            compressed = cf.discover(handle.url, progress=False)
            plain = cf.discover(comfyui.url, progress=False)
    finally:
        handle.stop()
    for name in ("nodes", "models"):
        ours, theirs = getattr(compressed, name).drop(columns="server"), getattr(plain, name).drop(columns="server")
        pdt.assert_frame_equal(ours.drop(columns=["modified"], errors="ignore"),
                               theirs.drop(columns=["modified"], errors="ignore"))
