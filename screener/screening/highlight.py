"""Where the review's include and exclude terms occur in a title or abstract.

A term matches case-insensitively at the start of a word, as a prefix: ``prescrib`` marks
"prescribing" and "Prescribers" but not "overprescribing". Terms in Chinese, Japanese or Korean
script match anywhere, as those scripts do not separate words with spaces. Overlapping matches
keep the one that starts first (then the longer one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Span", "highlight_spans"]


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str  # "include" or "exclude"


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


def _pattern_for(term: str) -> str:
    body = re.escape(term)
    return body if _is_cjk(term[0]) else r"(?<!\w)" + body


@lru_cache(maxsize=16)
def _compile(terms: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    if not terms:
        return None
    kinds: dict[str, str] = {}
    for term, kind in terms:
        kinds.setdefault(term.lower(), kind)  # a term listed under both kinds counts as include
    # Longest terms first, so "peer comparison" wins over "peer" at the same place.
    words = sorted(kinds, key=len, reverse=True)
    return re.compile("|".join(_pattern_for(w) for w in words), re.IGNORECASE), kinds


def highlight_spans(
    text: str, include_terms: Iterable[str], exclude_terms: Iterable[str]
) -> list[Span]:
    """Non-overlapping spans of ``text`` matching the terms, in order.

    Parameters
    ----------
    text
        A title or abstract.
    include_terms, exclude_terms
        The review's highlight terms (empty and blank terms are ignored).
    """
    terms = tuple(
        sorted(
            {(t.strip(), "include") for t in include_terms if t.strip()}
            | {(t.strip(), "exclude") for t in exclude_terms if t.strip()},
            key=lambda tk: (tk[1] != "include", tk[0]),
        )
    )
    compiled = _compile(terms)
    if compiled is None or not text:
        return []
    pattern, kinds = compiled
    return [
        Span(m.start(), m.end(), kinds.get(m.group(0).lower(), "include"))
        for m in pattern.finditer(text)
    ]
