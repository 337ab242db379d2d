"""What a snapshot keeps of each prompt in ``/history`` and ``/queue``: its number, id, node graph,
outputs to execute, queue time and status. The UI workflow, client ids and generated outputs are dropped,
which keeps snapshots small and free of what users did not ask to share.
"""

from __future__ import annotations

from typing import Any


def slim_item(item: Any) -> Any:
    """A queue or history item ``[number, id, graph, extra_data, outputs, ...]`` with ``extra_data`` cut down."""
    if not isinstance(item, list) or len(item) < 3:
        return item
    extra = item[3] if len(item) > 3 and isinstance(item[3], dict) else {}
    kept = {k: extra[k] for k in ("create_time",) if k in extra}
    return [*item[:3], kept, *item[4:5]]


def slim_prompts(history: dict[str, Any]) -> dict[str, Any]:
    """``/history`` records with only the prompt (see :func:`slim_item`) and its status."""
    out: dict[str, Any] = {}
    for key, record in history.items():
        if isinstance(record, dict):
            out[key] = {"prompt": slim_item(record.get("prompt")), "status": record.get("status")}
    return out


def slim_queue(queue: dict[str, Any]) -> dict[str, Any]:
    """``/queue`` with every item cut down by :func:`slim_item`."""
    return {k: [slim_item(i) for i in v] if isinstance(v, list) else v for k, v in queue.items()}
