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
from fault_server import FaultServer, encoded, gzip_bomb, json_body, stacked_bomb_bytes

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
    with FaultServer(faults={"/view_metadata/checkpoints": encoded(bomb, "gzip, gzip")}) as bad, FaultServer() as good:
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
