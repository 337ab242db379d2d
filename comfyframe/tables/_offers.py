"""Which model files each dropdown offers: the matching behind the ``edges`` and ``models`` tables.

A dropdown input offers a model when its options match files the server listed
under ``/models/{folder}`` — found by matching, never by input names. A name
listed in several folders is given the folder(s) where that input finds most of
its options. Options that look like model files but were not listed (a node
scanning its own directory, an old server without ``/models``) still become
models, with ``listed=False``, so no file is lost.

A combined loader (model dropdowns drawing from two or more folders, e.g. 0.8.0's
``LTXAVTextEncoderLoader``: a text encoder plus any checkpoint) that offers every
file of a folder says nothing about what each of those files is: its outputs
belong to the combination (:func:`whole_folder_inputs`).

The result is one :data:`Offer` per dropdown, not one tuple per edge: thousands of
edges come from a few hundred dropdowns that share a few dozen option lists, so
dropdowns with equal options share one list of (folder, name) pairs and the tables
are built per list, not per edge.
"""

from __future__ import annotations

from collections import Counter

from ..rules._rules import loader_folders
from ..snapshot._snapshot import Snapshot
from ._nodes import ParsedNodes

Pairs = list[tuple[str, str]]  # (folder, name) of each file a dropdown offers, without repeats
Offer = tuple[str, str, str, str, Pairs]  # node, input, section, format, pairs (edges: one per pair)
WHOLE_FOLDER_MIN_FILES = 3  # smaller folders: offering all of them is no sign of indifference


def listed_files(snapshot: Snapshot) -> dict[str, list[str]]:
    """name → folders that list it, in the server's folder order."""
    where: dict[str, list[str]] = {}
    for folder in snapshot.model_folders or []:
        for name in snapshot.folder_files(folder) or []:
            folders = where.setdefault(name, [])
            if folder not in folders:
                folders.append(folder)
    if snapshot.model_folders is None:
        # Servers before /models still list embeddings (without extension).
        for name in snapshot.embeddings or []:
            where.setdefault(name, ["embeddings"])
    return where


def match_offers(snapshot: Snapshot, parsed: ParsedNodes, listed: dict[str, list[str]]) -> list[Offer]:
    """What each dropdown offers: model files listed, or model-like and unlisted (folder '').

    The edges are the offers' pairs in order, each (node, input, section, format, folder, name) once.
    """
    # How many of each input's options every folder holds: an input's "home" folder.
    # Needed only for inputs offering a name that several folders list ("torn" inputs).
    several = {name for name, folders in listed.items() if len(folders) > 1}
    torn = {(node, input_name) for node, input_name, _section, _fmt, options in parsed.dropdowns
            if not several.isdisjoint(options)} if several else set()  # fmt: skip
    home: Counter[tuple[str, str, str]] = Counter()
    for node, input_name, _section, _fmt, options in parsed.dropdowns if torn else ():
        if (node, input_name) in torn:
            for option in options:
                for folder in listed.get(option, ()):
                    home[(node, input_name, folder)] += 1
    old_server = snapshot.model_folders is None
    fallback = _fallback_folders(parsed) if old_server else {}
    only_folder = {name: folders[0] for name, folders in listed.items() if len(folders) == 1}
    shared: dict[int, Pairs] = {}  # id(options) -> pairs: dropdowns with one options list share its pairs
    offers: list[Offer] = []
    emitted: dict[tuple[str, str, str, str], list[Pairs]] = {}
    for node, input_name, section, fmt, options in parsed.dropdowns:
        if not old_server and (node, input_name) not in torn:  # every option in one folder, or unlisted ('')
            pairs = shared.get(id(options))
            if pairs is None:
                pairs = shared[id(options)] = list(dict.fromkeys([(only_folder.get(o, ""), o) for o in options]))
        else:
            pairs = list(dict.fromkeys(_chosen_pairs(node, input_name, options, listed, home, fallback)))
        key = (node, input_name, section, fmt)
        earlier = emitted.setdefault(key, [])
        if earlier:  # the same dropdown again (rare): only the edges it has not offered yet
            seen = {pair for previous in earlier for pair in previous}
            pairs = [pair for pair in pairs if pair not in seen]
        earlier.append(pairs)
        if pairs:
            offers.append((node, input_name, section, fmt, pairs))
    return offers


