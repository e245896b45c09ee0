"""What two records' fields say about each other: the comparisons the rule reads, made once.

Each field comparison gives 1 (agree), -1 (conflict) or 0 (unknown: a side is missing, or the
difference is one databases are known to make, such as a month in the issue field).
:func:`gather` makes them all for one pair into an :class:`Evidence`, which the rules of
:mod:`screener.dedup.rule` read.
"""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from screener.dedup.normalize import journals_match
from screener.dedup.prepare import Features, Kind
from screener.dedup.thresholds import (
    ABSTRACT_ALIKE,
    ABSTRACT_LENGTH,
    AUTHORS_FEW,
    AUTHORS_HALF,
    AUTHORS_MOST,
    CONTAINED_TITLE,
    FAMILY_NAME,
    JOURNAL_ALIKE,
    LONG_TITLE,
    MANY_AUTHORS,
    SOME_AUTHORS,
    YEAR_SLACK,
)

__all__ = [
    "Evidence",
    "author_agreement",
    "field_agreement",
    "gather",
    "journal_agreement",
    "title_contained",
    "title_similarity",
]

# The kinds of record that comment on another: never merged with it on their own.
NOTICES = frozenset({Kind.ERRATUM, Kind.RETRACTION, Kind.COMMENT})


class Evidence(NamedTuple):
    """One pair's comparisons, for records that share a blocking key and related titles.

    The fields are what every pair needs; the properties, what only the pairs that pass the
    hard-conflict rules read (most pairs stop there, so their abstracts are never compared).
    A NamedTuple: immutable like a frozen dataclass, and far cheaper to make (a frozen
    dataclass of these fields took 3.4 us a pair, about 5 % of a whole dedup run).
    """

    a: Features
    b: Features
    ts: float  # title similarity
    contained: bool  # one title (not the same) holds the other whole
    first_author: bool  # the first authors agree
    overlap: float  # share of the shorter author list found in the longer
    authors_agree: bool
    authors_clash: bool  # other people: first authors differ and few names are shared
    year_gap: int | None
    volume: int  # 1 agree, -1 conflict, 0 unknown
    issue: int
    page: int  # first page
    page_last: int
    journal: int
    same_place: bool  # same journal, year and first page
    hard: tuple[str, ...]  # hard evidence of two works, the rule names of each, in order
    special: bool  # an erratum, retraction or comment is one of the two
    generic: bool  # a title such as "Editorial" is one of the two
    column: bool  # a recurring column's title is one of the two

    @property
    def authors_known(self) -> bool:
        """Both records list authors."""
        return bool(self.a.authors and self.b.authors)

    @property
    def touching(self) -> bool:
        """Page ranges that share a page, the first pages differing."""
        return self.page == 0 and bool(self.a.page_first and self.b.page_first)

    @property
    def long_title(self) -> bool:
        """The first record's title is long enough to be unlikely to name two works."""
        return len(self.a.title) >= LONG_TITLE

    @property
    def abstract_agree(self) -> bool:
        """Both abstracts say enough to compare, and their beginnings are alike."""
        x, y = self.a.abstract, self.b.abstract
        if x and y and len(x) > ABSTRACT_LENGTH and len(y) > ABSTRACT_LENGTH:
            return Indel.normalized_similarity(x[:300], y[:300]) >= ABSTRACT_ALIKE
        return False

    @property
    def support(self) -> int:
        """Agreeing details: authors, year, journal, volume, issue, first page, abstract."""
        return (
            self.authors_agree
            + (self.year_gap == 0)
            + (self.journal > 0)
            + (self.volume > 0)
            + (self.issue > 0)
            + (self.page > 0)
            + self.abstract_agree
        )

    @property
    def soft(self) -> bool:
        """Softer evidence against the pair: other people, or mistyped details nothing vouches
        for."""
        # Issues and last pages are often mistyped between databases; they count against a
        # merge only when the first page cannot vouch for the pair and neither can the volume,
        # or the title is a recurring column's ("Remarks from the Editor"), repeated issue after
        # issue.
        return self.authors_clash or (
            (self.issue < 0 or self.page_last < 0)
            and self.page <= 0
            and (self.volume <= 0 or self.column)
        )


