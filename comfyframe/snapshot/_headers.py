"""Safetensors headers read remotely: the tensor names, dtypes and shapes of a file, never its weights.

A newer ComfyUI started with ``--enable-assets`` streams any model file at ``/api/assets/{id}/content`` (it
ignores ``Range``). comfyframe reads the 8-byte header length, then the JSON header (at most
``SizeLimits.tensor_header`` bytes, 8 MiB like ComfyUI's own reader), and closes the connection.

Each header read is recorded under the route key ``/tensor_header/{folder}?filename={name}`` as a compact
summary: ``{"source": "assets", "asset": id, "header_bytes", "data_bytes", "metadata": {...},
"tensors": [[key, dtype, [shape...]], ...]}``. A header that is not a valid safetensors header (length over
the limit, invalid JSON, offsets past the end of the file, shapes that do not match their bytes) fails that
file alone: a failure under its key naming the reason.

GGUF files (``.gguf``, listed where a GGUF node pack registers them) are read the same way (:mod:`._gguf`).

Which files: ``tensor_headers="all"`` every listed ``.safetensors`` and ``.gguf`` file with an asset record,
``"unknown"`` those whose asset record names no base model and that a selector picks (inference on the
answers so far: kind or family unknown or weakly founded; without a selector, all of them),
``"none"`` none; at most ``header_files`` files and ``header_bytes`` bytes per discovery (all its servers).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import struct
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from ..errors import ServerError
from ..http._client import ComfyClient
from ..http._options import MIB, ConnectOptions
from ._assets import asset_records
from ._gguf import PREFIXES, Incomplete, parse_gguf
from ._progress import Progress
from ._snapshot import Snapshot

HEADER_PREFIX = "/tensor_header/"
SUFFIXES = (".safetensors", ".gguf")
MAX_TENSORS = 200_000  # the largest real checkpoints hold a few thousand
MAX_DIMS = 8
MAX_DIM = 1 << 40
# Bytes per element of each safetensors dtype (F4 / F6 types are packed; none is listed in the spec's core).
DTYPE_BYTES: dict[str, float] = {
    "F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2, "I16": 2, "U16": 2,
    "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1, "I8": 1, "U8": 1, "BOOL": 1, "F4": 0.5, "F6_E2M3": 0.75,
    "F6_E3M2": 0.75,
}
_ASSET_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
Selector = Callable[[Snapshot], Sequence[tuple[str, str]]]


def header_route(folder: str, name: str) -> str:
    """The route key a file's header summary is recorded under."""
    return f"{HEADER_PREFIX}{folder}?filename={name}"


def tensor_header(snapshot: Snapshot, folder: str, name: str) -> dict[str, Any] | None:
    """The header summary recorded for a file, or ``None``."""
    value = snapshot.responses.get(header_route(folder, name))
    return value if isinstance(value, dict) else None


def parse_header(data: bytes, file_size: int | None, limit: int) -> dict[str, Any]:
    """Check and summarise ``data`` (the 8-byte length and the JSON header); raise ValueError naming the fault."""
    if len(data) < 8:
        raise ValueError("the file is shorter than a safetensors header (8 bytes)")
    (length,) = struct.unpack("<Q", data[:8])
    if length > limit:
        raise ValueError(f"its header claims {length} bytes, over the {limit / MIB:g} MiB limit (SizeLimits.tensor_header)")
    if length < 2:
        raise ValueError(f"its header length is {length} bytes: not a safetensors file")
    if file_size is not None and 8 + length > file_size:
        raise ValueError(f"its header ({length} bytes) is longer than the file ({file_size} bytes)")
    if len(data) < 8 + length:
        raise ValueError(f"the server sent {len(data) - 8} of the header's {length} bytes")
    try:
        body = json.loads(data[8 : 8 + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"its header is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(body, dict):
        raise ValueError("its header is not a JSON object")
    meta = body.pop("__metadata__", None)
    if len(body) > MAX_TENSORS:
        raise ValueError(f"its header lists {len(body)} tensors (more than {MAX_TENSORS})")
    tensors, end = [], 0
    room = None if file_size is None else file_size - 8 - length
    for key, spec in body.items():
        tensors.append(_tensor(key, spec, room))
        end = max(end, spec["data_offsets"][1])
    metadata = {k: v for k, v in meta.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(meta, dict) else {}
    return {"header_bytes": length, "data_bytes": end, "metadata": metadata, "tensors": tensors}


def _tensor(key: str, spec: Any, room: int | None) -> list[Any]:
    shown = repr(key[:80])
    if not isinstance(spec, dict):
        raise ValueError(f"tensor {shown} is not described by an object")
    dtype, shape, offsets = spec.get("dtype"), spec.get("shape"), spec.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise ValueError(f"tensor {shown} has an unknown dtype {str(dtype)[:20]!r}")
    if (not isinstance(shape, list) or len(shape) > MAX_DIMS
            or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= MAX_DIM for d in shape)):
        raise ValueError(f"tensor {shown} has an absurd shape")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets) or not 0 <= offsets[0] <= offsets[1]):
        raise ValueError(f"tensor {shown} has invalid data offsets")
    if room is not None and offsets[1] > room:
        raise ValueError(f"tensor {shown} ends at byte {offsets[1]}, past the end of the file ({room} data bytes)")
    expected = math.prod(shape) * DTYPE_BYTES[dtype]
    if math.ceil(expected) != offsets[1] - offsets[0]:
        raise ValueError(f"tensor {shown}'s shape {shape[:8]} does not match its {offsets[1] - offsets[0]} bytes")
    return [key, dtype, shape]


