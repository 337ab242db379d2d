"""The dropdown edges and nodes, keyed by integer codes shared with the models table.

Discovery tables hold strings; a server with many loaders has hundreds of thousands of edges. Factorising
each key column once (jointly across models, edges and nodes) turns every later join and group-by into
integer work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._text_columns import as_text, codes_in, joint_codes, objects_at

EDGE_COLUMNS = ("server", "node", "input", "folder", "name")


def _joint(*columns: pd.Series) -> tuple[list[np.ndarray], np.ndarray]:
    """Codes of several string columns in one shared code space, and the distinct values (NA counts as "")."""
    sizes = [len(c) for c in columns]
    found = joint_codes(columns)
    if found is None:
        stacked = pd.concat([as_text(c) for c in columns], ignore_index=True)
        codes, distinct = pd.factorize(stacked, use_na_sentinel=False)
        found = codes.astype(np.int64), np.asarray(distinct, dtype=object)
    return np.split(found[0], np.cumsum(sizes)[:-1]), found[1]


@dataclass(frozen=True)
class Dropdowns:
    """Distinct (dropdown, file) edges as codes. A dropdown is one (server, node, input)."""

    row: np.ndarray  # model row offered (-1: the file is not in the models table)
    folder: np.ndarray  # folder code of the offered file
    dropdown: np.ndarray  # (server, node, input) key
    server_node: np.ndarray  # (server, node) key
    input: np.ndarray  # input-name code
    folders: np.ndarray  # folder code -> folder name
    inputs: np.ndarray  # input-name code -> input name
    nodes: pd.DataFrame  # the nodes table (read by position)
    node_keys: np.ndarray  # distinct (server, node) keys of the nodes table that edges name, sorted
    node_rows: np.ndarray  # nodes-table position of each key's first row
    node_names: np.ndarray  # node code -> node class name (server_node % len(node_names))
    model_server_folder: np.ndarray  # per model row: (server, folder) key
    model_folder: np.ndarray  # per model row: folder code
    edge_server_folder: np.ndarray  # per edge: (server, folder) key

    @property
    def empty(self) -> bool:
        return len(self.row) == 0

    @property
    def named_folder(self) -> np.ndarray:
        """Per edge: the file is offered from a named folder (not "")."""
        return (self.folders != "")[self.folder] if len(self.folders) else np.zeros(len(self.folder), dtype=bool)

    def _rows(self, server_node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(has a nodes row, its position) per (server, node) key."""
        if len(self.node_keys) == 0:
            return np.zeros(len(server_node), dtype=bool), np.zeros(len(server_node), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.node_keys, server_node), len(self.node_keys) - 1)
        return self.node_keys[at] == server_node, self.node_rows[at]

    def text_of(self, server_node: np.ndarray) -> np.ndarray:
        """Node name, display name, category and package of each (server, node) key."""
        out = self.node_names[server_node % len(self.node_names)].astype(object)
        found, rows = self._rows(server_node)
        if found.any():
            at = rows[found]
            text = _node_text(self.nodes["node"], at)
            for column in ("display_name", "category", "package"):
                if column in self.nodes.columns:
                    text = text + " " + _node_text(self.nodes[column], at)
            out[found] = text
        return out

    def by_folder(self, mapping: dict[str, str], index: dict[str, int]) -> np.ndarray:
        """Code (in ``index``, -1 when absent) of ``mapping[folder.lower()]`` per model row, looked up once per
        distinct folder."""
        folders = self.folders.tolist()
        if all(isinstance(f, str) and f.isascii() for f in folders):
            lowered = [f.lower() for f in folders]
        else:  # Arrow's Unicode lower-casing, as for every other text
            lowered = as_text(self.folders).str.lower().tolist()
        table = np.array([index.get(mapping.get(f, ""), -1) for f in lowered] + [-1], dtype=np.int64)
        return table[self.model_folder]

    def outputs_of(self, server_node: np.ndarray) -> list[tuple[str, ...] | None]:
        """Output types of each (server, node) key (None when the nodes table lacks it)."""
        found, rows = self._rows(server_node)
        out: list[tuple[str, ...] | None] = [None] * len(server_node)
        at = np.flatnonzero(found)
        if "output_types" not in self.nodes.columns:
            for i in at.tolist():
                out[i] = ()
            return out
        produced = self.nodes["output_types"].to_numpy(dtype=object)[rows[at]]
        for i, value in zip(at.tolist(), produced.tolist()):
            out[i] = tuple(value) if isinstance(value, (tuple, list)) else ()
        return out


