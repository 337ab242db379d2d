"""Why a model file got its kind and family: the evidence chain for one file.

:func:`explain` re-runs the inference of the file's server (siblings and loaders need the whole
server) and reports, for the one file, every piece of family evidence in order of strength: what it
read, which rule fired (table, row, pattern), whether it decided, refined, agreed, lost or was vetoed,
and why. Server strings are escaped for terminals in the text form (``_safe_text.for_terminal``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from ..rules import _rules
from ..support._safe_text import for_terminal
from ._header_precedence import header_evidence
from ._infer import INFERRED, _name_features, _sizes
from ._infer_edges import dropdowns
from ._infer_family import (
    END,
    EXPLICIT_TIER,
    SIBLING_MIN,
    SIBLING_SHARE,
    Evidence,
    gather_evidence,
    masked,
    metadata_text,
    resolve,
    size_vetoes,
)
from ._infer_kind import infer_kind
from ._infer_normalize import normalize
from ._infer_templates import template_knowledge
from ._regex_passes import first_match

_ROLES = ("metadata", "trained on", "file name", "subfolder", "title", "loader", "siblings", "size", "default")
_META = ("meta_architecture", "meta_base_model", "meta_sd_model_name", "meta_title", "meta_network_module")


@dataclass(frozen=True)
class Explanation:
    """The evidence chain for one model file; ``str()`` gives the readable form."""

    server: str
    folder: str
    name: str
    result: dict[str, object]  # the inferred columns of the file
    seen: dict[str, object]  # tokens, metadata, subfolder, size, loaders, siblings
    evidence: pd.DataFrame = field(repr=False)  # one row per evidence: role, read, family, tier, rule, verdict

    def text(self) -> str:
        """Readable, terminal-safe report."""
        r = self.result
        lines = [
            f"{self.folder}/{self.name}  ({self.server})",
            f"  kind {r['kind']} (from {r['kind_source']}); family {r['family'] or '(unknown)'} "
            f"(from {r['source']}, confidence {r['confidence']}); capabilities "
            f"{', '.join(sorted(r['capabilities'])) or '(none)'}"  # type: ignore[call-overload]
            + (f"; variant {r['variant']}" if r["variant"] else ""),
            "seen:",
        ]
        lines += [f"  {k}: {v}" for k, v in self.seen.items() if v not in ("", None, [], {})]
        lines.append("evidence (strongest first):")
        for e in self.evidence.itertuples(index=False):
            family = e.family or "-"
            rule = f"  [{e.rule}]" if e.rule else ""
            lines.append(f"  {e.role:<11} {family:<13} {e.verdict}{rule}")
            if e.read:
                lines.append(f"  {'':<11} read: {e.read}")
        return "\n".join(for_terminal(line) for line in lines)

    def __str__(self) -> str:
        return self.text()


def _did_you_mean(name: str, table: pd.DataFrame) -> str:
    """The closest listed names (by file name, case-insensitive), else where to see them all."""
    paths = (table["folder"].astype(str) + "/" + table["name"].astype(str).str.replace("\\", "/", regex=False)).tolist()
    by_file = {p.rsplit("/", 1)[-1].lower(): p for p in reversed(paths)}
    wanted = name.rsplit("/", 1)[-1].lower()
    close = difflib.get_close_matches(wanted, list(by_file), n=3, cutoff=0.75)
    contains = [f for f in by_file if wanted and (wanted in f or f in wanted)][:3]
    picks = list(dict.fromkeys([*close, *contains]))[:3]
    if picks:
        return " Did you mean " + " or ".join(repr(for_terminal(by_file[p])) for p in picks) + "?"
    return " The names are in the models table (comfyframe export, or Discovery.models in Python)."


def find_rows(models: pd.DataFrame, name: str, folder: str | None = None) -> np.ndarray:
    """Positions of the files ``name`` designates: a path in its folder, a bare file name or "folder/path"."""
    name = name.replace("\\", "/").strip()
    if not name:
        raise ValueError("explain needs a model file name (a path in its folder or a bare file name).")
    table = models.reset_index(drop=True)
    folders = table["folder"].astype(str)
    paths = table["name"].astype(str).str.replace("\\", "/", regex=False)
    files = paths.str.rsplit("/", n=1).str[-1]
    hit = paths.eq(name) | files.eq(name) | (folders + "/" + paths).eq(name)
    if folder is not None:
        hit &= folders.str.lower().eq(folder.lower())
    return np.flatnonzero(hit.to_numpy(dtype=bool))


def explain(models: pd.DataFrame, edges: pd.DataFrame, nodes: pd.DataFrame, name: str,
            folder: str | None = None, templates: pd.DataFrame | None = None) -> Explanation:  # fmt: skip
    """The evidence chain of one file of an inferred ``models`` table (see module docstring).

    ``templates``: the template references the table was inferred with (a file an official template names
    exactly shows ``source=template`` and the template's name).

    Raises ValueError when nothing matches or the name is ambiguous (the message lists the candidates).
    """
    found = find_rows(models, name, folder)
    table = models.reset_index(drop=True)
    if found.size == 0:
        where = f" in folder {folder!r}" if folder else ""
        raise ValueError(f"no model file {for_terminal(name)!r}{where}.{_did_you_mean(name, table)}")
    if found.size > 1:
        listed = "; ".join(for_terminal(f"{table.at[i, 'folder']}/{table.at[i, 'name']}") for i in found[:20])
        raise ValueError(f"{for_terminal(name)!r} is ambiguous ({found.size} files): {listed}. Give folder/path.")
    row = int(found[0])
    server = str(table.at[row, "server"]) if "server" in table.columns else ""
    if "server" in table.columns:  # siblings and loaders are per server: re-run that server only
        mine = table["server"].astype(str).eq(server).to_numpy()
        row = int(np.flatnonzero(mine).tolist().index(row))
        table = table[mine].reset_index(drop=True)
        if "server" in edges.columns:
            edges = edges[edges["server"].astype(str).eq(server)]
        if templates is not None and "server" in templates.columns:
            templates = templates[templates["server"].astype(str).eq(server)]
    raw = table.drop(columns=[c for c in INFERRED if c in table.columns])
    return _explain_row(raw, table.loc[row, list(INFERRED)].to_dict(), edges, nodes, row, server, templates)


def _explain_row(raw: pd.DataFrame, result: dict[str, object], edges: pd.DataFrame, nodes: pd.DataFrame,
                 row: int, server: str, templates: pd.DataFrame | None = None) -> Explanation:  # fmt: skip
    names = _name_features(raw)
    size = _sizes(raw)
    dd = dropdowns(raw, edges, nodes)
    kind, _ = infer_kind(raw, names["path_text"], dd)
    evidence = gather_evidence(raw, kind, names["stem"], names["sub"], size, names["precision"], dd)
    told = template_knowledge(raw, kind, templates)
    stem = names["stem"][0].iloc[names["stem"][1][row]]
    sub = names["sub"][0].iloc[names["sub"][1][row]]
    meta = {
        c: str(raw.at[row, c]) for c in _META if c in raw.columns and pd.notna(raw.at[row, c]) and raw.at[row, c] != ""
    }
    group = _group(raw, row)
    sibling_families = [f for f in result_families(raw, evidence, kind)[group[group != row]] if f]
    seen: dict[str, object] = {
        "tokens": stem.strip(),
        "subfolder tokens": sub.strip(),
        "metadata": meta,
        "size": "" if np.isnan(size[row]) else f"{size[row] / 2**30:.2f} GiB",
        "precision": result.get("precision", ""),
        "loaders": ", ".join(map(str, raw.at[row, "loader_nodes"])) if "loader_nodes" in raw.columns else "",
        "siblings": _sibling_summary(sibling_families, len(group) - 1),
        "template": str(told.template[row]),
    }
    frame = header_evidence(raw, row, result, _evidence_frame(raw, row, evidence, kind, size, stem, sub, bool(sibling_families)))
    if told.named[row]:
        frame = _template_first(frame, str(told.family[row]), str(told.template[row]), result.get("source") == "template")
    return Explanation(server, str(raw.at[row, "folder"]), str(raw.at[row, "name"]), result, seen, frame)


def _template_first(frame: pd.DataFrame, family: str, template: str, decides: bool) -> pd.DataFrame:
    """The evidence with the server's template first: it decides, and what decided before is overridden; or it
    loses to the file's own metadata or explicit name (``decides`` False)."""
    frame = frame.copy()
    if decides:
        decided = frame["verdict"].str.startswith(("DECIDES", "REFINES"))
        frame.loc[decided, "verdict"] = "overridden: an official template names this file exactly"
        verdict = "DECIDES (template)"
    else:
        verdict = "loses: the file's own metadata or an explicit name token names its family (a model built on it)"
    first = pd.DataFrame([{"role": "template", "source": "template", "read": template, "family": family,
                           "tier": 100, "rule": "the template's index models entry (template_families.csv)",
                           "verdict": verdict}])  # fmt: skip
    return pd.concat([first, frame], ignore_index=True)


def result_families(raw: pd.DataFrame, evidence: list[Evidence], kind: np.ndarray) -> np.ndarray:
    """Family label per row from the evidence of metadata and the file's own name (what siblings count)."""
    family, _, _ = resolve(evidence[:3], kind)
    return np.asarray([*_rules.FAMILIES, ""], dtype=object)[family]


def _group(raw: pd.DataFrame, row: int) -> np.ndarray:
    same = np.ones(len(raw), dtype=bool)
    for column in ("server", "folder", "subfolder"):
        if column in raw.columns:
            values = raw[column].astype(str).fillna("")
            same &= values.eq(values.iloc[row]).to_numpy()
    return np.flatnonzero(same)


def _sibling_summary(families: list[str], others: int) -> str:
    if not others:
        return ""
    counts = pd.Series(families, dtype=object).value_counts()
    told = ", ".join(f"{f} x{n}" for f, n in counts.items()) or "none identified"
    return f"{others} other file(s) in the same folder; identified by metadata or name: {told}"


def _rule(table: str, text: str) -> tuple[str, int]:
    """("table.csv #i: pattern", tier) of the rule that decides ``text`` (normalised), or ("", 0)."""
    frame = getattr(_rules, table)()
    tiers = tuple(frame["tier"].tolist()) if "tier" in frame.columns else None
    index = int(first_match(pd.Series([text], dtype="string"), list(frame["pattern"]), tiers)[0])
    if index < 0:
        return "", 0
    raw = _raw_patterns(table)[index]
    return f"{table}.csv #{index}: {raw}", int(frame["tier"].iloc[index]) if tiers else 0


def _fired_or_hidden(masked_text: str, text: str) -> tuple[str, int]:
    fired = _rule("family_names", masked_text)
    return fired if fired[0] else _rule("family_names", text)


@cache
def _raw_patterns(table: str) -> list[str]:
    """Patterns as written in the table (with macros), for display."""
    with resources.files("comfyframe").joinpath("rules", f"{table}.csv").open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, comment="#", dtype=str, keep_default_na=False)
    return frame["pattern"].tolist()


