"""Which model files the server's prompts used: the ``usage`` table, ``use_count``/``last_used`` and ``unused``.

A prompt in ``/history`` (finished, successfully or not) or ``/queue`` (running, pending) is a graph of
nodes, each ``{"class_type": ..., "inputs": {name: value}}``. A string input value is a model use when the
``edges`` table lists that value for the same (server, node class, input) dropdown, so any loader counts,
custom nodes included, and a value nobody offers (a seed, a prompt text) never does.

ComfyUI keeps its history in memory only: a restart empties it and it holds at most the newest 10,000
prompts (``MAXIMUM_HISTORY_SIZE`` in ComfyUI's ``execution.py``). Usage covers the history the snapshots
saw; ``discover(url, previous=...)`` carries the prompts an earlier snapshot saw over into the new one, and
several snapshots of one server given to :class:`Discovery` pool their history.

A snapshot keeps of each prompt only what usage needs (:func:`comfyframe.snapshot._history.slim_prompts`): its number, id, node graph,
outputs to execute, queue time and status. The rest of ``extra_data`` (the UI workflow, client ids) and
the generated outputs are dropped, which keeps snapshots small and free of what users did not ask to share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..snapshot._snapshot import HISTORY, Snapshot
from ..support._validate import epoch_time
from ..tables._schema import USAGE, from_columns

# The dtype of last_used and of the usage table's time.
UTC = pd.DatetimeTZDtype("ns", "UTC")

# Order of precedence when one prompt is seen in several states (a later snapshot knows better).
STATUS_RANK = {"pending": 0, "running": 1, "unknown": 2, "error": 3, "success": 4}


def prompt_records(snapshot: Snapshot) -> Iterable[tuple[str, datetime | None, str, dict[str, Any]]]:
    """(prompt id, time, status, graph) of every prompt in the snapshot's ``/history`` and ``/queue``."""
    for key, record in snapshot.history.items():
        if not isinstance(record, dict):
            continue
        item = record.get("prompt")
        if not isinstance(item, list) or len(item) < 3 or not isinstance(item[2], dict):
            continue
        graph = item[2]
        status = record.get("status")
        status = status if isinstance(status, dict) else {}
        state = status.get("status_str")
        extra = item[3] if len(item) > 3 and isinstance(item[3], dict) else {}
        yield str(key), _run_time(status.get("messages"), extra), state if state in STATUS_RANK else "unknown", graph
    queue = snapshot.queue
    for field, state in (("queue_running", "running"), ("queue_pending", "pending")):
        items = queue.get(field)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, list) and len(item) > 2 and isinstance(item[2], dict):
                extra = item[3] if len(item) > 3 and isinstance(item[3], dict) else {}
                yield str(item[1]), _millis(extra.get("create_time")), state, item[2]


def _run_time(messages: Any, extra: dict[str, Any]) -> datetime | None:
    """When the prompt ran: its ``execution_start`` message, else any message, else when it was queued."""
    stamps: dict[str, datetime] = {}
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, list) and len(message) == 2 and isinstance(message[1], dict):
            when = _millis(message[1].get("timestamp"))
            if when is not None:
                stamps.setdefault(str(message[0]), when)
    if "execution_start" in stamps:
        return stamps["execution_start"]
    return min(stamps.values()) if stamps else _millis(extra.get("create_time"))


def _millis(value: Any) -> datetime | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    return epoch_time(value / 1000)


def build_usage(snapshots: Sequence[Snapshot], edges: pd.DataFrame) -> pd.DataFrame:
    """The long ``usage`` table: one row per (prompt, node class, input, file) a prompt referenced.

    A prompt seen by several snapshots of one server counts once, with its most final status.
    """
    rows: dict[str, list[Any]] = {c: [] for c in ("server", "prompt_id", "time", "status", "node", "input", "value")}
    for snapshot in snapshots:
        for prompt_id, when, status, graph in prompt_records(snapshot):
            for node in graph.values():
                if not isinstance(node, dict) or not isinstance(node.get("inputs"), dict):
                    continue
                cls = node.get("class_type")
                for input_name, value in node["inputs"].items():
                    if isinstance(value, str) and isinstance(cls, str):
                        for column, cell in zip(rows, (snapshot.url, prompt_id, when, status, cls, input_name, value)):
                            rows[column].append(cell)
    if not rows["value"] or edges.empty:
        return _no_usage().copy()
    offered = _offered(edges, rows["value"])
    # Each prompt input joined to the files its dropdown offers under that name, then the autogrow inputs:
    # "parent.lora3" is offered as "parent.lora*" (see _nodes.walk_inputs).
    found = list(zip(*rows.values()))  # (server, prompt_id, time, status, node, input, value)
    used = [(*row[:6], file) for row in found for file in offered.get((row[0], row[4], row[5], row[6]), ())]
    for row in found:
        pattern = _AUTOGROW.sub(r"\1*", row[5])
        if pattern != row[5]:
            used += [(*row[:6], file) for file in offered.get((row[0], row[4], pattern, row[6]), ())]
    # One row per prompt and file: the most final status (a stable sort by it, the last row of each key kept) ...
    ranked = sorted(used, key=lambda r: STATUS_RANK[r[3]])
    last = {(r[0], r[1], r[4], r[5], r[6]): i for i, r in enumerate(ranked)}
    kept = [r for i, r in enumerate(ranked) if last[(r[0], r[1], r[4], r[5], r[6])] == i]
    # ... and the latest time any snapshot recorded for the prompt.
    latest: dict[tuple[str, str], datetime] = {}
    for r in kept:
        if r[2] is not None and (latest.get((r[0], r[1])) is None or r[2] > latest[(r[0], r[1])]):
            latest[(r[0], r[1])] = r[2]
    out = [(r[0], r[1], latest.get((r[0], r[1])), r[3], r[4], r[5], *r[6]) for r in kept]
    out.sort(key=lambda r: (r[0], r[2] is None, r[2] or _EPOCH, r[1], r[4], r[5]))  # stable; unknown times last
    return from_columns(USAGE, dict(zip(USAGE.names, map(list, zip(*out)))) if out else {}, len(out))