def _node_text(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``column`` at positions ``rows`` as str cells, NA as "" (an object array: ``+`` joins cell by cell)."""
    if isinstance(column.dtype, pd.StringDtype):
        return objects_at(column, rows)
    return column.iloc[rows].astype(object).fillna("").astype(str).to_numpy(dtype=object)


def _edge_columns(edges: pd.DataFrame | None) -> tuple[dict[str, pd.Series], np.ndarray | None]:
    """(the EDGE_COLUMNS of ``edges``, the positions of the edges to keep, None: all).

    Combined loaders offering a whole folder give no evidence: their edges are dropped after the key columns
    are coded (integer positions; filtering the text columns first costs more than coding them whole).
    """
    if edges is None or edges.empty or not set(EDGE_COLUMNS) <= set(edges.columns):
        return {c: pd.Series([], dtype=object) for c in EDGE_COLUMNS}, None
    keep = None
    if "whole_folder" in edges.columns:
        whole = edges["whole_folder"].to_numpy(dtype=bool, na_value=False)
        if whole.all():
            return {c: pd.Series([], dtype=object) for c in EDGE_COLUMNS}, None
        keep = np.flatnonzero(~whole) if whole.any() else None
    return {c: edges[c] for c in EDGE_COLUMNS}, keep


def dropdowns(models: pd.DataFrame, edges: pd.DataFrame | None, nodes: pd.DataFrame | None) -> Dropdowns:
    """Index the edges (and nodes) against the models table."""
    n = len(models)
    edges, kept = _edge_columns(edges)
    if nodes is None or not {"server", "node"} <= set(nodes.columns):
        nodes = pd.DataFrame({"server": [], "node": []})
    blank = pd.Series([""] * n, dtype=object) if not {"server", "folder", "name"} <= set(models.columns) else None
    (m_server, e_server, n_server), _ = _joint(models.get("server", blank), edges["server"], nodes["server"])
    (m_folder, e_folder), folders = _joint(models.get("folder", blank), edges["folder"])
    (m_name, e_name), names = _joint(models.get("name", blank), edges["name"])
    [e_node], node_names = _joint(edges["node"])
    n_node = codes_in(nodes["node"], node_names)  # -1: a node no edge names (never looked up)
    [e_input], inputs = _joint(edges["input"])
    if kept is not None:
        e_server, e_folder, e_name, e_node, e_input = (c[kept] for c in (e_server, e_folder, e_name, e_node, e_input))
    n_folders, n_names, n_nodes = max(len(folders), 1), max(len(names), 1), max(len(node_names), 1)
    model_file = (m_server * n_folders + m_folder) * n_names + m_name
    edge_file = (e_server * n_folders + e_folder) * n_names + e_name
    edge_node = e_server * n_nodes + e_node
    distinct = {"file": edge_file, "dropdown": edge_node * max(len(inputs), 1) + e_input,
                "node": edge_node, "input": e_input, "folder": e_folder}  # fmt: skip
    n_dropdowns = int(distinct["dropdown"].max()) + 1 if len(edge_file) else 1
    if len(edge_file) and int(distinct["file"].max()) < np.iinfo(np.int64).max // n_dropdowns:
        # one int64 key hashes far faster than a two-column drop_duplicates
        keep = ~pd.Index(distinct["file"] * n_dropdowns + distinct["dropdown"]).duplicated()
    else:
        keep = ~pd.DataFrame(distinct).duplicated(["file", "dropdown"]).to_numpy()
    distinct = {k: v[keep] for k, v in distinct.items()}
    keys, first = np.unique(model_file, return_index=True)
    file = distinct["file"]
    row = np.full(len(file), -1, dtype=np.int64)
    if len(keys):
        at = np.minimum(np.searchsorted(keys, file), len(keys) - 1)
        hit = keys[at] == file
        row[hit] = first[at[hit]]
    named = np.flatnonzero(n_node >= 0)
    node_keys, first_row = np.unique(n_server[named] * n_nodes + n_node[named], return_index=True)
    node_rows = named[first_row]  # the first nodes-table row of each node class
    return Dropdowns(
        row=row, folder=distinct["folder"], dropdown=distinct["dropdown"],
        server_node=distinct["node"], input=distinct["input"], folders=folders, inputs=inputs,
        nodes=nodes, node_keys=node_keys, node_rows=node_rows,
        node_names=node_names if len(node_names) else np.array([""], dtype=object),
        model_server_folder=m_server * n_folders + m_folder, model_folder=m_folder,
        edge_server_folder=(distinct["node"] // n_nodes) * n_folders + distinct["folder"],
    )  # fmt: skip
