"""Fault injection against a loopback look-alike server: what the user sees, what is kept, how long it takes."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from fault_server import (
    FaultServer,
    counted,
    dead_url,
    gzip_bomb,
    hang,
    json_body,
    object_info,
    raw,
    redirect,
    reset_mid_body,
    self_signed,
    send,
    status,
    trickle,
)

import comfyframe as cf
from comfyframe._cli import main

QUICK = {"progress": False, "timeout": 5.0}


def caught_warnings(run):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    return result, [str(w.message) for w in caught if issubclass(w.category, cf.DegradedServerWarning)]


# -- credentials -------------------------------------------------------------
def test_userinfo_becomes_basic_auth_and_is_never_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FaultServer() as server:
        url = server.url.replace("http://", "http://alice:s3cr%40t@")
        found = cf.discover(url, **QUICK)
        assert {s.headers.get("authorization") for s in server.seen} == {"Basic YWxpY2U6czNjckB0"}  # alice:s3cr@t
        assert found.url == server.url
        assert set(found.models["server"]) == {server.url}
        shown = repr(found) + found._repr_html_() + found.status() + repr(found.snapshot)
        found.save(tmp_path / "snap.json")
        assert main(["export", url, "-q", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr()
    saved = (tmp_path / "snap.json").read_text() + "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    for text in (shown, saved, out.out, out.err):
        assert "s3cr" not in text and "alice" not in text


def test_query_token_is_sent_on_every_request_but_never_shown(capsys: pytest.CaptureFixture[str]) -> None:
    with FaultServer(faults={"/object_info": status(500)}) as server:
        assert main(["discover", server.url + "/?token=hunter2", "-q", "--timeout", "5"]) == 2
        assert all(s.target.endswith("?token=hunter2") or "&token=hunter2" in s.target or "token=hunter2&" in s.target
                   for s in server.seen)
        assert "/object_info" in server.paths() and all("hunter2" not in p for p in server.paths())
    err = capsys.readouterr().err
    assert "HTTP 500" in err and "hunter2" not in err


@pytest.mark.parametrize(("value", "why"), [("Zq9xk\n", "line break"), ("Zqø9", "non-ASCII")])
def test_bad_header_value_names_the_header_not_the_value(value: str, why: str) -> None:
    with pytest.raises(cf.ComfyFrameError, match=why) as info:
        cf.discover("http://127.0.0.1:1", headers={"X-API-Key": value}, progress=False)
    assert "X-API-Key" in str(info.value) and "Zq" not in str(info.value)


def test_cli_header_and_environment_headers_are_sent(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COMFYUI_HEADERS", "X-Team: render\nX-Env: prod")
    with FaultServer() as server:
        assert main(["discover", server.url, "-q", "-H", "X-API-Key: k1"]) == 0
        headers = server.seen[0].headers
    assert (headers["x-api-key"], headers["x-team"], headers["x-env"]) == ("k1", "render", "prod")
    monkeypatch.setenv("COMFYUI_HEADERS", "")
    assert main(["discover", server.url, "-q", "-H", "X-API-Key: tøk"]) == 2
    err = capsys.readouterr().err
    assert "comfyframe: error: Header X-API-Key" in err and "tøk" not in err


# -- redirects -----------------------------------------------------------------
def test_cross_origin_redirect_is_refused_and_sends_nothing_there() -> None:
    with FaultServer() as elsewhere, FaultServer() as server:
        server.faults["/object_info"] = redirect(elsewhere.url + "/object_info")
        with pytest.raises(cf.ServerHTTPError, match="redirected to another origin") as info:
            cf.discover(server.url, headers={"X-API-Key": "k"}, **QUICK)
        assert elsewhere.url.replace("http://", "http://") in str(info.value)
        assert elsewhere.seen == []


def test_same_origin_redirect_is_followed() -> None:
    with FaultServer() as server:
        server.faults["/object_info"] = redirect("/api/object_info")
        server.faults["/api/object_info"] = json_body(object_info(["sd_xl_base_1.0.safetensors"]))
        found = cf.discover(server.url, headers={"X-API-Key": "k"}, **QUICK)
    assert "CheckpointLoaderSimple" in set(found.nodes["node"])
    followed = [s for s in server.seen if s.path == "/api/object_info"]
    assert len(followed) == 1 and followed[0].headers.get("x-api-key") == "k"


def test_a_proxys_session_cookie_is_sent_back_to_the_same_server() -> None:
    def login(handler: Any) -> None:
        send(handler, 302, b"", "text/plain", {"Location": "/api/object_info", "Set-Cookie": "session=s3; Path=/"})

    def needs_cookie(handler: Any) -> None:
        if "session=s3" in (handler.headers.get("Cookie") or ""):
            json_body(object_info(["sd_xl_base_1.0.safetensors"]))(handler)
        else:
            status(403)(handler)

    with FaultServer() as server:
        server.faults["/object_info"] = login
        server.faults["/api/object_info"] = needs_cookie
        found = cf.discover(server.url, **QUICK)
    assert "CheckpointLoaderSimple" in set(found.nodes["node"])
    assert "session=s3" not in repr(found.snapshot.responses)  # the cookie is sent, never stored


# -- hostile names -------------------------------------------------------------
def test_hostile_folder_names_stay_one_segment_and_dots_are_refused() -> None:
    folders = {"checkpoints": ["a.safetensors"], "../../evil": ["x.safetensors"], "a/b": ["y.safetensors"],
               "..": ["z.safetensors"], ".": ["w.safetensors"]}
    with FaultServer(folders=folders) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url + "/", metadata=False, **QUICK))
        paths = server.paths()
    assert "/models/..%2F..%2Fevil" in paths and "/models/a%2Fb" in paths
    assert "/evil" not in paths and "/models/" not in paths and "/" not in paths
    assert not any(p.rstrip("/") in ("/models", "/experiment/models", "/view_metadata") for p in paths[1:] if p != "/models")
    assert {"../../evil", "a/b"} <= set(found.models["folder"])
    assert {"/models/..", "/models/."} <= set(found.snapshot.failures)
    assert any("could not list folder" in m for m in messages)


# -- deadlines -----------------------------------------------------------------
def test_trickling_server_is_bounded_by_the_timeout() -> None:
    with FaultServer(faults={"/object_info": trickle(b'{"a": {}}' * 100)}) as server:
        started = time.monotonic()
        with pytest.raises(cf.ServerTimeout, match="within 2 s"):
            cf.discover(server.url, progress=False, timeout=2)
        assert time.monotonic() - started < 6


def test_discovery_deadline_bounds_the_whole_run() -> None:
    with FaultServer(faults={"/object_info": hang(30)}) as server:
        started = time.monotonic()
        with pytest.raises(cf.ServerTimeout, match="deadline of 1.5 s"):
            cf.discover(server.url, progress=False, timeout=20, deadline=1.5)
        assert time.monotonic() - started < 5


def test_discovery_deadline_keeps_what_was_answered() -> None:
    with FaultServer(faults={"/embeddings": hang(30)}) as server:
        started = time.monotonic()
        found, messages = caught_warnings(lambda: cf.discover(server.url, progress=False, timeout=20, deadline=1.5))
        assert time.monotonic() - started < 5
    assert len(found.models) == 3 and not found.hardware.empty
    assert any("deadline of 1.5 s" in m and "/embeddings" in m for m in messages), messages


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf"])
def test_nonsense_timeouts_exit_2(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover", "http://127.0.0.1:1", "-q", "--timeout", bad]) == 2
    assert "timeout must be a positive number" in capsys.readouterr().err


def test_nonsense_python_options_are_value_errors() -> None:
    for bad in ({"timeout": 0}, {"timeout": float("nan")}, {"max_concurrency": 0}, {"deadline": -1}):
        with pytest.raises(ValueError, match="must be"):
            cf.ConnectOptions(**bad)  # type: ignore[arg-type]


def test_mistyped_scheme_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover", "htp:/x", "-q"]) == 2
    err = capsys.readouterr().err
    assert "mistyped 'http://'" in err and "Cannot connect" not in err


# -- fleets --------------------------------------------------------------------
def test_fleet_keeps_good_servers_and_reports_each_failure(tmp_path: Path) -> None:
    dead = dead_url()
    with FaultServer() as ok, FaultServer(faults={"/system_stats": hang(30), "/object_info": hang(30)}) as slow:
        started = time.monotonic()
        found, messages = caught_warnings(lambda: cf.discover([ok.url, dead, slow.url], progress=False, timeout=1))
        assert time.monotonic() - started < 8
    servers = found.servers
    assert list(servers["server"]) == [ok.url, dead, slow.url]
    assert list(servers["reachable"]) == [True, False, False]
    assert servers.loc[0, "comfyui_version"] == "0.3.75" and servers.loc[0, "requests"] >= 5
    assert "ServerUnreachable" in servers.loc[1, "error"] and "ServerTimeout" in servers.loc[2, "error"]
    assert set(found.models["server"]) == {ok.url} and len(found.models) == 3
    assert sum("not discovered" in m for m in messages) == 2
    # The fleet saves and loads back whole.
    path = found.save(tmp_path / "fleet.json.gz")
    again, _ = caught_warnings(lambda: cf.discover(snapshot=path))
    assert list(again.servers["server"]) == [ok.url, dead, slow.url]
    assert again.models.equals(found.models)


def test_fleet_of_two_good_servers_saves_both(tmp_path: Path) -> None:
    with FaultServer() as a, FaultServer(folders={"loras": ["l.safetensors"]}) as b:
        found = cf.discover([a.url, b.url], **QUICK)
    path = found.save(tmp_path / "fleet.json")
    again = cf.discover(snapshot=path)
    assert again.urls == [a.url, b.url] and len(again.models) == len(found.models)
    with pytest.raises(cf.SnapshotError, match="fleet file of 2 servers"):
        cf.Snapshot.load(path)


def test_fleet_where_everything_failed_raises_the_first_error() -> None:
    with pytest.raises(cf.ServerUnreachable, match="Cannot connect"):
        cf.discover([dead_url(), dead_url()], **QUICK)


def test_cli_fleet_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FaultServer() as ok:
        assert main(["export", ok.url, dead_url(), "-q", "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert "comfyframe: warning:" in err and "not discovered" in err
    assert main(["export", dead_url(), dead_url(), "-q", "--out", str(tmp_path / "b")]) == 2
    assert "comfyframe: error: Cannot connect" in capsys.readouterr().err


# -- HTTP status per route -------------------------------------------------------
@pytest.mark.parametrize("code", [401, 403])
def test_auth_statuses_name_both_ways_to_pass_credentials(code: int) -> None:
    with FaultServer(faults={"/object_info": status(code)}) as server:
        with pytest.raises(cf.ServerHTTPError, match=f"HTTP {code}") as info:
            cf.discover(server.url, **QUICK)
    assert "headers=" in str(info.value) and "-H" in str(info.value)


def test_a_web_server_that_is_not_comfyui_is_called_that(capsys: pytest.CaptureFixture[str]) -> None:
    with FaultServer(faults={"/object_info": status(404), "/system_stats": status(404)}) as server:
        assert main(["discover", server.url, "-q"]) == 2
    err = capsys.readouterr().err
    assert "does not look like a ComfyUI server" in err and "older than the feature" not in err


def test_html_answer_is_not_comfyui() -> None:
    page = raw(b"<html><body>Directory listing</body></html>", "text/html")
    with FaultServer(faults={"/object_info": page, "/system_stats": page}) as server:
        with pytest.raises(cf.UnexpectedPayload, match="text/html, not JSON: it does not look like a ComfyUI"):
            cf.discover(server.url, **QUICK)


def test_server_errors_are_retried_with_backoff_then_reported() -> None:
    calls: list[str] = []
    with FaultServer(faults={"/object_info": counted(status(500), calls)}) as server:
        with pytest.raises(cf.ServerHTTPError, match="HTTP 500"):
            cf.discover(server.url, **QUICK)
    assert len(calls) == 3  # one try and two retries (ConnectOptions.retries)


def test_a_passing_glitch_is_retried_away() -> None:
    calls: list[str] = []

    def flaky(handler):  # type: ignore[no-untyped-def]
        calls.append(handler.path)
        (status(503) if len(calls) == 1 else json_body(object_info(["sd_xl_base_1.0.safetensors"])))(handler)

    with FaultServer(faults={"/object_info": flaky}) as server:
        found = cf.discover(server.url, **QUICK)
    assert len(calls) == 2 and not found.nodes.empty


def test_client_errors_are_not_retried() -> None:
    calls: list[str] = []
    with FaultServer(faults={"/object_info": counted(status(401), calls)}) as server:
        with pytest.raises(cf.ServerHTTPError):
            cf.discover(server.url, **QUICK)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("route", "code", "note"),
    [("/embeddings", 500, "/embeddings failed"), ("/models", 403, "/models failed"),
     ("/system_stats", 404, "/system_stats failed"), ("/models/vae", 500, "could not list folder(s) vae"),
     ("/experiment/models/checkpoints", 404, "no file sizes")],
)
def test_optional_route_failures_keep_the_rest_and_warn(route: str, code: int, note: str) -> None:
    with FaultServer(faults={route: status(code)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    assert found.snapshot.failures[route]["status"] == code
    assert any(note in m for m in messages), messages
    assert "CheckpointLoaderSimple" in set(found.nodes["node"])


# -- bodies ----------------------------------------------------------------------
def test_reset_mid_body_is_not_called_cannot_connect() -> None:
    with FaultServer(faults={"/object_info": reset_mid_body()}) as server:
        with pytest.raises(cf.ServerDisconnected, match="closed the connection mid-answer") as info:
            cf.discover(server.url, **QUICK)
    assert "Cannot connect" not in str(info.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"", "empty answer"), (b'{"CheckpointLoaderSimple": {"inp', "not JSON"), (b"[1, 2]", "object of node classes")],
)
def test_malformed_object_info_is_a_clear_error(body: bytes, message: str) -> None:
    with FaultServer(faults={"/object_info": raw(body)}) as server:
        with pytest.raises(cf.UnexpectedPayload, match=message):
            cf.discover(server.url, **QUICK)


def test_surrogate_file_names_keep_their_rows_and_round_trip(tmp_path: Path) -> None:
    odd = "caf\udce9.safetensors"  # a Latin-1 name on a UTF-8 Linux box, as ComfyUI sends it
    shown = "caf\\xe9.safetensors"  # the same bytes, as a visible escape every encoder accepts
    with FaultServer(folders={"checkpoints": [odd, "ok.safetensors"]}) as server:
        found = cf.discover(server.url, metadata=False, **QUICK)
    assert {shown, "ok.safetensors"} <= set(found.models["name"])
    for name in ("s.json", "s.json.gz"):
        again = cf.discover(snapshot=found.save(tmp_path / name))
        assert shown in set(again.models["name"])
    written = found.export(tmp_path / "csv")
    assert any(shown in p.read_text(encoding="utf-8") for p in written)


def test_metadata_bomb_fails_only_that_route() -> None:
    with FaultServer(faults={"/view_metadata/checkpoints": gzip_bomb(64 << 20)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    failure = found.snapshot.failures["/view_metadata/checkpoints?filename=sd_xl_base_1.0.safetensors"]
    assert "more than 8 MiB" in failure["message"]
    assert any("safetensors metadata" in m for m in messages) and len(found.models) == 3


def test_size_limits_are_overridable() -> None:
    with FaultServer() as server:
        with pytest.raises(cf.UnexpectedPayload, match="more than 100 bytes"):
            cf.discover(server.url, limits=cf.SizeLimits(object_info=100), **QUICK)


def test_object_info_bomb_keeps_memory_bounded(tmp_path: Path) -> None:
    """1 GiB of gzip on /object_info: the client stops at its limit; peak RSS is measured in a fresh process."""
    import subprocess
    import sys

    with FaultServer(faults={"/object_info": gzip_bomb(1 << 30)}) as server:
        script = (
            "import resource, comfyframe as cf, json\n"
            f"try:\n    cf.discover({server.url!r}, progress=False, timeout=60)\n"
            "except cf.UnexpectedPayload as exc:\n    message = str(exc)\n"
            # VmHWM is this process's own peak; ru_maxrss may keep the peak of the pytest process it was forked from
            "peak = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
            "rss = peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "print(json.dumps({'rss_mb': rss / 1024, 'message': message}))\n"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout)
    assert "more than 256 MiB" in result["message"]
    assert result["rss_mb"] < 700, result  # measured ~570 MB: 100 MB of process, a 256 MiB body and its regrowth


# -- TLS -------------------------------------------------------------------------
def test_tls_failure_suggests_ca_bundle_and_the_fixes_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert, key = self_signed(tmp_path)
    with FaultServer(tls=(cert, key)) as server:
        with pytest.raises(cf.TLSFailure) as info:
            cf.discover(server.url, **QUICK)
        assert "--ca-bundle" in str(info.value) and "--listen" not in str(info.value)
        assert len(server.seen) == 0
        assert not cf.discover(server.url, verify=cert, **QUICK).nodes.empty
        assert main(["discover", server.url, "-q", "--ca-bundle", cert]) == 0
        assert main(["discover", server.url, "-q", "--insecure"]) == 0
    assert "--insecure: TLS certificates are not checked" in capsys.readouterr().err
    assert main(["discover", "https://127.0.0.1:1", "-q", "--ca-bundle", str(tmp_path / "none.pem")]) == 2
    assert "No CA bundle file" in capsys.readouterr().err


def test_request_log_lines_carry_no_password(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    with FaultServer() as server, caplog.at_level(logging.INFO, logger="comfyframe.http"):
        cf.discover(server.url.replace("http://", "http://bob:pa55w0rd@"), **QUICK)
    assert "HTTP Request" in caplog.text and "pa55w0rd" not in caplog.text and "bob" not in caplog.text


def test_bad_urls_never_echo_credentials() -> None:
    with pytest.raises(cf.ComfyFrameError) as info:
        cf.discover("ftp://carol:Secr3t@h:8188/?token=T0ken", progress=False)
    assert "Secr3t" not in str(info.value) and "T0ken" not in str(info.value) and "carol" not in str(info.value)


# -- silent answers now speak ----------------------------------------------------------
@pytest.mark.parametrize(
    ("devices", "note"),
    [([], "lists no devices"), (None, "lists no devices"), (["gpu", 3], "not objects"),
     ([{"name": "cuda:0 X", "type": "cuda", "index": 0, "vram_total": -5, "vram_free": 0}], "impossible VRAM"),
     ([{"name": "cuda:0 X", "type": "cuda", "index": 0, "vram_total": 1 << 60, "vram_free": 0}], "impossible VRAM")],
)
def test_odd_devices_are_warned_about(devices: object, note: str) -> None:
    stats = {"system": {"comfyui_version": "0.3.75"}, "devices": devices}
    with FaultServer(faults={"/system_stats": json_body(stats)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    assert any(note in m for m in messages), messages
    assert len(found.models) == 3


def test_non_object_nodes_are_counted_in_a_warning() -> None:
    info = object_info(["sd_xl_base_1.0.safetensors"]) | {"Broken": "x", "AlsoBroken": [1]}
    with FaultServer(faults={"/object_info": json_body(info)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    assert any("2 node entr(ies) that are not objects" in m for m in messages)
    assert "CheckpointLoaderSimple" in set(found.nodes["node"])


def test_identical_object_info_is_parsed_once_per_fleet() -> None:
    names = [f"model_{i:05d}.safetensors" for i in range(20000)]  # a ~500 kB /object_info
    with FaultServer(folders={"checkpoints": names}) as a, FaultServer(folders={"checkpoints": names}) as b:
        found = cf.discover([a.url, b.url], metadata=False, **QUICK)
    first, second = found.snapshots
    assert first.object_info is second.object_info  # one parsed copy shared by content hash
    assert first.folder_files("checkpoints") == names and len(found.models) == 2 * (len(names) + 1)


def test_a_failing_fleet_spends_one_retry_budget() -> None:
    calls: list[str] = []
    routes = ("/system_stats", "/object_info", "/embeddings", "/models")
    servers = [FaultServer(faults={p: counted(status(503), calls) for p in routes}) for _ in range(5)]
    for server in servers:
        server.__enter__()
    try:
        with pytest.raises(cf.ServerHTTPError, match="HTTP 503"):
            cf.discover([s.url for s in servers], **QUICK)
    finally:
        for server in servers:
            server.__exit__()
    # 20 first tries; unbudgeted, every one would be retried twice (60 requests). The budget is 2 x (5 + 3).
    assert 20 <= len(calls) <= 20 + 16


@pytest.mark.parametrize(
    ("route", "body", "note"),
    [("/models", {"checkpoints": 1}, "/models failed"), ("/embeddings", {"a": 1}, "/embeddings failed"),
     ("/models/vae", "ae.safetensors", "could not list folder(s) vae"), ("/system_stats", [1], "/system_stats failed")],
)
def test_wrong_shaped_optional_answers_are_recorded_and_warned(route: str, body: object, note: str) -> None:
    with FaultServer(faults={route: json_body(body)}) as server:
        found, messages = caught_warnings(lambda: cf.discover(server.url, **QUICK))
    assert found.snapshot.failures[route]["error"] == "UnexpectedPayload"
    assert any(note in m for m in messages), messages
    assert "CheckpointLoaderSimple" in set(found.nodes["node"])


def test_cli_deadline_bounds_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    with FaultServer(faults={"/models/vae": hang(30)}) as server:
        started = time.monotonic()
        assert main(["discover", server.url, "-q", "--timeout", "20", "--deadline", "1"]) == 0
        assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert "deadline of 1 s" in err and "/models/vae" in err


# -- proxies from the environment ------------------------------------------------
def test_environment_proxy_is_chosen_per_server_as_httpx_would(monkeypatch: pytest.MonkeyPatch) -> None:
    from comfyframe.http._transport import environment_proxy

    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    assert environment_proxy("http://gpu:8188") is None
    monkeypatch.setenv("HTTP_PROXY", "proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,.lan")
    assert environment_proxy("http://gpu:8188") == "http://proxy.corp:3128"
    assert environment_proxy("http://box.lan:8188") is None and environment_proxy("http://localhost:8188") is None
    assert environment_proxy("https://gpu:8188") is None  # HTTPS_PROXY not set
    monkeypatch.setenv("ALL_PROXY", "socks5://s:1080")
    assert environment_proxy("https://gpu:8188") == "socks5://s:1080"


def test_requests_go_through_the_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    with FaultServer() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        # comfy.invalid does not resolve: only the proxy can answer (the fault server serves absolute-form targets)
        found = cf.discover("http://comfy.invalid:8188", **QUICK)
    assert not found.nodes.empty and found.url == "http://comfy.invalid:8188"
    assert proxy.seen and all(s.target.startswith("http://comfy.invalid:8188/") for s in proxy.seen)


def test_idle_connection_check_sees_data_and_a_closed_peer() -> None:
    import socket

    from comfyframe.http._transport import _ReadableCheck

    ours, peer = socket.socketpair()
    check = _ReadableCheck(ours)
    assert check() is False  # an idle keep-alive connection: reusable
    peer.send(b"x")
    assert check() is True  # stray bytes on an idle connection: httpcore drops it
    ours.recv(1)
    assert check() is False
    peer.close()
    assert check() is True  # the server closed it: a read would return b""
    ours.close()
    assert check() is True  # our side closed: never reused


def test_default_transport_uses_the_lean_pool_only_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from comfyframe.http._client import _default_ssl_context
    from comfyframe.http._transport import _Transport, default_transport

    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    assert isinstance(default_transport("http://gpu:8188", _default_ssl_context()), _Transport)
    assert isinstance(default_transport("https://gpu:8188", False), _Transport)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")
    proxied = default_transport("http://gpu:8188", _default_ssl_context())
    assert isinstance(proxied, httpx.AsyncHTTPTransport) and not isinstance(proxied, _Transport)