def _chosen_pairs(
    node: str,
    input_name: str,
    options: list[str],
    listed: dict[str, list[str]],
    home: Counter[tuple[str, str, str]],
    fallback: dict[tuple[str, str, str], str],
) -> list[tuple[str, str]]:
    """(folder, option) pairs of one dropdown: its home folder(s) for names several folders list."""
    pairs = []
    for option in options:
        folders = listed.get(option)
        if folders is None:
            chosen = [fallback.get((node, input_name, option), "")]
        elif len(folders) == 1:
            chosen = folders
        else:
            best = max(home[(node, input_name, f)] for f in folders)
            chosen = [f for f in folders if home[(node, input_name, f)] == best]
        pairs += [(folder, option) for folder in chosen]
    return pairs


def _fallback_folders(parsed: ParsedNodes) -> dict[tuple[str, str, str], str]:
    """Without ``/models``: core loaders name their folder; other inputs borrow it by shared options."""
    table = loader_folders()
    known = dict(zip(zip(table["node"], table["input"]), table["folder"]))
    by_option: dict[str, str] = {}
    for node, input_name, _section, _fmt, options in parsed.dropdowns:
        folder = known.get((node, input_name))
        if folder is not None:
            for option in options:
                by_option.setdefault(option, folder)
    return {
        (node, input_name, option): known.get((node, input_name)) or by_option.get(option, "")
        for node, input_name, _section, _fmt, options in parsed.dropdowns for option in options
    }


def whole_folder_inputs(snapshot: Snapshot, offers: list[Offer]) -> set[tuple[str, str, str]]:
    """(node, input, folder) of combined loaders' dropdowns that offer every file of the folder."""
    folders_in: dict[int, set[str]] = {}  # id(pairs) -> the known folders they draw from
    folders_of: dict[str, dict[str, set[str]]] = {}  # node -> input -> folders its dropdowns draw from
    for node, input_name, _section, _fmt, pairs in offers:
        folders = folders_in.get(id(pairs))
        if folders is None:
            folders = folders_in[id(pairs)] = {folder for folder, _name in pairs if folder}
        if folders:
            folders_of.setdefault(node, {}).setdefault(input_name, set()).update(folders)
    # combined: another dropdown of the node draws from folders without this one, i.e. not all of the
    # node's dropdowns hold the folder
    combined: set[tuple[str, str, str]] = set()
    for node, inputs in folders_of.items():
        if len(inputs) > 1:
            holders = Counter(folder for folders in inputs.values() for folder in folders)
            combined.update((node, input_name, folder) for input_name, folders in inputs.items()
                            for folder in folders if holders[folder] < len(inputs))  # fmt: skip
    if not combined:
        return set()
    combined_inputs = {(node, input_name) for node, input_name, _folder in combined}
    offered: dict[tuple[str, str, str], set[str]] = {}
    for node, input_name, _section, _fmt, pairs in offers:
        if (node, input_name) not in combined_inputs:
            continue
        for folder, name in pairs:
            if (node, input_name, folder) in combined:
                offered.setdefault((node, input_name, folder), set()).add(name)
    whole = set()
    sizes: dict[str, int] = {}
    for (node, input_name, folder), names in offered.items():
        size = sizes.get(folder)
        if size is None:
            size = sizes[folder] = len(set(snapshot.folder_files(folder) or ()))
        if size >= WHOLE_FOLDER_MIN_FILES and len(names) >= size:
            whole.add((node, input_name, folder))
    return whole