def _evidence_frame(raw: pd.DataFrame, row: int, evidence: list[Evidence], kind: np.ndarray, size: np.ndarray,
                    stem: str, sub: str, seen_siblings: bool) -> pd.DataFrame:  # fmt: skip
    labels = np.asarray([*_rules.FAMILIES, ""], dtype=object)
    meta_text = str(metadata_text(raw).iloc[row])
    stem_masked = str(masked(pd.Series([stem], dtype="string")).iloc[0])
    reads = {
        "metadata": (meta_text, _rule("metadata_families", normalize([meta_text]).iloc[0]) if meta_text else ("", 0)),
        "trained on": (_cell(raw, row, "meta_sd_model_name"), _name_rule(_cell(raw, row, "meta_sd_model_name"))),
        # what fired, else what a mask hid (shown as "masked")
        "file name": (stem.strip(), _fired_or_hidden(stem_masked, stem + END)),
        "subfolder": (sub.strip(), _rule("family_names", str(masked(pd.Series([sub], dtype="string")).iloc[0]))),
        "title": (_cell(raw, row, "meta_title"), _name_rule(_cell(raw, row, "meta_title"))),
    }
    raw_family = {role: _rule_family(rule) for role, (_, (rule, _)) in reads.items()}
    veto = size_vetoes(kind, size)[row]
    gb = size[row] / 1e9
    records, decided, decided_tier, decided_role = [], -1, 0, ""
    lineage = _rules.by_family("lineage", "")
    for role, ev in zip(_ROLES, evidence):
        family, tier = int(ev.family[row]), int(ev.tier[row])
        read, (rule, _) = reads.get(role, ("", ("", 0)))
        verdict, shown = "", labels[family]
        if family < 0:
            lost = raw_family.get(role, "")
            if lost:
                shown, verdict = lost, _why_dropped(role, lost, veto, gb, stem, stem_masked)
            elif role == "siblings" and seen_siblings and not sub.strip():
                verdict, rule = "no decision: siblings count in subfolders only (a top level mixes bases)", ""
            elif role == "siblings" and seen_siblings:
                verdict, rule = (f"no decision: needs >= {SIBLING_MIN} identified, >= {SIBLING_SHARE:.0%} agreeing, and no"
                                 " identified twin named like this file plus one token (add_detail / add_detail_xl)", "")
            else:
                verdict, rule = "says nothing", ""
        elif decided < 0:
            decided, decided_tier, decided_role = family, tier, role
            verdict = f"DECIDES ({ev.source}, tier {tier})"
        elif family == decided:
            verdict = "agrees"
        elif lineage[family] == lineage[decided] and tier > decided_tier:
            verdict = f"REFINES {labels[decided]} (same lineage, tier {tier} > {decided_tier})"
            decided, decided_tier, decided_role = family, tier, role
        else:
            verdict = f"loses to {decided_role} (stronger evidence comes first)"
        if role in ("loader", "siblings", "size", "default") and family >= 0:
            rule = _weak_rule(role, raw, row, kind, family, gb)
        elif role == "file name" and family >= 0 and not rule:  # no family_names rule: the name's pair decided
            rule = "its high/low-noise twin in the same folder (-H beside -L): a Wan 2.2 expert pair"
        records.append({"role": role, "source": ev.source, "read": read, "family": shown, "tier": tier,
                        "rule": rule, "verdict": verdict})  # fmt: skip
    if not _rules.by_kind("has_family", True)[kind[row]]:
        records.append({"role": "kind", "source": "kind", "read": _rules.KINDS[kind[row]], "family": "", "tier": 0,
                        "rule": "kinds.csv has_family=false", "verdict": "no family applies to this kind"})  # fmt: skip
    return pd.DataFrame(records, columns=["role", "source", "read", "family", "tier", "rule", "verdict"])


