"""One regex for a rule table: the alternation of its patterns, their shared leading class written once.

Rule patterns mostly start with a separator class; written once before the branches, a backtracking engine
(Python ``re``) tries the branches only where that class matches instead of at every character.
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
    """A pattern that matches where any of ``patterns`` does, the leading class most of them share written once.

    Rule patterns mostly start with a separator class (``[^a-z0-9]sd[ .]?xl``): ``[^a-z0-9](?:(?:sd[ .]?xl)|…)``
    matches the same texts, and a backtracking engine tries the branches only after a separator. Only for
    "does any match" (which pattern, and where, may differ): patterns whose top level is not that class
    followed by a sequence are kept whole.
    """
    lead = _common_lead(patterns)
    rests = [_after_lead(p, lead) if lead else None for p in patterns]
    shared = [r for r in rests if r is not None]
    if len(shared) < 2:
        return alternation(patterns)
    whole = [p for p, r in zip(patterns, rests) if r is None]
    return "|".join([f"{lead}(?:{alternation(shared)})", *(f"(?:{p})" for p in whole)])


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
