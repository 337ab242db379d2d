"""The model files a server's workflow templates name: one row per (template, model file).

Official templates come from ``/templates/index.json`` (categories, each with ``templates``: ``name, title, tags,
models, size, usage, …``) and ``/templates/{name}.json``; custom-node packs' example workflows from
``/workflow_templates`` and ``/workflow_templates/{pack}/{file}``. A template's model files are the
``properties.models`` entries (``{name, directory, url, hash?, hash_type?}``) of its nodes, in subgraphs
(``definitions.subgraphs``) too. Every value is untrusted: entries that are not of the expected shape are
skipped, and the walk is bounded in depth and size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..snapshot._snapshot import CUSTOM_TEMPLATES, TEMPLATES_INDEX, Snapshot, custom_template_route, template_route
from ._schema import OBJECT, _t, from_columns

TEMPLATE_REFS = _t(
    "template_refs",
    ("server", "string", "URL of the server"),
    ("source", "string", "official, or the custom-node pack whose example workflow it is"),
    ("template", "string", "template name (official) or file name (custom pack)"),
    ("title", "string", "the template's title in the index ('' for custom packs)"),
    ("folder", "string", "model folder the template loads the file from (properties.models directory)"),
    ("name", "string", "file name as the template writes it"),
    ("url", "string", "where the template says the file can be downloaded ('' when it does not say)"),
    ("hash", "string", "'hash_type:hash' when the template gives one, else ''"),
    ("active", "boolean", "the loader node runs (False: bypassed or muted in the template, an alternative)"),
    ("families", OBJECT, "the index's ``models`` entry: family names such as 'Wan 2.2' (tuple of str)"),
    ("tags", OBJECT, "the index's ``tags``: 'Text to Image', 'Image Edit', … (tuple of str)"),
    ("media", "string", "the type of the index category listing the template: image, video, audio, 3d … ('' if none)"),
    ("size_bytes", "Int64", "the template's total download in bytes, per the index (NA when not given)"),
    ("usage", "Int64", "the template's popularity, per the index (NA when not given)"),
)

# Bounds on walking one untrusted workflow: nesting depth and nodes visited.
MAX_DEPTH, MAX_ITEMS = 40, 200_000
# LiteGraph node modes that do not run: 2 muted ("never"), 4 bypassed.
INACTIVE_MODES = (2, 4)


def build_template_refs(snapshot: Snapshot) -> pd.DataFrame:
    """One row per (template, model file) of ``snapshot`` (see :data:`TEMPLATE_REFS`); empty without templates."""
    rows: list[tuple[Any, ...]] = []
    for entry in official_templates(snapshot):
        body = snapshot.responses.get(template_route(entry["name"]))
        for ref in references(body):
            rows.append(("official", entry["name"], entry["title"], *ref, entry["families"], entry["tags"],
                         entry["media"], entry["size"], entry["usage"]))  # fmt: skip
    packs = snapshot.responses.get(CUSTOM_TEMPLATES)
    if isinstance(packs, dict):
        for pack, files in packs.items():
            for file in files if isinstance(files, list) else ():
                if not isinstance(pack, str) or not isinstance(file, str):
                    continue
                for ref in references(snapshot.responses.get(custom_template_route(pack, file))):
                    rows.append((pack, file, "", *ref, (), (), "", None, None))
    rows = list(dict.fromkeys(rows))  # a template loading one file twice names it once
    names = TEMPLATE_REFS.names[1:]
    data: dict[str, list[Any]] = {"server": [snapshot.url] * len(rows), **{n: [r[i] for r in rows] for i, n in enumerate(names)}}
    return from_columns(TEMPLATE_REFS, data, len(rows))


def official_templates(snapshot: Snapshot) -> Iterator[dict[str, Any]]:
    """The index's templates as ``{name, title, families, tags, media, size, usage}``; malformed entries skipped."""
    index = snapshot.responses.get(TEMPLATES_INDEX)
    if not isinstance(index, list):
        return
    for category in index:
        templates = category.get("templates") if isinstance(category, dict) else None
        media = category.get("type") if isinstance(category, dict) else None
        media = media.strip().lower() if isinstance(media, str) else ""
        for entry in templates if isinstance(templates, list) else ():
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
                continue
            title = entry.get("title")
            yield {
                "name": entry["name"], "title": title if isinstance(title, str) else "",
                "families": _strings(entry.get("models")), "tags": _strings(entry.get("tags")), "media": media,
                "size": _count(entry.get("size")), "usage": _count(entry.get("usage")),
            }  # fmt: skip


def model_refs(workflow: object) -> Iterator[tuple[str, str, str, str]]:
    """(folder, name, url, hash) of every ``properties.models`` entry in a workflow, subgraphs included."""
    for folder, name, url, digest, _ in references(workflow):
        yield folder, name, url, digest


def references(workflow: object) -> Iterator[tuple[str, str, str, str, bool]]:
    """(folder, name, url, hash, active) of every ``properties.models`` entry in a workflow, subgraphs included;
    ``active`` is False on a node bypassed (mode 4) or muted (mode 2)."""
    for node, models in _nodes_with_models(workflow):
        active = node.get("mode") not in INACTIVE_MODES
        for model in models:
            if not isinstance(model, dict):
                continue
            name, folder = model.get("name"), model.get("directory")
            if not isinstance(name, str) or not isinstance(folder, str) or not name.strip() or not folder.strip():
                continue
            url, digest, kind = model.get("url"), model.get("hash"), model.get("hash_type")
            text = "" if not isinstance(digest, str) else f"{kind}:{digest}" if isinstance(kind, str) and kind else digest
            yield folder.strip("/"), name, url if isinstance(url, str) else "", text, active


def _nodes_with_models(workflow: object) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    """Every node with a ``properties.models`` list under ``workflow``, and that list (a bounded iterative walk,
    no recursion)."""
    stack: list[tuple[object, int]] = [(workflow, 0)]
    seen = 0
    while stack and seen < MAX_ITEMS:
        value, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            properties = value.get("properties")
            if isinstance(properties, dict) and isinstance(properties.get("models"), list):
                yield value, properties["models"]
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str) and v.strip()) if isinstance(value, list) else ()


def _count(value: object) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 2**62 else None
