"""The literal text a rule pattern cannot match without, for a cheap ``str in`` test before a regex search.

A rule pattern such as ``[^a-z0-9](?:t2v|txt2vid)[^a-z0-9]`` matches only texts holding "t2v" or "txt2vid";
testing those substrings costs a fraction of a regex search, so a pass over many texts searches only the
texts that hold one. :func:`required_literals` reads the pattern's structure (literal runs, classes,
groups, alternations, quantifiers); anything it does not know (lookarounds, flags, ...) gives None: no
filter, never a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Quantifiers: a following "?" (lazy) or "+" (possessive) changes how, not whether, the atom repeats.
_QUANTIFIER = re.compile(r"(?:[?*+]|\{([0-9]*)(?:,[0-9]*)?\})[?+]?")
_CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")
# Escapes of one character class or position (\d, \w, \b ...); other letter and digit escapes (\x41, \1, \n)
# are not modelled; any other escaped character stands for itself.
_ESCAPED_CLASS = frozenset("dDwWsSbBAZ")


class _Unknown(Exception):
    """A construct the reader does not model."""


# Most strings an exact set may hold: "(?:h|hn|hi noise) " is {"h ", "hn ", "hi noise "}, "(?:a|b)(?:c|d)" four.
EXACT_LIMIT = 16


@dataclass(frozen=True)
class _Part:
    """What a pattern part tells: ``needs`` (one of these substrings is in every match, None: nothing known) and
    ``exact`` (the part matches exactly one of these strings, None: not a finite set)."""

    needs: frozenset[str] | None
    exact: frozenset[str] | None


@lru_cache(maxsize=4096)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Substrings one of which every match of ``pattern`` contains (sorted), or None when none is known."""
    try:
        found, end = _alternation(pattern, 0)
    except (_Unknown, IndexError):
        return None
    if end != len(pattern) or found.needs is None or "" in found.needs:
        return None
    return tuple(sorted(found.needs))


def _alternation(pattern: str, i: int) -> tuple[_Part, int]:
    """The branches' needs (one of them in every match) and exact strings, united; the position after them."""
    branches: list[_Part] = []
    while True:
        found, i = _sequence(pattern, i)
        branches.append(found)
        if i < len(pattern) and pattern[i] == "|":
            i += 1
            continue
        needs = [b.needs for b in branches]
        exact = [b.exact for b in branches]
        return _Part(
            needs=None if any(n is None for n in needs) else frozenset().union(*(n for n in needs if n is not None)),
            exact=None if any(e is None for e in exact) else frozenset().union(*(e for e in exact if e is not None)),
        ), i


def _sequence(pattern: str, i: int) -> tuple[_Part, int]:
    """The best needs of a sequence (longest shortest substring, then fewest), its exact strings, and its end.

    Consecutive characters and groups of exact strings multiply out ("[ ](?:h|hn)[ ]" holds " h " or " hn "
    only if the classes were literal spaces); anything else ends the run.
    """
    candidates: list[frozenset[str]] = []
    run: frozenset[str] = frozenset([""])
    whole = True  # the sequence so far is one exact run

    def close() -> None:
        nonlocal run
        if "" not in run:
            candidates.append(run)
        run = frozenset([""])

    while i < len(pattern) and pattern[i] not in "|)":
        char, atom, i = _atom(pattern, i)
        quantifier = _QUANTIFIER.match(pattern, i)
        required = True
        if quantifier:
            i = quantifier.end()
            minimum = quantifier.group(1)
            required = quantifier.group().startswith("+") or bool(minimum and int(minimum) > 0)
        strings = frozenset([char]) if char is not None else atom.exact if atom is not None else None
        if strings is not None and required and len(run) * len(strings) <= EXACT_LIMIT:
            run = frozenset(r + s for r in run for s in strings)
            if not quantifier:
                continue
            # "ab+": "ab" is needed, what follows the repeats starts anew
        whole = False
        close()
        if atom is not None and required and atom.needs is not None:
            candidates.append(atom.needs)
    exact = run if whole else None
    close()
    if not candidates:
        return _Part(None, exact), i
    return _Part(max(candidates, key=lambda c: (min(map(len, c)), -len(c))), exact), i


def _atom(pattern: str, i: int) -> tuple[str | None, _Part | None, int]:
    """(the literal character, or what the group tells, or neither; position after the atom)."""
    char = pattern[i]
    if char == "\\":
        escaped = pattern[i + 1]
        if escaped in _ESCAPED_CLASS:
            return None, None, i + 2
        if escaped.isalnum() or not escaped.isascii():
            raise _Unknown(pattern)
        return escaped, None, i + 2
    if char == "[":
        bracket = _CLASS.match(pattern, i)
        if bracket is None:
            raise _Unknown(pattern)
        return None, None, bracket.end()
    if char == "(":
        if pattern.startswith("(?:", i):
            i += 3
        elif pattern.startswith("(?P<", i):
            i = pattern.index(">", i) + 1
        elif pattern.startswith("(?", i):
            raise _Unknown(pattern)  # lookaround, flags, backreference
        else:
            i += 1
        found, i = _alternation(pattern, i)
        if pattern[i] != ")":
            raise _Unknown(pattern)
        return None, found, i + 1
    if char in ".^$":
        return None, None, i + 1
    if char in "*+?{" and not (char == "{" and not _QUANTIFIER.match(pattern, i)):
        raise _Unknown(pattern)  # a quantifier with nothing to repeat
    return char, None, i + 1
