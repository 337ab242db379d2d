"""Loader evidence for the family: which loaders' family hints count, and for which files.

Loaders tell a file's role, not its family: ``WanVideoModelLoader`` lists every diffusion model, Flux
included. A loader's family hint (read from its node name, display name, category and package by the
family rules, see :mod:`._infer_family`) counts only where its dropdown is specific (see
:func:`loader_families`). Families are int codes (``_rules.FAMILY_CODE``, -1 = none).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..rules import _rules
from ._infer_edges import Dropdowns

# Below this fraction of a folder a dropdown is taken to filter by family.
SELECTIVE_COVERAGE = 0.6
SELECTIVE_MIN_FILES = 3


def hinting_nodes(dd: Dropdowns) -> np.ndarray:
    """The (server, node) keys whose dropdowns draw from a named folder: the loaders that may hint a family."""
    if dd.empty:
        return np.zeros(0, dtype=np.int64)
    return np.unique(dd.server_node[dd.named_folder])


def consulted_nodes(dd: Dropdowns, groups: DropdownGroups | None = None) -> np.ndarray:
    """The :func:`hinting_nodes` whose family hint can count: those with a dropdown into a folder that is not
    a shared core folder, or with a selective dropdown drawing from one folder only.

    A dropdown into a shared folder is specific only when it is selective (see :func:`loader_families`), and
    its hint counts nowhere else; so the other nodes' label texts need no family pass. ``groups``: the
    dropdown groups when the caller has them.
    """
    if dd.empty or not dd.named_folder.any():
        return np.zeros(0, dtype=np.int64)
    groups = dropdown_groups(dd) if groups is None else groups
    return np.unique(groups.node[~groups.shared | ((groups.n_folders == 1) & groups.selective)])


def node_hints(nodes: np.ndarray, consulted: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Family hint per :func:`hinting_nodes` ``nodes``: ``found`` for the ``consulted`` ones, -1 for the rest."""
    hints = np.full(len(nodes), -1, dtype=np.int64)
    hints[np.searchsorted(nodes, consulted)] = found
    return hints


@dataclass(frozen=True)
class DropdownGroups:
    """One group per (dropdown, folder) of the edges into a named folder."""

    named: np.ndarray  # per edge: offered from a named folder
    group: np.ndarray  # per named edge: its group
    node: np.ndarray  # per group: (server, node) key
    server_folder: np.ndarray  # per group: (server, folder) key
    n_options: np.ndarray  # per group: files its dropdown offers from the folder
    n_folders: np.ndarray  # per group: folders its dropdown draws from
    shared: np.ndarray  # per group: the folder is a shared core folder
    selective: np.ndarray  # per group: the dropdown covers a minority of a folder of SELECTIVE_MIN_FILES or more


def dropdown_groups(dd: Dropdowns) -> DropdownGroups:
    """The (dropdown, folder) groups of the edges into a named folder (``dd`` has some)."""
    named_folder = dd.named_folder
    dropdown, folder = dd.dropdown[named_folder], dd.folder[named_folder]
    # One group per (dropdown, folder); node and (server, folder) are functions of it.
    _, first, group = np.unique(dropdown * len(dd.folders) + folder, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    n_options = np.bincount(group)
    g_dropdown, g_folder = dropdown[first], folder[first]
    g_server_folder = dd.edge_server_folder[named_folder][first]
    _, per_dropdown, n_folders = np.unique(g_dropdown, return_inverse=True, return_counts=True)
    n_folders = n_folders[per_dropdown.reshape(-1)]
    n_files = np.bincount(dd.model_server_folder, minlength=int(g_server_folder.max()) + 1)[g_server_folder]
    coverage = n_options / np.where(n_files > 0, n_files, n_options)
    return DropdownGroups(
        named=named_folder, group=group, node=dd.server_node[named_folder][first], server_folder=g_server_folder,
        n_options=n_options, n_folders=n_folders, shared=_shared_folders(dd.folders)[g_folder],
        selective=(coverage < SELECTIVE_COVERAGE) & (n_files >= SELECTIVE_MIN_FILES),
    )  # fmt: skip


def loader_families(
    models: pd.DataFrame, dd: Dropdowns, hints: np.ndarray, groups: DropdownGroups | None = None
) -> np.ndarray:
    """Family code hinted by the specific loaders offering each row (-1 when none or they disagree).

    A dropdown (server, node, input) is specific for a folder when it draws from that folder only and
    either covers a minority of it (it filters by name) or the folder is pack-owned: not a shared core
    folder, and every dropdown offering it carries the same family hint. Files in folder "" (the server
    did not say) never get loader evidence: coverage of an unknown folder means nothing. ``hints`` is the
    family code of each of :func:`hinting_nodes` (only those of :func:`consulted_nodes` can count, see
    :func:`node_hints`); ``groups``: the dropdown groups when the caller has them.
    """
    out = np.full(len(models), -1, dtype=np.int64)
    named_folder = dd.named_folder if not dd.empty else np.zeros(0, dtype=bool)
    if not named_folder.any():
        return out
    nodes = hinting_nodes(dd)
    groups = dropdown_groups(dd) if groups is None else groups
    group, row = groups.group, dd.row[groups.named]
    g_hint = hints[np.searchsorted(nodes, groups.node)]
    _, per_folder = np.unique(groups.server_folder, return_inverse=True)
    low, high = _min_max(per_folder.reshape(-1), g_hint, int(per_folder.max()) + 1)
    owned = ((low == high) & (low >= 0))[per_folder.reshape(-1)]  # every dropdown of the folder: one hint
    specific = (groups.n_folders == 1) & (g_hint >= 0) & ((owned & ~groups.shared) | groups.selective)
    take = specific[group] & (row >= 0)
    if not take.any():
        return out
    low, high = _min_max(row[take], g_hint[group[take]], len(models))
    agreed = (high >= 0) & (low == high)
    out[agreed] = low[agreed]
    return out


def _min_max(keys: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per key 0..size-1: (min, max) of ``values`` (int64); keys without values get (max int, -1)."""
    low = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(size, -1, dtype=np.int64)
    np.minimum.at(low, keys, values)
    np.maximum.at(high, keys, values)
    return low, high


def _shared_folders(folders: np.ndarray) -> np.ndarray:
    """Per folder name: is it a core folder every family shares (rules/folder_kinds.csv)."""
    shared = _shared()
    return np.array([shared.get(f.lower(), False) for f in folders.tolist()], dtype=bool)


@cache
def _shared() -> dict[str, bool]:
    return {k: bool(v) for k, v in _rules.folder_kinds()["shared"].items()}
