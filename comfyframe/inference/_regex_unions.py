"""One regex for a rule table: the alternation of its patterns, their shared leading class written once.

Rule patterns mostly start with a separator class; written once before the branches, a backtracking engine
(Python ``re``) tries the branches only where that class matches instead of at every character. For "does any
match" (:func:`factored_union`) the patterns are grouped by their leading tokens all the way down (a trie), so
that only the branches whose first letters match are tried.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache


def alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


_LEADING_CLASS = re.compile(r"\[\^?\]?[^\]]*\]")


@cache
def factored_union(patterns: tuple[str, ...]) -> str:
    """A pattern that matches where any of ``patterns`` does, written as a trie of their leading tokens.

    Rule patterns mostly start with a separator class (``[^a-z0-9]sd[ .]?xl``): ``[^a-z0-9](?:sd(?:…)|…)``
    matches the same texts, and a backtracking engine tries the branches only after a separator, and of those
    only the ones whose next letter matches. Only for "does any match" (which pattern, and where, may differ):
    patterns with a top-level ``|`` are kept whole.
    """
    sequences = [p for p in patterns if _after_lead(p, "") is not None]
    whole = [p for p in patterns if _after_lead(p, "") is None]
    return "|".join([*_by_first_token(sequences), *(f"(?:{p})" for p in whole)])


def _by_first_token(alternatives: list[str]) -> list[str]:
    """Branches matching what ``alternatives`` do (sequences: no top-level ``|``): those that start with the
    same token, a letter, a digit or a bracket class without escapes, not quantified, written
    ``token(?:a|b|…)``, their rests grouped alike; the others as they are. Branch order follows first use."""
    groups: dict[str, list[str]] = {}
    order: list[tuple[bool, str]] = []  # (grouped, token or alternative)
    for alternative in alternatives:
        token = _first_token(alternative)
        if token is None:
            order.append((False, alternative))
            continue
        if token not in groups:
            groups[token] = []
            order.append((True, token))
        groups[token].append(alternative[len(token) :])
    branches = []
    for grouped, key in order:
        if not grouped:
            branches.append(f"(?:{key})")
        elif len(groups[key]) == 1:
            branches.append(f"(?:{key}{groups[key][0]})")
        else:
            branches.append(f"{key}(?:{'|'.join(_by_first_token(groups[key]))})")
    return branches


def _first_token(pattern: str) -> str | None:
    """The leading letter, digit or escape-free bracket class of ``pattern`` when no quantifier follows it."""
    first = pattern[:1]
    if first.isascii() and first.isalnum():
        token = first
    elif (m := _LEADING_CLASS.match(pattern)) and "\\" not in m.group():
        token = m.group()
    else:
        return None
    return token if pattern[len(token) : len(token) + 1] not in ("*", "+", "?", "{") else None


def ordered_alternation(patterns: Sequence[str]) -> str:
    """The alternation of ``patterns`` (same matches, same winner at each position: leftmost-first), each run
    of consecutive patterns that start with the most shared leading class written ``class(?:a|b|…)``.

    The class matches one character, so ``class(?:a|b)`` tries exactly what ``(?:class a)|(?:class b)`` does,
    in the same order; a backtracking engine tries the run's branches only where the class matches.
    """
    lead = _common_lead(tuple(patterns))
    parts: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            parts.append(f"{lead}(?:{alternation(run)})" if len(run) > 1 else f"(?:{lead}{run[0]})")
            run.clear()

    for pattern in patterns:
        rest = _after_lead(pattern, lead) if lead else None
        if rest is not None:
            run.append(rest)
            continue
        close_run()
        parts.append(f"(?:{pattern})")
    close_run()
    return "|".join(parts)


@cache
def _common_lead(patterns: tuple[str, ...]) -> str:
    """The bracket class most patterns start with ("" when none): one character, no escapes inside."""
    leads = [m.group() for p in patterns if (m := _LEADING_CLASS.match(p)) and "\\" not in m.group()]
    return max(sorted(set(leads)), key=leads.count) if leads else ""


def _after_lead(pattern: str, lead: str) -> str | None:
    """What follows ``lead`` when ``pattern`` is ``lead`` then a sequence: no quantifier on the lead and no
    top-level ``|`` (scanned past escapes, classes and groups); None otherwise."""
    rest = pattern[len(lead):]
    if not pattern.startswith(lead) or not rest or rest[0] in "*+?{":
        return None
    depth, i, in_class = 0, 0, False
    while i < len(rest):
        c = rest[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            i += rest.startswith("^", i)
            i += rest.startswith("]", i)  # a "]" first in a class is a literal in both engines
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return None
        i += 1
    return rest
