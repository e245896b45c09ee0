"""What the matcher knows about one record: normalised fields, kind flags and blocking keys.

:func:`features` runs once per record, so comparing a pair only reads prepared values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from screener.dedup.normalize import (
    ORDINAL_WORDS,
    alternative_titles,
    author_keys,
    has_cjk,
    is_supplement,
    journal_tokens,
    normalize_issue,
    normalize_journal,
    normalize_pages,
    normalize_title,
    normalize_volume,
    supplement_number,
    title_numbers,
)
from screener.records import Record, normalize_doi, normalize_issn

__all__ = ["Features", "Kind", "features", "completeness"]


class Kind:
    """What a record is, where that changes whether it may merge automatically."""

    ARTICLE = ""
    ERRATUM = "erratum"
    RETRACTION = "retraction"
    COMMENT = "comment"
    CONFERENCE = "conference"


_ERRATUM = re.compile(
    r"^(?:erratum|errata|correction|corrigendum|corrigenda|addendum|"
    r"notice of correction|publisher'?s? note|author correction)\b",
    re.I,
)
_ERRATUM_ANY = re.compile(r"\b(?:erratum|corrigendum)\b", re.I)
_RETRACTION = re.compile(
    r"^(?:retraction|retracted|withdrawn|notice of retraction|"
    r"expression of concern)\b",
    re.I,
)
_COMMENT = re.compile(
    r"^(?:comment(?:ary)? on|re:|reply|response to|in reply|author'?s'? reply|"
    r"letter to the editor|a reply to)\b|[-:]\s*(?:reply|authors'? reply|response)\s*\.?$",
    re.I,
)
_ERRATUM_CITATION = re.compile(
    r"\((?:vol\.? \d+[^)]*|[^()]*\(\d{4}\) \d+[^()]*\([^()]*\))\)\s*\.?\s*$", re.I
)
_PUB_TYPE_KIND = (
    ("published erratum", Kind.ERRATUM),
    ("erratum", Kind.ERRATUM),
    ("correction", Kind.ERRATUM),
    ("retraction", Kind.RETRACTION),
    ("retracted", Kind.RETRACTION),
    ("comment", Kind.COMMENT),
    ("conference abstract", Kind.CONFERENCE),
    ("conference", Kind.CONFERENCE),
    ("congress", Kind.CONFERENCE),
    ("meeting abstract", Kind.CONFERENCE),
)
_SUPPLEMENTS = re.compile(r"\bsupplements?\b", re.I)
_JOURNAL_WORD = re.compile(r"\bjournal\b", re.I)
_CONFERENCE_COLON = re.compile(r"\bconference:", re.I)
_CONFERENCE_VENUE = re.compile(r"\b(?:conference|congress|meeting|symposium|workshop)\b", re.I)


@dataclass(frozen=True, slots=True)
class Features:
    """Normalised fields of one record, as the comparison reads them."""

    doi: str
    pmid: str
    pmcid: str
    title: str  # normalised (see normalize_title)
    title_compact: str  # without spaces, for edit-distance similarity
    title_en: str  # a Chinese record's English title, normalised
    title_alts: tuple[str, ...]  # other titles it carries (translations), compact
    cjk: bool  # the title is Chinese
    generic: bool  # "Editorial", "Editor's comments" ...: says nothing
    column: bool  # mostly such words: a recurring column's title
    numbers: frozenset[str]  # numbers in the title ("part 2", years ...)
    authors: tuple[tuple[str, str], ...]  # (family, initials)
    year: int | None
    journal: tuple[str, ...]  # significant journal words
    issn: str
    volume: str
    issue: str
    supplement: str  # the supplement's number, when in one
    page_first: str
    page_last: str
    abstract: str  # normalised, first 300 characters
    abstract_full: str  # the whole abstract as imported (the record's own string)
    kind: str
    keys: tuple[str, ...]  # blocking keys


# Words one of the title patterns below needs; a title with none of them skips the patterns.
_KIND_HINTS = (
    "errat",
    "corrig",
    "correct",
    "addend",
    "retract",
    "withdrawn",
    "concern",
    "comment",
    "reply",
    "response",
    "re:",
    "letter",
    "publisher",
    "notice",
    "(vol",
)


def _kind(record: Record, title: str) -> str:
    raw_title = record.title.strip()
    lowered = raw_title.lower()
    if any(hint in lowered for hint in _KIND_HINTS):
        if _RETRACTION.match(raw_title):
            return Kind.RETRACTION
        if (
            _ERRATUM.match(raw_title)
            or _ERRATUM_ANY.search(raw_title[:80].split("[")[0])
            or _ERRATUM_CITATION.search(raw_title)
        ):
            return Kind.ERRATUM
        if _COMMENT.search(raw_title):
            return Kind.COMMENT
    if record.pub_types:
        types = " ".join(record.pub_types).lower()
        for needle, kind in _PUB_TYPE_KIND:
            if needle in types:
                return kind
    return _venue_kind(record.journal, record.volume, record.issue)


@lru_cache(maxsize=50_000)
def _venue_kind(venue: str, volume: str, issue: str) -> str:
    if is_supplement(volume, issue) or _SUPPLEMENTS.search(venue):
        return Kind.CONFERENCE  # supplement issues hold meeting abstracts
    if (
        venue
        and _CONFERENCE_VENUE.search(venue)
        and (not _JOURNAL_WORD.search(venue) or _CONFERENCE_COLON.search(venue))
    ):
        return Kind.CONFERENCE
    return Kind.ARTICLE


_KEY_STOP = {
    "a",
    "an",
    "the",
    "of",
    "in",
    "on",
    "and",
    "or",
    "for",
    "to",
    "with",
    "by",
    "at",
    "from",
    "is",
    "are",
    "as",
    "its",
    "their",
    "de",
    "la",
    "le",
    "les",
    "des",
    "der",
    "die",
    "und",
    "el",
}


_GENERIC_WORDS = frozenset(
    """
