"""Field-aware normalisers for matching: titles, authors, journals, pages, volumes.

Every function here is pure and total: any string in, a normalised string (possibly empty) out.
The forms are for comparison only; records keep their text as imported. Three modules:
:mod:`~screener.dedup.normalize.text` (folding, titles, abstracts),
:mod:`~screener.dedup.normalize.names` (authors) and
:mod:`~screener.dedup.normalize.citation` (journals, volumes, issues, pages); import from here.
"""

from __future__ import annotations

from screener.dedup.normalize.citation import (
    is_supplement,
    journal_tokens,
    journals_match,
    normalize_issue,
    normalize_journal,
    normalize_page,
    normalize_pages,
    normalize_volume,
    supplement_number,
)
from screener.dedup.normalize.names import author_key, author_keys, pinyin_name
from screener.dedup.normalize.text import (
    ABSTRACT_SIGNATURE_MIN,
    ORDINAL_WORDS,
    abstract_signature,
    alternative_titles,
    fold,
    has_cjk,
    normalize_title,
    strip_language_tags,
    title_numbers,
)

__all__ = [
    "ABSTRACT_SIGNATURE_MIN",
    "ORDINAL_WORDS",
    "abstract_signature",
    "alternative_titles",
    "author_key",
    "author_keys",
    "fold",
    "has_cjk",
    "is_supplement",
    "journal_tokens",
    "journals_match",
    "normalize_issue",
    "normalize_journal",
    "normalize_page",
    "normalize_pages",
    "normalize_title",
    "normalize_volume",
    "pinyin_name",
    "strip_language_tags",
    "supplement_number",
    "title_numbers",
]
