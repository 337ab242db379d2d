"""The literal text a rule pattern cannot match without, for a cheap ``str in`` test before a regex search.

A rule pattern such as ``[^a-z0-9](?:t2v|txt2vid)[^a-z0-9]`` matches only texts holding "t2v" or "txt2vid";
testing those substrings costs a fraction of a regex search, so a pass over many texts searches only the
texts that hold one. :func:`required_literals` reads the pattern's structure (literal runs, classes,
groups, alternations, quantifiers); anything it does not know (lookarounds, flags, ...) gives None: no
filter, never a wrong one.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Quantifiers: a following "?" (lazy) or "+" (possessive) changes how, not whether, the atom repeats.
_QUANTIFIER = re.compile(r"(?:[?*+]|\{([0-9]*)(?:,[0-9]*)?\})[?+]?")
_CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")
# Escapes of one character class or position (\d, \w, \b ...); other letter and digit escapes (\x41, \1, \n)
# are not modelled; any other escaped character stands for itself.
_ESCAPED_CLASS = frozenset("dDwWsSbBAZ")


class _Unknown(Exception):
    """A construct the reader does not model."""


@lru_cache(maxsize=4096)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Substrings one of which every match of ``pattern`` contains (sorted), or None when none is known."""
    try:
        found, end = _alternation(pattern, 0)
    except (_Unknown, IndexError):
        return None
    if end != len(pattern) or found is None:
        return None
    return tuple(sorted(found))


def _alternation(pattern: str, i: int) -> tuple[frozenset[str] | None, int]:
    """(literals one of which each branch needs, or None if some branch needs none; position after it)."""
    branches: list[frozenset[str] | None] = []
    while True:
        found, i = _sequence(pattern, i)
        branches.append(found)
        if i < len(pattern) and pattern[i] == "|":
            i += 1
            continue
        if any(b is None for b in branches):
            return None, i
        return frozenset().union(*(b for b in branches if b is not None)), i


def _sequence(pattern: str, i: int) -> tuple[frozenset[str] | None, int]:
    """The best literal set of a sequence (longest shortest literal, then fewest), and its end."""
    candidates: list[frozenset[str]] = []
    run = ""

    def close() -> None:
        nonlocal run
        if run:
            candidates.append(frozenset([run]))
        run = ""

    while i < len(pattern) and pattern[i] not in "|)":
        char, atom, i = _atom(pattern, i)
        quantifier = _QUANTIFIER.match(pattern, i)
        required = True
        if quantifier:
            i = quantifier.end()
            minimum = quantifier.group(1)
            required = quantifier.group().startswith("+") or bool(minimum and int(minimum) > 0)
        if char is not None and required and not quantifier:
            run += char
            continue
        if char is not None and required:  # "ab+": "ab" is needed, what follows the repeats starts anew
            run += char
        close()
        if atom is not None and required:
            candidates.append(atom)
    close()
    if not candidates:
        return None, i
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c))), i


def _atom(pattern: str, i: int) -> tuple[str | None, frozenset[str] | None, int]:
    """(the literal character, or the group's literal set, or neither; position after the atom)."""
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