_AUTOGROW = re.compile(r"^(.+\.[^.]*?)\d+$")
_EPOCH = datetime.fromtimestamp(0, tz=timezone.utc)


def _offered(edges: pd.DataFrame, values: list[str]) -> dict[tuple[Any, ...], list[tuple[Any, Any]]]:
    """(server, node, input, name) -> [(folder, name)] of the dropdown edges naming one of ``values``, each
    (server, node, input, folder, name) once, in edge order (only those edges can join: few of a large
    server's thousands)."""
    columns = ["server", "node", "input", "folder", "name"]
    named = edges.loc[edges["name"].isin(list(dict.fromkeys(values))), columns]
    offered: dict[tuple[Any, ...], list[tuple[Any, Any]]] = {}
    for edge in dict.fromkeys(zip(*(named[c].to_numpy(dtype=object, na_value=None) for c in columns))):
        offered.setdefault((edge[0], edge[1], edge[2], edge[4]), []).append((edge[3], edge[4]))
    return offered


@cache
def _no_usage() -> pd.DataFrame:
    """The empty ``usage`` table, built once per process (each caller gets a copy: 0.2 ms instead of 0.8)."""
    return from_columns(USAGE, {}, 0)


def usage_columns(models: pd.DataFrame, usage: pd.DataFrame) -> pd.DataFrame:
    """``use_count`` (prompts that used the file) and ``last_used`` (UTC, NaT when never) of each model, on the
    index of ``models`` (Discovery adds them to ``models`` with the pipelines' columns in one concat)."""
    keys = ["server", "folder", "name"]
    if usage.empty:  # no prompt used anything (or no history): nothing to join
        never = np.zeros(len(models), dtype=np.int64)
        return pd.DataFrame({"use_count": pd.arrays.IntegerArray(never, np.zeros(len(models), dtype=bool)),
                             "last_used": pd.array(np.full(len(models), np.datetime64("NaT", "ns")), dtype=UTC)},
                            index=models.index)  # fmt: skip
    # one code per (server, folder, name) over models then usage (NA a value of its own, as a join matches it)
    n = len(models)
    code = np.zeros(n + len(usage), dtype=np.int64)
    for key in keys:
        values = np.concatenate([models[key].to_numpy(dtype=object), usage[key].to_numpy(dtype=object)])
        column, distinct = pd.factorize(values, use_na_sentinel=False)
        code = pd.factorize(code * len(distinct) + column)[0]
    size = int(code.max()) + 1 if code.size else 0
    model_code, used = code[:n], code[n:]
    # prompts per file: distinct (file, prompt id) pairs, NA ids not counted
    prompt = usage["prompt_id"].to_numpy(dtype=object)
    known = ~pd.isna(prompt)
    ids, distinct_ids = pd.factorize(prompt[known])
    pairs = np.unique(used[known] * max(len(distinct_ids), 1) + ids)
    count = np.bincount(pairs // max(len(distinct_ids), 1), minlength=size)
    # latest time per file: NaT is the smallest int64, so a maximum skips it
    latest = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, used, usage["time"].to_numpy(dtype="datetime64[ns]").view(np.int64))
    last = latest[model_code].view("datetime64[ns]")
    return pd.DataFrame({"use_count": pd.arrays.IntegerArray(count[model_code], np.zeros(n, dtype=bool)),
                         "last_used": pd.array(last, dtype=UTC)}, index=models.index)  # fmt: skip


def unused(models: pd.DataFrame) -> pd.DataFrame:
    """Models no prompt of the known history used, biggest first (columns of :data:`UNUSED_COLUMNS`)."""
    listed = models["listed"].fillna(True).astype(bool) if "listed" in models.columns else True
    rows = models[models["use_count"].fillna(0).eq(0) & listed]
    rows = rows.sort_values(["size_bytes", "folder", "name"], ascending=[False, True, True], na_position="last")
    return rows[list(UNUSED_COLUMNS)].reset_index(drop=True)


UNUSED_COLUMNS = ("server", "folder", "name", "kind", "family", "size_bytes", "modified")


def reclaimable_by_folder(unused_models: pd.DataFrame) -> pd.DataFrame:
    """Per (server, folder): how many files are unused and the bytes deleting them would free."""
    grouped = unused_models.groupby(["server", "folder"], dropna=False, observed=True)
    table = pd.DataFrame(
        {"files": grouped["name"].size(), "size_bytes": grouped["size_bytes"].sum(min_count=1)}
    ).reset_index()
    table["files"] = table["files"].astype("Int64")
    table["size_bytes"] = table["size_bytes"].astype("Int64")
    return table.sort_values(["size_bytes", "folder"], ascending=[False, True], na_position="last").reset_index(drop=True)


def usage_problems(snapshot: Snapshot) -> list[str]:
    """A note when the server did not give its history (usage then says nothing about it)."""
    failure = snapshot.failures.get(HISTORY)
    if failure is None:
        return []
    status = failure.get("status")
    reason = f"HTTP {status}" if status else str(failure.get("error", "error"))
    return [f"{snapshot.url}: /history failed ({reason}); use_count is 0 for every model and unused() lists all."]