async def read_header(client: ComfyClient, asset_id: str, size: int | None, limit: int, gguf: bool = False
                      ) -> dict[str, Any]:  # fmt: skip
    """Read and check one file's header through the assets API (the connection is closed after it)."""
    if not _ASSET_ID.match(asset_id):
        raise ValueError("its asset id is not a plain identifier")
    route = f"/api/assets/{quote(asset_id, safe='')}/content"
    if gguf:
        for length in (*(p for p in PREFIXES if p < limit), limit):
            data = await client.read_prefix(route, _constant(length), length)
            try:
                return parse_gguf(data, size, limit)
            except Incomplete:
                if len(data) < length:  # the body ended inside the header
                    raise ValueError("the file ends inside its GGUF header") from None
        raise ValueError(f"its GGUF header is longer than the {limit / MIB:g} MiB limit (SizeLimits.tensor_header)")

    def need(first: bytes) -> int:
        if len(first) < 8:
            return 8
        (length,) = struct.unpack("<Q", first[:8])
        return 8 if length > limit else 8 + length  # an over-long length: refused by parse_header after 8 bytes

    data = await client.read_prefix(route, need, 8 + limit)
    return parse_header(data, size, limit)


def _constant(length: int) -> Callable[[bytes], int]:
    return lambda _first: length


async def read_headers(
    client: ComfyClient, snapshot: Snapshot, options: ConnectOptions, progress: Progress, select: Selector | None,
    previous: Snapshot | None = None,
) -> None:
    """Read the headers ``options.tensor_headers`` asks for into ``snapshot`` (within the budget); a refresh
    (``previous``) carries the headers of files whose asset id and size did not change."""
    if options.tensor_headers == "none" or not snapshot.assets:
        return
    records = asset_records(snapshot)
    if previous is not None:
        _carry(snapshot, previous, records)
    if options.tensor_headers == "all":
        wanted = [key for key in records if key[1].lower().endswith(SUFFIXES)]
    else:  # "unknown": a base model in the asset record settles the file (as it spares /view_metadata)
        open_ = {key for key, rec in records.items() if key[1].lower().endswith(SUFFIXES) and not _base_model(rec)}
        # the selector (inference on the answers so far) runs only when some file is open at all
        wanted = [key for key in select(snapshot) if key in open_] if select is not None and open_ else sorted(open_)
    wanted = [key for key in wanted if header_route(*key) not in snapshot.responses]
    budget = _budget(client, options)  # [files, bytes] left, shared by the servers of one discovery
    skipped = max(len(wanted) - budget[0], 0)
    wanted = wanted[: budget[0]]
    budget[0] -= len(wanted)
    if not wanted:
        if skipped:
            snapshot.stats["tensor_headers"] = {"read": 0, "bytes": 0, "skipped_by_budget": skipped}
        return
    progress.add(len(wanted), "safetensors headers")
    spent = 0
    read = 0
    batch = max(options.max_concurrency, 1)
    for start in range(0, len(wanted), batch):
        if budget[1] <= 0:
            skipped += len(wanted) - start
            progress.advance(len(wanted) - start)
            break
        chunk = wanted[start : start + batch]
        sizes = await asyncio.gather(*(_one(client, snapshot, key, records[key], options, progress) for key in chunk))
        spent += sum(sizes)
        budget[1] -= sum(sizes)
        read += len(chunk)
    snapshot.stats["tensor_headers"] = {"read": read, "bytes": spent, "skipped_by_budget": skipped}


def _carry(snapshot: Snapshot, previous: Snapshot, records: dict[tuple[str, str], dict[str, Any]]) -> None:
    before = asset_records(previous)
    for key, record in records.items():
        header, old = tensor_header(previous, *key), before.get(key)
        if header is None or old is None or header.get("asset") != record.get("id") or old.get("size") != record.get("size"):
            continue
        route = header_route(*key)
        snapshot.responses[route] = header
        snapshot.carried[route] = previous.carried.get(route, previous.taken_at)


def _budget(client: ComfyClient, options: ConnectOptions) -> list[int]:
    """The discovery's header budget, [files left, bytes left], kept with what its servers share."""
    claims = client.shared.claims
    key = ("tensor_headers", "budget")
    if key not in claims:
        held: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        held.set_result([options.header_files, options.header_bytes])
        claims[key] = held
    budget: list[int] = claims[key].result()
    return budget


async def _one(client: ComfyClient, snapshot: Snapshot, key: tuple[str, str], record: dict[str, Any],
               options: ConnectOptions, progress: Progress) -> int:  # fmt: skip
    route = header_route(*key)
    size = record.get("size")
    try:
        summary = await read_header(client, str(record.get("id", "")), size if isinstance(size, int) else None,
                                    options.limits.tensor_header, gguf=key[1].lower().endswith(".gguf"))
    except (ValueError, ServerError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        snapshot.failures[route] = {
            "error": "BadTensorHeader" if isinstance(exc, ValueError) else type(exc).__name__,
            "status": getattr(exc, "status_code", None),
            "message": f"{client.url}: the safetensors header of {key[0]}/{key[1]} was not used: {reason}.",
        }
        return 8
    finally:
        progress.advance()
    snapshot.responses[route] = {"source": "assets", "asset": record.get("id"), **summary}
    return 8 + int(summary["header_bytes"])


def _base_model(record: dict[str, Any]) -> str:
    meta = record.get("metadata")
    value = meta.get("base_model") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else ""

