"""Knowledge from the server's own templates: how many official files get a family, and which templates run.

Builds the snapshot of a server whose model tree holds every file the local (not API) templates of a templates
package name, serving that package's index and template files, with a real ``/object_info`` (the largest dump
in ../shared/corpus/object_info, its dropdowns emptied of that server's own files). Reports, with and without
the templates in the snapshot:

* the share of the official diffusion models, checkpoints and LoRAs named by local templates that get a family;
* the templates whose generator has a ready pipeline, among those whose files are all present.

    pip install --no-deps --target DIR comfyui-workflow-templates-json==0.1.123   # 0.11.97's JSON part
    .venv/bin/python benchmarks/bench_template_knowledge.py DIR/comfyui_workflow_templates_json/templates

tests/test_template_knowledge.py asserts the target (>= 97 % with a family, every such template ready) on this
build; tests/test_live_template_knowledge.py measures the same on real servers, ComfyUI 0.33.0 with 0.11.97 too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from comfyframe._discovery import Discovery  # noqa: E402
from comfyframe.snapshot._snapshot import (  # noqa: E402
    MODEL_FOLDERS,
    OBJECT_INFO,
    SYSTEM_STATS,
    TEMPLATES_INDEX,
    Snapshot,
    folder_route,
    template_route,
)
from comfyframe.tables._templates import model_refs  # noqa: E402

FOLDERS = ("diffusion_models", "checkpoints", "loras")
GENERATOR_FOLDERS = ("diffusion_models", "checkpoints")
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MODEL_FILE = re.compile(r"\.(?:safetensors|sft|ckpt|pt|pth|bin|gguf|onnx)$", re.IGNORECASE)


def is_local(entry: dict[str, Any]) -> bool:
    """A template that runs on the server (not an API workflow)."""
    return "API" not in (entry.get("tags") or []) and entry.get("openSource") is not False


def load_package(templates: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(the index, {local template name: its workflow}) of a templates package's ``templates`` folder."""
    index = json.loads((templates / "index.json").read_text(encoding="utf-8"))
    bodies = {}
    for category in index:
        for entry in category.get("templates", []):
            path = templates / f"{entry['name']}.json"
            if is_local(entry) and path.is_file():
                bodies[entry["name"]] = json.loads(path.read_text(encoding="utf-8"))
    return index, bodies


def largest_object_info() -> dict[str, Any]:
    """The largest ``/object_info`` dump of the corpus, its dropdowns emptied of the model files of the server
    it came from (this server's dropdowns would offer its own tree, which ``/models`` lists)."""
    dumps = sorted((CORPUS / "object_info").glob("*.json"), key=lambda p: p.stat().st_size)
    info = json.loads(dumps[-1].read_text(encoding="utf-8")) if dumps else {}
    for node in info.values():
        sections = node.get("input", {}) if isinstance(node, dict) else {}
        for inputs in sections.values() if isinstance(sections, dict) else ():
            for spec in inputs.values() if isinstance(inputs, dict) else ():
                _drop_files(spec)
    return info


def _drop_files(spec: object) -> None:
    """Remove model-file options from one input spec, in place (legacy list or COMBO form)."""
    if not isinstance(spec, list) or not spec:
        return
    options = spec[0] if isinstance(spec[0], list) else None
    if options is None and len(spec) > 1 and isinstance(spec[1], dict) and isinstance(spec[1].get("options"), list):
        options = spec[1]["options"]
    if options is not None:
        options[:] = [o for o in options if not (isinstance(o, str) and MODEL_FILE.search(o))]


def template_snapshot(index: list[dict[str, Any]], bodies: dict[str, Any], object_info: dict[str, Any],
                      *, with_templates: bool = True, url: str = "http://templates.test") -> Snapshot:  # fmt: skip
    """A server holding every file the local templates name, in their folders (no sizes: names decide)."""
    tree: dict[str, list[str]] = {}
    for body in bodies.values():
        for folder, name, _, _ in model_refs(body):
            files = tree.setdefault(folder, [])
            if name not in files:
                files.append(name)
    responses: dict[str, Any] = {SYSTEM_STATS: {"system": {"comfyui_version": "0.39.1"}, "devices": []},
                                 OBJECT_INFO: object_info, MODEL_FOLDERS: sorted(tree)}  # fmt: skip
    responses.update({folder_route(f): sorted(names) for f, names in tree.items()})
    if with_templates:
        responses[TEMPLATES_INDEX] = index
        responses.update({template_route(name): body for name, body in bodies.items()})
    return Snapshot(url=url, responses=responses)


def measure(discovery: Discovery, bodies: dict[str, Any]) -> dict[str, Any]:
    """Share of official files with a family per folder; templates with all files present and a ready pipeline."""
    models = discovery.models
    named = {(f, n) for body in bodies.values() for f, n, _, _ in model_refs(body)}
    out: dict[str, Any] = {}
    for folder in FOLDERS:
        mine = models[models["folder"].eq(folder) & pd.Series([(f, n) in named for f, n in zip(models["folder"], models["name"])], index=models.index)]
        out[folder] = (int(mine["family"].ne("").sum()), len(mine), sorted(mine.loc[mine["family"].eq(""), "name"]))
    pipes = discovery.pipelines
    ready = set(pipes.loc[pipes["ready"].astype(bool), "generator"])
    runnable, missing = [], []
    for name, body in bodies.items():
        generators = {n for f, n, _, _ in model_refs(body) if f in GENERATOR_FOLDERS}
        if not generators:
            continue  # a utility workflow (upscale, background removal, frame interpolation): no generator
        (runnable if generators & ready else missing).append(name)
    out["templates"] = (len(runnable), len(runnable) + len(missing), sorted(missing))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("templates", type=Path, help="the templates folder of comfyui-workflow-templates-json")
    args = parser.parse_args()
    index, bodies = load_package(args.templates)
    info = largest_object_info()
    for label, with_templates in (("rules only", False), ("with templates", True)):
        start = time.perf_counter()
        discovery = Discovery(template_snapshot(index, bodies, info, with_templates=with_templates), warn=False)
        result = measure(discovery, bodies)
        seconds = time.perf_counter() - start
        print(f"{label} ({seconds:.2f} s, {len(bodies)} local templates):")
        for folder in FOLDERS:
            got, total, lost = result[folder]
            print(f"  {folder:<17} {got:>4}/{total:<4} with a family ({got / max(total, 1):.1%})"
                  + (f"; none: {', '.join(lost[:8])}{' …' if len(lost) > 8 else ''}" if lost else ""))
        got, total, lost = result["templates"]
        print(f"  templates with a generator whose pipeline is ready: {got}/{total} ({got / max(total, 1):.1%})"
              + (f"; not ready: {', '.join(lost[:8])}{' …' if len(lost) > 8 else ''}" if lost else ""))
        print(f"  ({len(bodies) - total} local templates load no checkpoint or diffusion model: depth, background"
              " removal, frame interpolation, text generation, basics)")


if __name__ == "__main__":
    main()
