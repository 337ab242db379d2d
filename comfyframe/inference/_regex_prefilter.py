"""Which texts can match a pattern: a cheap ``str in`` test for the literals it needs before a regex search.

The literals come from :func:`~comfyframe.inference._infer_literals.required_literals`; a test costs about a tenth of a
search, so a Python pass searches only the texts holding one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import accumulate

from ._infer_literals import required_literals


@lru_cache(maxsize=4096)
def _filter_literals(pattern: str) -> tuple[str, ...]:
    """The :func:`~comfyframe.inference._infer_literals.required_literals` worth testing before a search: at most
    FILTER_LITERALS, none a single character (which nearly every text holds); () when none are."""
    literals = required_literals(pattern)
    if literals is None or len(literals) > FILTER_LITERALS or min(map(len, literals)) < 2:
        return ()
    return literals


# Above this many substrings, testing each costs about what the search would (measured: ~50 ns a test, 0.3-1 µs a
# search of a rule alternation).
FILTER_LITERALS = 8


# Most substrings a rule table's prefilter tests (each costs one ``str.find`` over the joined texts).
TABLE_LITERALS = 64


@cache
def _table_literals(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Substrings one of which every match of any of ``patterns`` holds; () when some pattern has none worth
    testing (a single character) or there are over TABLE_LITERALS."""
    found: set[str] = set()
    for pattern in patterns:
        literals = required_literals(pattern)
        if literals is None or min(map(len, literals)) < 2:
            return ()
        found.update(literals)
    return tuple(sorted(found)) if len(found) <= TABLE_LITERALS else ()


class _Joined:
    """Printable texts joined by a newline (which none holds): which texts hold a substring is then a few
    ``str.find`` calls over one string instead of a test per text (a substring across a newline, which no rule
    literal holds, would only add a text to search)."""

    def __init__(self, values: list[str]) -> None:
        self.text = "\n".join(values)
        self.starts = list(accumulate((len(v) + 1 for v in values), initial=0))  # each text's start, then the end

    def holding(self, literals: Sequence[str]) -> list[int]:
        """Positions of the texts that hold at least one of ``literals``, in order."""
        found: set[int] = set()
        text, starts = self.text, self.starts
        for literal in literals:
            at = text.find(literal)
            while at >= 0:
                index = bisect_right(starts, at) - 1
                found.add(index)
                at = text.find(literal, starts[index + 1])
        return sorted(found)


def _holding(values: list[str], literals: tuple[str, ...]) -> list[int]:
    """Positions of the values that hold at least one of ``literals``, in order."""
    if len(literals) == 1:
        literal = literals[0]
        return [i for i, v in enumerate(values) if literal in v]
    return sorted({i for x in literals for i, v in enumerate(values) if x in v})
