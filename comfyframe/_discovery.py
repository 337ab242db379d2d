"""``Discovery``: the tables of one or more servers, inferred and ready to query."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ._frames import build_fleet_frames, concat_frames, infer_fleet, snapshot_problems
from .errors import DegradedServerWarning, NothingFitsWarning
from .inference._explain import Explanation, explain
from .inference._infer_templates import size_problems
from .inventory._usage import build_usage, reclaimable_by_folder, unused, usage_columns, usage_problems
from .pipelines._budget import Budget, BudgetKind, describe, fleet_budgets
from .pipelines._nothing_fits import nothing_fits
from .pipelines._pipelines import Job, adapter_columns, evaluate, plan_pipelines
from .pipelines._rank import CAPABILITIES, Prefer, capability_table, rank_pipelines
from .snapshot._refresh import carry_history
from .snapshot._snapshot import HISTORY, Snapshot, load_snapshots, save_fleet
from .support._collector import collector_paused
from .support._safe_text import for_terminal
from .support._validate import _check_job_args, as_capability
from .tables._schema import HEADER_COLUMN


class Discovery:
    """What one or more ComfyUI servers have, as pandas DataFrames.

    Tables: ``hardware`` (one row per device), ``nodes`` (one row per node
    class), ``edges`` (node input ↔ model file), ``models`` (one row per model
    file, with inferred ``kind``, ``family``, ``capabilities``, ``vram_gb``,
    ``quality``, ``applies_to``, ``orphan`` …), ``capabilities`` (one row per model × capability) and
    ``pipelines`` (one row per generator with the installed parts it needs, what it misses, and the peak VRAM
    of its family's default job on the first device of its server). ``models`` also has ``use_count`` and
    ``last_used``, and ``usage`` has one row per prompt × model file it used (the server's history and queue).

    Several snapshots of one server (same URL) pool their history: the tables come from the newest,
    and the prompts only older ones saw are carried into it (``Snapshot.carried`` records that).
    ``pipelines`` and ``capabilities`` are views of ``models``, computed on first use.
    """

    def __init__(
        self,
        snapshots: Snapshot | Sequence[Snapshot],
        *,
        warn: bool = True,
        failed: Sequence[dict[str, Any]] = (),
    ) -> None:
        given = (snapshots,) if isinstance(snapshots, Snapshot) else tuple(snapshots)
        if not given:
            raise ValueError("Discovery needs at least one snapshot.")
        with collector_paused():
            self._build(given, failed)
        if warn:  # attributed to the line that built the Discovery
            for problem in self.problems:
                warnings.warn(problem, DegradedServerWarning, stacklevel=2)

    def _build(self, given: tuple[Snapshot, ...], failed: Sequence[dict[str, Any]]) -> None:
        self.snapshots: tuple[Snapshot, ...] = _pool_by_server(given)
        self.failed: tuple[dict[str, Any], ...] = tuple(failed)
        parts, groups = build_fleet_frames(self.snapshots)
        frames = concat_frames(parts)
        self.hardware: pd.DataFrame = frames.hardware
        self.nodes: pd.DataFrame = frames.nodes
        self.edges: pd.DataFrame = frames.edges
        self.template_refs: pd.DataFrame = frames.templates  # (template, model file) pairs: tables/_templates.py
        self.usage: pd.DataFrame = build_usage(self.snapshots, frames.edges)
        models = infer_fleet(parts, groups, [s.url for s in self.snapshots])
        # headers read remotely: explain's evidence, not a table column (dicts of tensors do not export)
        self._headers = models.pop(HEADER_COLUMN) if HEADER_COLUMN in models.columns else None
        self._plan = plan_pipelines(models, frames.templates)
        extra = [usage_columns(models, self.usage), adapter_columns(models, self._plan)]
        self.models: pd.DataFrame = pd.concat([models, *extra], axis=1)  # one concat for both
        self.problems: list[str] = [
            *(f"{row['server']}: not discovered ({row['error']}); the other servers' tables are complete."
              for row in self.failed),
            *(p for s in self.snapshots for p in [*snapshot_problems(s), *usage_problems(s)]),
            *size_problems(models),
        ]

    # Views derived from the tables above, computed on first use (a discovery that only reads models or nodes
    # does not pay for them); each belongs to this discovery, never shared with another.
    @cached_property
    def pipelines(self) -> pd.DataFrame:
        """One row per generator (and motion module) with its parts, what it misses and its default job's peak
        VRAM on the first device of its server (computed on first use)."""
        return evaluate(self._plan, self._server_budgets())

    @cached_property
    def capabilities(self) -> pd.DataFrame:
        """One row per model × capability (computed on first use)."""
        return capability_table(self.models)

    @classmethod
    def from_snapshot(cls, source: Snapshot | str | Path, *, warn: bool = True) -> Discovery:
        """Build from a :class:`Snapshot` or a saved snapshot or fleet file, offline."""
        if isinstance(source, Snapshot):
            found = cls(source, warn=False)
        else:
            snapshots, failed = load_snapshots(source)
            found = cls(snapshots, warn=False, failed=failed)
        if warn:
            for problem in found.problems:
                warnings.warn(problem, DegradedServerWarning, stacklevel=2)
        return found

    # -- identity --------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        """The first (usually only) server's raw snapshot."""
        return self.snapshots[0]

    @property
    def url(self) -> str:
        return self.snapshot.url

    @property
    def urls(self) -> list[str]:
        """The URLs of the servers with tables (credentials removed)."""
        return [s.url for s in self.snapshots]

    @property
    def servers(self) -> pd.DataFrame:
        """One row per server asked: ``server, reachable, comfyui_version, error, seconds, requests``."""
        rows: list[dict[str, Any]] = []
        for snap in self.snapshots:
            system = (snap.system_stats or {}).get("system")
            version = system.get("comfyui_version") if isinstance(system, dict) else None
            rows.append({"server": snap.url, "reachable": True, "comfyui_version": None if version is None else str(version),
                         "error": None, "seconds": snap.stats.get("seconds"), "requests": snap.stats.get("requests")})
        for row in self.failed:
            rows.append({"server": str(row.get("server", "")), "reachable": False, "comfyui_version": None,
                         "error": str(row.get("error", "")), "seconds": row.get("seconds"), "requests": None})
        frame = pd.DataFrame(rows, columns=["server", "reachable", "comfyui_version", "error", "seconds", "requests"])
        return frame.astype({"server": "string", "reachable": "bool", "comfyui_version": "string", "error": "string",
                             "seconds": "float64", "requests": "Int64"})

    # -- queries ---------------------------------------------------------
    def _server_budgets(self) -> dict[str, float]:
        """Memory budget of each server's first device (servers without hardware rows: unlimited)."""
        first = self.hardware.drop_duplicates("server")
        return {str(k): float(v) for k, v in zip(first["server"], first["budget_gb"]) if not pd.isna(v)}

    def _pipelines_for(self, budget: dict[str, float] | float | None, job: Job) -> pd.DataFrame:
        """The pipelines table for a budget (GiB, per server or one for all) and a job."""
        return evaluate(self._plan, budget, job)

    def best_for(
        self,
        capability: str,
        max_vram: float | None = None,
        prefer: Prefer = "quality",
        device: int = 0,
        top: int | None = None,
        width: float | None = None,
        height: float | None = None,
        frames: float | None = None,
        batch: float = 1,
        ready: bool = True,
        budget: BudgetKind = "total",
        server: str | None = None,
    ) -> pd.DataFrame:
        """Ranked pipelines that can run ``capability`` within the memory budget; row 0 is the pick.

        ``capability`` is one of ``text_to_image, image_to_image, text_to_video, image_to_video, upscale,
        text_to_audio`` (``text-to-image`` works too). Every server is ranked against device ``device`` of its
        own (``server=`` keeps one server): by default its total memory less the reserve (what it can run,
        since ComfyUI unloads models for a job), ``budget="free"`` what was free when asked, or ``max_vram``
        GiB for all. The returned frame says which in ``attrs["budget"]`` and per row in ``budget_gb``.
        ``width, height, frames, batch`` size the job (defaults: each family's usual job, shown in ``job``);
        VRAM is the job's peak. ``ready=False`` adds pipelines that miss a part, with ``missing``. An empty
        answer carries why in ``attrs["reason"]`` and a warning.
        """
        capability = as_capability(capability)
        _check_job_args(max_vram, top, prefer, device)  # before the job's own checks, as always
        ranked = self._ranking(capability, max_vram, prefer, device, top, Job(width, height, frames, batch), ready,
                               budget, server)  # fmt: skip
        if ranked.empty:
            warnings.warn(ranked.attrs["reason"], NothingFitsWarning, stacklevel=2)
        return ranked

    def _ranking(
        self, capability: str, max_vram: float | None, prefer: Prefer, device: int, top: int | None, job: Job,
        ready: bool, budget: BudgetKind, server: str | None, *, cli: bool = False,
    ) -> pd.DataFrame:  # fmt: skip
        """``best_for`` without the warning; an empty answer's reason in the CLI's words when ``cli``."""
        capability = as_capability(capability)
        _check_job_args(max_vram, top, prefer, device)
        budgets = self._budgets(server, device, max_vram, budget)
        limits = {b.server: b.limit for b in budgets}
        pipelines = self._pipelines_for({k: v for k, v in limits.items() if v is not None}, job)
        pipelines = pipelines[pipelines["server"].isin(list(limits))]
        ranked = rank_pipelines(pipelines, capability, max_vram=limits, prefer=prefer, top=top, ready=ready)
        ranked.attrs["budget"] = describe(budgets)
        if ranked.empty:
            ranked.attrs["reason"] = self._why_empty(capability, budgets, job, ready, max_vram is not None, cli=cli,
                                                     pipelines=pipelines)  # fmt: skip
        return ranked

    def _why_empty(
        self, capability: str, budgets: list[Budget], job: Job, ready: bool, explicit: bool, *, cli: bool = False,
        pipelines: pd.DataFrame | None = None,
    ) -> str:  # fmt: skip
        """Why ``best_for`` found nothing (see :func:`comfyframe.pipelines._nothing_fits.nothing_fits`);
        ``pipelines``: the ones already evaluated for these budgets and job, else evaluated here."""
        if pipelines is None:
            limits = {b.server: b.limit for b in budgets}
            pipelines = self._pipelines_for({k: v for k, v in limits.items() if v is not None}, job)
            pipelines = pipelines[pipelines["server"].isin(list(limits))]
        able = rank_pipelines(pipelines, capability, ready=ready)
        return nothing_fits(able, pipelines, capability, budgets, ready=ready, explicit=explicit, cli=cli)

    def _budgets(self, server: str | None, device: int, max_vram: float | None, budget: BudgetKind) -> list[Budget]:
        """The budget of device ``device`` on ``server`` (every server when None), as best_for ranks against."""
        if server is not None and server not in self.urls:
            raise ValueError(f"server must be one of {', '.join(self.urls)}, not {server!r}.")
        return fleet_budgets(self.hardware, self.urls if server is None else [server], device, max_vram, budget)

    # -- workflows (comfyframe.workflows) ------------------------------------
    @cached_property
    def _workflow_views(self) -> list[Any]:
        from .workflows._references import server_views

        return server_views(self.snapshots, self.nodes, self.edges)

    @cached_property
    def _workflow_models(self) -> pd.DataFrame:
        """``models`` with each file's safetensors metadata digest (same size + metadata = same content)."""
        from .inventory._duplicates import metadata_fingerprints

        return self.models.assign(fingerprint=metadata_fingerprints(self.snapshots, self.models))

    @cached_property
    def workflows(self) -> pd.DataFrame:
        """One row per workflow template (official, or a custom-node pack's example) per server: what it does,
        whether it is ``ready``, what it misses and where to get it, its job and peak VRAM (computed on first use).

        Empty when the snapshot holds no templates (an older snapshot, or discovered with ``templates=False``).
        """
        from .workflows._table import workflows_table

        return workflows_table(self.snapshots, self._workflow_views, self.edges, self._workflow_models)

    def best_workflow(self, capability: str, max_vram: float | None = None, prefer: Prefer = "quality",
                      device: int = 0, top: int | None = None, ready: bool = True, budget: BudgetKind = "total",
                      server: str | None = None) -> pd.DataFrame:
        """Ranked workflow templates that do ``capability`` within the memory budget; row 0 is the pick.

        Ranked by the same code as :meth:`best_for` (quality of the template's generator, speed, VRAM), every
        server against its own budget as there; the capability vocabulary adds workflow tasks such as
        ``inpaint``, ``image_edit``, ``video_edit``, ``lip_sync``. ``ready=False`` adds templates that miss a part.
        """
        from .workflows._rank import rank_workflows

        capability = as_capability(capability)
        _check_job_args(max_vram, top, prefer, device)
        budgets = self._budgets(server, device, max_vram, budget)
        limits = {b.server: b.limit for b in budgets}
        table = self.workflows
        table = table[table["server"].isin(list(limits))] if not table.empty else table
        ranked = rank_workflows(table, self.models, capability, max_vram=limits, prefer=prefer, top=top, ready=ready)
        ranked.attrs["budget"] = describe(budgets)
        return ranked

    def check_workflow(self, workflow: Any) -> Any:
        """Check a workflow (path, JSON text or dict; UI or API format) against every server.

        Returns a ``WorkflowCheck``: ``references`` (one row per model reference and server: ``server, node,
        node_type, input, value, folder, status, repair, url`` …), ``summary`` (one row per server: ``ready``,
        ``missing``, ``nodes_missing``, ``download_bytes``, ``vram_gb`` …) and ``repaired(server)`` (a copy of the
        workflow with the repairable values rewritten). Raises ``WorkflowError`` for a file that is not a workflow.
        """
        from .workflows._check import check_workflow

        return check_workflow(workflow, self._workflow_views, self.edges, self._workflow_models)

    def unused(self) -> pd.DataFrame:
        """Listed models no prompt in the known history or queue used, biggest first, with their bytes.

        ComfyUI keeps at most its newest 10,000 prompts, in memory only (a restart empties it): pool
        snapshots over time (``previous=``) before deleting what this lists.
        """
        blind = [s.url for s in self.snapshots if not isinstance(s.responses.get(HISTORY), dict)]
        if blind:
            warnings.warn(
                f"{', '.join(blind)}: the snapshot holds no /history answer, so every model counts as unused; "
                "discover the server again with this comfyframe (it records /history).",
                DegradedServerWarning,
                stacklevel=2,
            )
        return unused(self.models)

    def reclaimable(self) -> pd.DataFrame:
        """Per server and folder: unused files and the bytes deleting them would free, biggest first."""
        return reclaimable_by_folder(self.unused())

    @cached_property
    def duplicates(self) -> pd.DataFrame:
        """Files that hold the same content, grouped: ``group, server, folder, name, size_bytes, reason, keep``.

        Reasons, strongest first: same hash (assets API), same size and safetensors metadata, same size
        and file name. Works across servers; ``keep`` marks the one copy per server and group to keep.
        """
        from .inventory._duplicates import find_duplicates, metadata_fingerprints

        return find_duplicates(self.models, metadata_fingerprints(self.snapshots, self.models))

    def reclaimable_duplicates(self) -> pd.DataFrame:
        """Per server: copies beyond one per duplicate group, and the bytes deleting them would free."""
        from .inventory._duplicates import reclaimable_duplicates

        return reclaimable_duplicates(self.duplicates)

    def available_capabilities(self) -> list[str]:
        """Capabilities at least one pipeline on the server(s) has natively, in canonical order."""
        present = {c for caps in self.pipelines["capabilities"] for c in caps}
        return [c for c in CAPABILITIES if c in present]

    def best_per_capability(
        self, prefer: Prefer = "quality", device: int = 0, server: str | None = None, *, cli: bool = False
    ) -> pd.DataFrame:
        """The top pick for every capability the server(s) have files for (fitting each device's budget).

        A capability with files but no pipeline that fits gets a row without a generator and the ``reason``
        (in the command line's words, ``--max-vram`` …, when ``cli``).
        """
        rows = []
        with_files = set(self.capabilities.loc[
            self.capabilities["server"].eq(server) if server is not None else slice(None), "capability"
        ])  # fmt: skip
        present = set(self.available_capabilities()) | with_files
        for capability in [c for c in CAPABILITIES if c in present]:
            ranked = self._ranking(capability, None, prefer, device, 1, Job(None, None, None, 1), True, "total", server,
                                   cli=cli)  # fmt: skip
            if not ranked.empty:
                rows.append(ranked.assign(capability=capability, reason=""))
            else:
                rows.append(pd.DataFrame({"capability": [capability], "reason": [ranked.attrs.get("reason", "")]}))
        if not rows:
            return pd.DataFrame(columns=["capability", "generator", "family", "vram_gb", "quality", "reason"])
        table = pd.concat(rows, ignore_index=True)
        return table[["capability", *[c for c in table.columns if c not in ("capability", "rank")]]]

    def explain(self, folder: str | None, name: str) -> Explanation:
        """Why one model file got its kind, family and capabilities: the evidence chain.

        ``name`` is the file's path in ``folder`` or its bare file name (``folder`` None: any folder,
        or ``name`` may start with the folder). ``print()`` the result for a readable report; its
        ``evidence`` attribute is a DataFrame. Raises ValueError when nothing or several files match.
        """
        models = self.models if self._headers is None else self.models.assign(**{HEADER_COLUMN: self._headers.to_numpy()})
        return explain(models, self.edges, self.nodes, name, folder, self.template_refs)

    def summary(self) -> dict[str, object]:
        """Counts and facts for reports: servers, devices, models by kind, capabilities."""
        models = self.models
        return {
            "servers": self.urls,
            "devices": self.hardware[["gpu_name", "vram_total_gb", "vram_free_gb"]].to_dict("records"),
            "nodes": int(len(self.nodes)),
            "loader_nodes": int(self.nodes["loads_models"].fillna(False).sum()),
            "models": int(len(models)),
            "model_bytes": int(models["size_bytes"].fillna(0).sum()),
            "models_of_unknown_size": int(models["size_bytes"].isna().sum()),
            "by_kind": models["kind"].value_counts().to_dict(),
            "by_capability": self.capabilities["capability"].value_counts().to_dict(),
            "unknown_family": int(models["family"].eq("").sum()),
            "problems": list(self.problems),
        }

    # -- output ----------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the snapshot(s) for offline work (``.json`` or ``.json.gz``); a fleet saves every server."""
        if len(self.snapshots) == 1 and not self.failed:
            return self.snapshot.save(path)
        return save_fleet(path, list(self.snapshots), list(self.failed))

    def export(self, out_dir: str | Path, format: str = "csv", partition_by: str | None = None) -> list[Path]:
        """Write the models, nodes, edges, hardware, capabilities, pipelines and usage tables to ``out_dir``.

        ``partition_by="server"`` (with ``format="parquet"``) writes one hive-partitioned dataset per table.
        """
        from .views._export import TABLES, export_tables

        return export_tables({name: getattr(self, name) for name in TABLES}, out_dir, format, partition_by)

    def status(self, problems: bool = True, *, cli: bool = False) -> str:
        """A plain-text summary: server, hardware, model counts, best pick per capability, and (``problems``)
        what the servers did not answer. ``cli``: remedies in the command line's words (``--max-vram``)."""
        from .views._display import status_text

        return status_text(self, problems=problems, cli=cli)

    def __repr__(self) -> str:
        servers = ", ".join(self.urls)
        return for_terminal(
            f"<Discovery of {servers}: {len(self.hardware)} device(s), {len(self.nodes)} nodes, "
            f"{len(self.models)} models, {len(self.edges)} edges>"
        )

    def _repr_html_(self) -> str:
        from .views._display import discovery_html

        return discovery_html(self)


def _pool_by_server(snapshots: tuple[Snapshot, ...]) -> tuple[Snapshot, ...]:
    """One snapshot per URL, the newest, with the history of the older ones carried into a copy of it."""
    by_url: dict[str, list[Snapshot]] = {}
    for snapshot in snapshots:
        by_url.setdefault(snapshot.url, []).append(snapshot)
    pooled = []
    for group in by_url.values():
        if len(group) == 1:
            pooled.append(group[0])
            continue
        ordered = sorted(group, key=lambda s: s.taken_at)
        newest = dataclasses.replace(ordered[-1], responses=dict(ordered[-1].responses), carried=dict(ordered[-1].carried))
        for older in reversed(ordered[:-1]):
            carry_history(older, newest)
        pooled.append(newest)
    return tuple(pooled)