editorial editorials editor editors s comments comment commentary introduction introductory notes
note preface foreword letter letters reply replies response responses erratum errata correction
corrections corrigendum news book books review reviews announcement announcements obituary index
abstracts abstract contents table acknowledgement acknowledgements acknowledgment reviewers issue
this in the to from a an of and on for special section sections message president presidents guest
welcome overview summary conclusion conclusions discussion update updates highlights calendar events
report reports proceedings symposium retraction notice notices retracted withdrawn authors author
invited remarks opening closing address keynote front matter back cover title page masthead
""".split()
)


def is_generic_title(norm_title: str) -> bool:
    """True for titles that name a kind of item, not a work ("Editorial", "Editor's comments",
    "Introduction to this issue"): such titles match only with an identifier or a full citation."""
    return _generic_and_column(norm_title.split())[0]


def _generic_and_column(words: list[str]) -> tuple[bool, bool]:
    """(generic title, recurring column's title): all of at most six words, or half of the words,
    are words like "editorial", "comments", "introduction"."""
    if not words:
        return True, False
    hits = sum(1 for w in words if w in _GENERIC_WORDS)
    generic = len(words) <= 6 and hits + sum(1 for w in words if w.isdigit()) == len(words)
    return generic, hits * 2 >= len(words)


# A footnote marker typed into a title: "..., focusing on employee representation 1".
_FOOTNOTE_RAW = re.compile(r"[a-z]{5,} [1-3]\s*$")
_FOOTNOTE = re.compile(r" [1-3]$")
_NUMBERING = re.compile(
    r"(?:part|phase|study|type|vol|volume|no|issue|trial|stage|grade|class|"
    r"section|chapter|step|generation|wave|round|cohort|experiment|report|series|"
    r"edition|version|day|week|year|model|factor|group|level|class) [1-3]\s*$",
    re.I,
)


_DIGIT = re.compile(r"\d")


def _has_numbers(title: str, words: list[str]) -> bool:
    return bool(_DIGIT.search(title)) or not ORDINAL_WORDS.isdisjoint(words)


def _without_footnote(raw: str, title: str) -> str:
    if raw[-1:] in "123" and _FOOTNOTE_RAW.search(raw) and not _NUMBERING.search(raw):
        return _FOOTNOTE.sub("", title)
    return title


def title_keys(norm_title: str, words: list[str] | None = None) -> tuple[str, ...]:
    """Blocking keys of a normalised title: its first and its last four significant words
    (the first and last eight characters of a Chinese title)."""
    if not norm_title:
        return ()
    if has_cjk(norm_title):
        compact = norm_title.replace(" ", "")
        if len(compact) < 4:
            return ("t:" + compact,)
        return ("t:" + compact[:8], "u:" + compact[-8:])
    all_words = norm_title.split() if words is None else words
    words = [w for w in all_words if w not in _KEY_STOP] or all_words
    if len(words) <= 4:
        return ("t:" + " ".join(words),)
    return ("t:" + " ".join(words[:4]), "u:" + " ".join(words[-4:]))


def features(record: Record) -> Features:
    """Prepare one record for matching."""
    title = normalize_title(record.title)
    words = title.split()
    cjk = has_cjk(title)
    title_en = normalize_title(record.title_en) if record.title_en else ""
    if title_en == title:
        title_en = ""
    authors = author_keys(record.authors)
    first, last = normalize_pages(record.page_first, record.page_last)
    volume = normalize_volume(record.volume)
    issue = normalize_issue(record.issue)
    year = record.year
    issn = normalize_issn(record.issn)
    doi = normalize_doi(unquote(record.doi)) if record.doi else ""
    keys: list[str] = []
    if doi:
        keys.append("d:" + doi)
    if record.pmid:
        keys.append("p:" + record.pmid)
    if record.pmcid:
        keys.append("c:" + record.pmcid)
    keys.extend(title_keys(title, words))
    alts = [
        t for t in ([title_en] if title_en else []) + alternative_titles(record.title) if t != title
    ]
    for alt in alts:
        keys.extend(title_keys(alt))
    if authors and year:
        family, initials = authors[0]
        keys.append(f"a:{family}:{initials[:1]}:{year}")
    if first and year and volume:
        keys.append(f"v:{year}:{volume}:{first}")
    if first and year and issue:
        keys.append(f"y:{year}:{issue}:{first}")
    if first and issn and volume:
        keys.append(f"i:{issn}:{volume}:{first}")
    generic, column = _generic_and_column(words)
    return Features(
        doi=doi,
        pmid=record.pmid,
        pmcid=record.pmcid,
        title=title,
        title_compact=title.replace(" ", ""),
        title_en=title_en,
        title_alts=tuple(dict.fromkeys(t.replace(" ", "") for t in alts)),
        cjk=cjk,
        generic=generic,
        column=column,
        numbers=title_numbers(_without_footnote(record.title, title))
        if not cjk and _has_numbers(title, words)
        else frozenset(),
        authors=authors,
        year=year,
        journal=journal_tokens(normalize_journal(record.journal or record.journal_abbrev)),
        issn=issn,
        volume=volume,
        issue=issue,
        supplement=supplement_number(record.volume, record.issue),
        page_first=first,
        page_last=last,
        # (lower case and spaces only: enough for a similarity over 300 characters, and cheap)
        abstract=" ".join(record.abstract[:360].lower().split())[:300] if record.abstract else "",
        abstract_full=record.abstract,
        kind=_kind(record, title),
        keys=tuple(dict.fromkeys(keys)),
    )


def completeness(record: Record) -> int:
    """How much a record carries; the most complete record of a cluster is its primary."""
    score = 0
    for value, weight in (
        (record.title, 2),
        (record.abstract, 4),
        (record.authors, 2),
        (record.year, 1),
        (record.journal, 1),
        (record.volume, 1),
        (record.issue, 1),
        (record.page_first, 1),
        (record.doi, 3),
        (record.pmid, 2),
        (record.pmcid, 1),
        (record.issn, 1),
        (record.keywords or record.mesh, 1),
        (record.language, 1),
    ):
        if value:
            score += weight
    return score
