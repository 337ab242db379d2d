"""comfyui-tooling-nodes' model detection: ``GET /api/etn/model_info/{folder}`` where a server has that plugin.

The plugin (krita-ai-diffusion's server side) runs ComfyUI's own model detection on every file's header and
answers ``{file: {"base_model": "sdxl", "is_inpaint": false, "type": "t2v", …}}``, paged with ``limit`` /
``offset`` (``_meta.total``). comfyframe asks for the generator folders only, once the first answers (404 or
400 on a server without the plugin: absent, not a failure), and records each folder's merged answer under
the route key ``/api/etn/model_info/{folder}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..errors import ServerError
from ..http._client import ComfyClient
from ._snapshot import Snapshot

ETN_PREFIX = "/api/etn/model_info/"
FOLDERS = ("checkpoints", "diffusion_models", "unet", "unet_gguf")
PAGE = 200
MAX_PAGES = 100


def etn_info(snapshot: Snapshot, folder: str, name: str) -> dict[str, Any] | None:
    """The plugin's answer for one file, or None."""
    answer = snapshot.responses.get(ETN_PREFIX + folder)
    info = answer.get(name) if isinstance(answer, dict) else None
    return info if isinstance(info, dict) else None


async def fetch_etn(client: ComfyClient, snapshot: Snapshot) -> None:
    """Ask the plugin about the generator folders the server lists; nothing when it is not installed."""
    listed = [f for f in FOLDERS if snapshot.folder_files(f)]
    for index, folder in enumerate(listed):
        try:
            merged = await _folder(client, folder)
        except ServerError as exc:
            if index == 0:
                return  # no plugin (404), or a server that refuses the route: absent
            snapshot.failures[ETN_PREFIX + folder] = {"error": type(exc).__name__,
                                                      "status": getattr(exc, "status_code", None), "message": str(exc)}
            continue
        if merged is None:
            return
        snapshot.responses[ETN_PREFIX + folder] = merged


async def _folder(client: ComfyClient, folder: str) -> dict[str, Any] | None:
    merged: dict[str, Any] = {}
    for page in range(MAX_PAGES):
        params = {"limit": str(PAGE), "offset": str(page * PAGE)}
        body = await client.get_json(ETN_PREFIX + quote(folder, safe=""), params=params, missing_ok=True)
        if not isinstance(body, dict) or "error" in body and len(body) == 1:
            return None if page == 0 else merged
        meta = body.pop("_meta", None)
        merged.update({k: v for k, v in body.items() if isinstance(k, str) and isinstance(v, dict)})
        total = meta.get("total") if isinstance(meta, dict) else None
        if not isinstance(total, int) or len(body) == 0 or (page + 1) * PAGE >= total:
            break
    return merged