def _cell(raw: pd.DataFrame, row: int, column: str) -> str:
    if column not in raw.columns or pd.isna(raw.at[row, column]):
        return ""
    return str(raw.at[row, column])


def _name_rule(text: str) -> tuple[str, int]:
    return _rule("family_names", normalize([text]).iloc[0]) if text else ("", 0)


def _rule_family(rule: str) -> str:
    if not rule:
        return ""
    table, index = rule.split(".csv #")[0], int(rule.split("#")[1].split(":")[0])
    return str(getattr(_rules, table)()["family"].iloc[index])


def _why_dropped(role: str, family: str, veto: np.ndarray, gb: float, stem: str, stem_masked: str) -> str:
    code = _rules.FAMILY_CODE[family]
    if veto[code]:
        return (f"VETOED: {gb * 1e9 / 2**30:.2f} GiB is outside {family}'s possible sizes "
                f"(family_size_limits.csv, in GB of 1e9 bytes: {gb:.2f})")
    if role == "file name" and stem_masked.rstrip(END) != stem:
        return "masked: the token means something else here (name_masks.csv)"
    if role == "file name":
        return f"dropped: a weak guess (tier < {EXPLICIT_TIER}) that a subfolder or the vocabulary overrides"
    return "dropped"


def _weak_rule(role: str, raw: pd.DataFrame, row: int, kind: np.ndarray, family: int, gb: float) -> str:
    label = _rules.FAMILIES[family]
    if role == "size":
        table = _rules.family_sizes()
        hits = table.index[(table["family"] == label) & (table["min_gb"] <= gb) & (table["max_gb"] >= gb)]
        return f"family_sizes.csv #{int(hits[0])}" if len(hits) else "family_sizes.csv"
    if role == "siblings":
        return f"sibling majority (>= {SIBLING_MIN} identified, >= {SIBLING_SHARE:.0%} agree)"
    if role == "loader":
        return "a family-specific loader offers it"
    folder = str(raw.at[row, "folder"]).lower()
    if _rules.folder_kinds()["family"].get(folder, "") == label:
        return f"folder_kinds.csv: {folder} -> {label}"
    if _rules.by_kind("default_family", "")[kind[row]] != label:
        ext = str(raw.at[row, "name"]).rsplit(".", 1)[-1].lower()
        return f"format_families.csv: {_rules.KINDS[kind[row]]} .{ext} -> {label}"
    return f"kinds.csv: {_rules.KINDS[kind[row]]} default_family {label}"