def title_similarity(a: Features, b: Features) -> float:
    """Similarity of two normalised titles in [0, 1] (Indel distance, spaces ignored)."""
    if not a.title_compact or not b.title_compact:
        return 0.0
    if a.title_compact == b.title_compact:
        return 1.0
    best = Indel.normalized_similarity(a.title_compact, b.title_compact)
    if a.title_alts or b.title_alts:
        for x in (a.title_compact, *a.title_alts):
            for y in (b.title_compact, *b.title_alts):
                if x is not a.title_compact or y is not b.title_compact:
                    best = max(best, Indel.normalized_similarity(x, y))
    return best


def _family_match(x: str, y: str) -> bool:
    if x == y:
        return True
    if len(x) < 4 or len(y) < 4:
        return False
    # Long names cut short or joined differently ("jonssonrylander" / "jonsson"), particles
    # ("vandergraaf" / "vangraaf"), characters lost to a bad encoding ("muoz" / "munoz").
    if (
        x.startswith(y)
        or y.startswith(x)
        or (min(len(x), len(y)) >= 5 and (x.endswith(y) or y.endswith(x)))
    ):
        return True
    return Indel.normalized_similarity(x, y, score_cutoff=FAMILY_NAME) >= FAMILY_NAME


def author_agreement(
    a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]
) -> tuple[bool, float]:
    """(first authors agree, share of the shorter list's families found in the other)."""
    if not a or not b:
        return False, 0.0
    fa, fb = a[0], b[0]
    first = (_family_match(fa[0], fb[0]) and (not fa[1] or not fb[1] or fa[1][0] == fb[1][0])) or (
        bool(fa[1] and fb[1])
        and fa[0][:1] == fb[1][:1]
        and fb[0][:1] == fa[1][:1]
        and fa[0][:1] != fa[1][:1]
    )  # "Xiaoguang W" for "Wang X"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short, long_ = short[:12], long_[:40]
    families = {f for f, _ in long_}
    missing = [(f, i) for f, i in short if f not in families]
    hits = len(short) - len(missing)
    for f, i in missing:
        if any(_family_match(f, g) for g in families):
            hits += 1
        elif i and any(g[:1] == i[:1] and gi[:1] == f[:1] for g, gi in long_):
            hits += 1  # given and family names swapped: "Xiaoguang W" for "Wang X"
    return first, hits / len(short)


_MONTHS = frozenset(
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn fall "
    "winter".split()
)


def field_agreement(x: str, y: str) -> int:
    """1 agree, -1 conflict, 0 unknown (one side missing, or a supplement without a number)."""
    if not x or not y or x == "s" or y == "s":
        return 0
    return 1 if x == y else -1


def journal_agreement(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """1 same journal, -1 clearly another, 0 unknown (a name missing, or alike but not
    matching word by word: translations, subtitles, unusual abbreviations)."""
    if not a or not b:
        return 0
    if journals_match(a, b):
        return 1
    return 0 if fuzz.token_set_ratio(" ".join(a), " ".join(b)) >= JOURNAL_ALIKE else -1


def title_contained(x: str, y: str) -> bool:
    """True when the shorter compact title, long enough to mean something, is inside the other."""
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return len(short) >= CONTAINED_TITLE and short in long_


def _shifted(a: Features, b: Features) -> bool:
    """True when ``a`` holds ``b``'s volume in its issue field and ``b``'s issue in its pages, with
    no volume and no page range of its own ("pages 9, issue 26" for "26(9):1746")."""
    return bool(
        not a.volume
        and not a.page_last
        and a.issue
        and a.page_first
        and b.volume
        and b.issue
        and a.issue == b.volume
        and a.page_first == b.issue
        and a.issue != a.page_first
    )


def _article_number_pair(x: str, y: str) -> bool:
    # "e1234" against "1234" is one article number written two ways; "c1804" against "1014"
    # is an article number against a page: two numbering systems, no evidence either way.
    if x.lstrip("e") == y.lstrip("e"):
        return True
    # (An "S" page is a supplement's page, not an article number.)
    return any(
        u[:1].isalpha() and u[:1] != "s" and u[1:].isdigit() and v.isdigit()
        for u, v in ((x, y), (y, x))
    )


def _ranges_touch(a: Features, b: Features) -> bool:
    """True when two page ranges share a page ("569" in "567-569", "246-250" and "250-254"):
    one database has the range wrong, which says nothing either way."""

    def span(f: Features) -> tuple[int, int] | None:
        if not f.page_first.isdigit():
            return None
        first = int(f.page_first)
        last = int(f.page_last) if f.page_last.isdigit() else first
        return (first, last) if last >= first else None

    sa, sb = span(a), span(b)
    if sa is None or sb is None:
        return a.page_last != "" and a.page_last == b.page_last
    return sa[0] <= sb[1] and sb[0] <= sa[1]


def _volume(a: Features, b: Features) -> int:
    volume = field_agreement(a.volume, b.volume)
    if volume < 0 and (a.volume == str(a.year) or b.volume == str(b.year)):
        return 0  # the year typed into the volume field ("2016" for volume 94)
    if volume < 0 and (
        (a.supplement and a.supplement == b.volume) or (b.supplement and b.supplement == a.volume)
    ):
        return 0  # "v16 (Suppl 1)" exported as volume 1: the supplement's number
    return volume


def _issue(a: Features, b: Features) -> int:
    issue = field_agreement(a.issue, b.issue)
    if issue < 0 and (a.issue in _MONTHS or b.issue in _MONTHS):
        return 0  # a month ("May") is when the issue came out, not its number
    if issue < 0 and ("s" + a.issue == b.issue or "s" + b.issue == a.issue):
        return 0  # "S2" and "2": a supplement numbered like the issue, or the issue itself
    return issue


def _pages(a: Features, b: Features) -> tuple[int, int]:
    """(first page, last page) agreement."""
    page = field_agreement(a.page_first, b.page_first)
    page_last = field_agreement(a.page_last, b.page_last)
    if page < 0 and (_article_number_pair(a.page_first, b.page_first) or _ranges_touch(a, b)):
        return 0, 0
    return page, page_last


def _authors_agree(a: Features, b: Features, first_author: bool, overlap: float) -> bool:
    # A first author misplaced or mangled ("Young TK" for "Kim YT") is outvoted by the rest.
    fewest = min(len(a.authors), len(b.authors))
    return (
        (first_author and overlap >= AUTHORS_HALF)
        or (overlap >= AUTHORS_MOST and fewest >= MANY_AUTHORS)
        or (overlap == 1.0 and fewest >= SOME_AUTHORS)
    )


def _hard(
    a: Features, b: Features, year_gap: int | None, page: int, volume: int, same_place: bool
) -> tuple[str, ...]:
    hard = []
    if a.doi and b.doi and a.doi != b.doi:
        hard.append("doi_differs")
    if a.numbers != b.numbers:
        hard.append("title_numbers_differ")
    if year_gap is not None and year_gap > YEAR_SLACK:
        hard.append("years_differ")
    if page < 0:
        hard.append("pages_differ")
    # A volume mistyped (a supplement number in the volume field) is not evidence against a
    # pair whose journal, year and first page agree.
    if volume < 0 and not same_place:
        hard.append("volumes_differ")
    return tuple(hard)


def gather(a: Features, b: Features, ts: float, contained: bool) -> Evidence:
    """Compare every field of a pair once (``ts``: its :func:`title_similarity`; ``contained``:
    one title is the other plus a heading or subtitle)."""
    first_author, overlap = author_agreement(a.authors, b.authors)
    authors_agree = _authors_agree(a, b, first_author, overlap)
    authors_clash = bool(a.authors and b.authors) and not first_author and overlap < AUTHORS_FEW
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    volume, issue = _volume(a, b), _issue(a, b)
    page, page_last = _pages(a, b)
    if _shifted(a, b) or _shifted(b, a):
        # One export moved the volume into the issue field and the issue into the pages: its
        # volume and issue agree, its page is unknown.
        volume, issue, page, page_last = 1, 1, 0, 0
    journal = journal_agreement(a.journal, b.journal)
    same_place = page > 0 and journal > 0 and year_gap == 0
    return Evidence(
        a,
        b,
        ts,
        contained,
        first_author,
        overlap,
        authors_agree,
        authors_clash,
        year_gap,
        volume,
        issue,
        page,
        page_last,
        journal,
        same_place,
        _hard(a, b, year_gap, page, volume, same_place),
        bool({a.kind, b.kind} & NOTICES),
        a.generic or b.generic,
        a.column or b.column,
    )
