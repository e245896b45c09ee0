"""The decision rule: two records' features in, one of three outcomes out.

``duplicate`` merges automatically, ``possible`` goes to a person's queue, ``distinct`` is
dropped. A false merge silently loses a study, so the rule merges only on agreement of several
independent fields and never across a hard conflict (different identifiers, pages, volumes,
numbers in the title, years far apart, an erratum or comment against its article, a conference
abstract against a journal article, a Chinese record against an English one without a shared
identifier). The one exception is one text twice (title, every author and the whole abstract
alike, in one journal): a DOI recorded wrongly by one database, or an article printed again.

How a pair is judged: identifiers first (:func:`_judge`); then, for a pair that shares a
blocking key and related titles, its fields are compared once (:func:`~screener.dedup.evidence.
gather`) and :data:`RULES` are tried in order, each a small named rule that gives a verdict or
passes. A verdict's ``rule`` is stored in ``duplicate_pair.rule``: the names are data.
Thresholds: :mod:`screener.dedup.thresholds`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import Indel

from screener.dedup.evidence import (
    Evidence,
    author_agreement,
    field_agreement,
    gather,
    journal_agreement,
    title_contained,
    title_similarity,
)
from screener.dedup.normalize import abstract_signature
from screener.dedup.prepare import Features, Kind
from screener.dedup.thresholds import (
    AUTHORS_HALF,
    AUTHORS_MOST,
    CITATION_SCORE,
    CLOSE_TITLE,
    CROSS_LANGUAGE_EVIDENCE,
    EXACT_TITLE,
    IDENTIFIER_SCORE,
    LONG_TITLE_FOR_PAGE_TYPO,
    NEAR_TITLE,
    RELATED_TITLE,
    SAME_TITLE,
    SOME_AUTHORS,
    SOME_SUPPORT,
    STRONG_SUPPORT,
    TRANSLATED_TITLE,
    TRANSLATED_TITLE_CLOSE,
    YEAR_SLACK,
)

__all__ = ["RULES", "PairOutcome", "Verdict", "author_agreement", "compare", "title_similarity"]


class PairOutcome(StrEnum):
    """The rule's verdict on a pair of records (stored in ``duplicate_pair.outcome``)."""

    DUPLICATE = "duplicate"  # merged automatically
    POSSIBLE = "possible"  # queued for a person
    DISTINCT = "distinct"  # two works


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rule's judgement of one pair. ``conflict`` marks hard evidence of two different
    works; clustering never joins two groups across such a pair."""

    outcome: PairOutcome
    score: float
    rule: str
    conflict: bool = False


_DISTINCT = Verdict(PairOutcome.DISTINCT, 0.0, "")
DUPLICATE, POSSIBLE, DISTINCT = PairOutcome.DUPLICATE, PairOutcome.POSSIBLE, PairOutcome.DISTINCT

# Verdicts that merge two records carrying different DOIs: one text under two DOIs.
_OTHER_DOI_RULES = frozenset({"same_citation_other_doi", "same_text_reprinted"})
# The conflicts one text printed twice may show: another DOI, volume and page range.
_REPRINT_CONFLICTS = frozenset({"doi_differs", "volumes_differ", "pages_differ"})


def compare(a: Features, b: Features, *, anchored: bool = True) -> Verdict:
    """Judge one pair of records.

    ``anchored`` says the pair shares a blocking key other than an identifier; without one the
    rule will not call a pair duplicate or possible on metadata alone (so the blocked matcher
    and an all-pairs matcher agree exactly).

    Two different DOIs are a hard conflict (no cluster joins them) unless the rule found one
    text under both: a DOI recorded wrongly by one database, or an article printed twice.
    """
    verdict = _judge(a, b, anchored)
    if (
        not verdict.conflict
        and a.doi
        and b.doi
        and a.doi != b.doi
        and verdict.rule not in _OTHER_DOI_RULES
    ):
        return Verdict(verdict.outcome, verdict.score, verdict.rule, conflict=True)
    return verdict


def _judge(a: Features, b: Features, anchored: bool) -> Verdict:
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return Verdict(DISTINCT, 0.0, "pmid_differs", conflict=True)
    same_id = _shared_identifier(a, b)
    if a.cjk != b.cjk:
        return _cross_language(a, b, same_id, anchored)
    ts = title_similarity(a, b)
    if same_id:
        return _same_identifier(a, b, same_id, ts)
    if not anchored:
        return _DISTINCT
    contained = ts < SAME_TITLE and title_contained(a.title_compact, b.title_compact)
    if ts < RELATED_TITLE and not contained:
        return _same_citation(a, b, ts)
    evidence = gather(a, b, ts, contained)
    for rule in RULES:
        verdict = rule(evidence)
        if verdict is not None:
            return verdict
    return Verdict(DISTINCT, ts, "")


def _shared_identifier(a: Features, b: Features) -> str:
    """The identifier two records share ("doi", "pmid", "pmcid"), or ""."""
    if a.doi and a.doi == b.doi:
        return "doi"
    if a.pmid and a.pmid == b.pmid:
        return "pmid"
    if a.pmcid and a.pmcid == b.pmcid:
        return "pmcid"
    return ""


# --- the rules, in the order they are tried ------------------------------------------------------
# Each reads a pair's Evidence and gives a Verdict, or None to pass to the next rule.


def _same_text(a: Features, b: Features, ts: float, first_author: bool, overlap: float) -> bool:
    """True when two records carry one text: the same title to a character or two, every
    author of the shorter list in the longer one, and the same whole abstract (a few sentences
    at least, compared letter by letter)."""
    if not (
        ts >= EXACT_TITLE
        and first_author
        and overlap == 1.0
        and a.numbers == b.numbers
        and a.abstract_full
        and b.abstract_full
    ):
        return False
    # (computed here, for the few pairs that get this far: cheap to keep, not to make)
    signature = abstract_signature(a.abstract_full)
    return bool(signature) and signature == abstract_signature(b.abstract_full)


def _one_text(e: Evidence) -> bool:
    """One text, word for word with its whole abstract and every author, in one journal, with
    no conflict but those a text printed twice shows. (Not enough in one issue: a commentary
    printed after the article may carry its title and abstract, and a reply its authors too.)"""
    return (
        bool(e.hard)
        and _REPRINT_CONFLICTS.issuperset(e.hard)
        and not e.special
        and not e.generic
        and not e.column
        and e.journal > 0
        and e.year_gap is not None
        and e.year_gap <= YEAR_SLACK
        and _same_text(e.a, e.b, e.ts, e.first_author, e.overlap)
    )


def _one_text_other_doi(e: Evidence) -> Verdict | None:
    """One text in one year and on one first page under two DOIs: one database's DOI is wrong."""
    if e.hard == ("doi_differs",) and e.same_place and _one_text(e):
        return Verdict(DUPLICATE, e.ts, "same_citation_other_doi")
    return None


def _one_text_reprinted(e: Evidence) -> Verdict | None:
    """One article in two volumes a year apart at most: printed again (republished after a
    production error), not a new work. (Not meeting abstracts: the same abstract sent to next
    year's meeting is another report.)"""
    if "volumes_differ" in e.hard and e.a.kind == e.b.kind == Kind.ARTICLE and _one_text(e):
        return Verdict(DUPLICATE, e.ts, "same_text_reprinted")
    return None


def _one_item_titled_erratum(e: Evidence) -> Verdict | None:
    """Same journal, volume, issue and page: one printed item (the erratum itself, its title
    given with "Erratum:" by one database and without by another)."""
    if (
        e.special
        and e.a.kind != e.b.kind
        and e.page > 0
        and e.issue > 0
        and e.volume > 0
        and e.journal >= 0
        and e.year_gap == 0
        and e.ts >= NEAR_TITLE
        and not e.hard
    ):
        return Verdict(DUPLICATE, e.ts, "same_item_one_titled_erratum")
    return None


def _kinds_differ(e: Evidence) -> Verdict:
    """Two kinds of record that are two reports (no chain through a third record may join them):
    a person looks at alike titles by the same people."""
    if e.ts >= NEAR_TITLE and not e.authors_clash:
        return Verdict(
            POSSIBLE, e.ts, f"{e.a.kind or 'article'}_vs_{e.b.kind or 'article'}", conflict=True
        )
    return Verdict(DISTINCT, e.ts, "kinds_differ", conflict=True)


def _notice_against_article(e: Evidence) -> Verdict | None:
    """An erratum, retraction or comment against its article: never merged on its own."""
    if e.special and e.a.kind != e.b.kind:
        return _kinds_differ(e)
    return None


def _one_page_mistyped(e: Evidence) -> Verdict | None:
    """The same title to a character, authors, journal, volume and issue: one page mistyped."""
    if (
        e.hard == ("pages_differ",)
        and e.ts >= EXACT_TITLE
        and len(e.a.title) >= LONG_TITLE_FOR_PAGE_TYPO
        and not e.column
        and e.issue > 0
        and e.volume > 0
        and e.journal > 0
        and e.year_gap == 0
        and e.overlap >= AUTHORS_MOST
        and e.first_author
        and min(len(e.a.authors), len(e.b.authors)) >= SOME_AUTHORS
        and e.a.kind == e.b.kind
        and not e.special
    ):
        return Verdict(DUPLICATE, e.ts, "same_issue_other_page")
    return None


def _hard_conflict(e: Evidence) -> Verdict | None:
    """Hard evidence of two works. One conflicting detail in an otherwise identical record may be
    a typing error: a person looks. More than one, or other numbers in the title, is two works."""
    if not e.hard:
        return None
    if (
        e.ts >= CLOSE_TITLE
        and e.authors_agree
        and len(e.hard) == 1
        and not e.generic
        and e.hard[0] != "title_numbers_differ"
        and e.year_gap is not None
        and e.year_gap <= YEAR_SLACK
    ):
        return Verdict(POSSIBLE, e.ts, e.hard[0], conflict=True)
    return Verdict(DISTINCT, e.ts, e.hard[0], conflict=True)


def _generic_title(e: Evidence) -> Verdict | None:
    """Titles such as "Editorial": only the full citation tells two of them apart."""
    if not e.generic:
        return None
    if (
        e.ts < SAME_TITLE
        or e.authors_clash
        or e.year_gap != 0
        or min(e.journal, e.volume, e.issue, e.page, e.page_last) < 0
    ):
        return Verdict(DISTINCT, e.ts, "generic_title")
    if e.page > 0 and (e.volume > 0 or e.issue > 0) and e.journal >= 0 and e.a.kind == e.b.kind:
        return Verdict(DUPLICATE, e.ts, "generic_title_same_citation")
    if e.page > 0 or (e.volume > 0 and e.issue > 0):
        return Verdict(POSSIBLE, e.ts, "generic_title")
    return Verdict(DISTINCT, e.ts, "generic_title")


def _abstract_indexed_twice(e: Evidence, meeting: Features, article: Features) -> bool:
    """True when a conference abstract and a journal record are one printed item."""
    # The journal record's volume is the abstract's supplement number ("16 (Suppl 1)" exported
    # as volume 1) in the same journal and year: the supplement's item, not a later article.
    in_supplement = (
        bool(meeting.supplement)
        and meeting.supplement == article.volume
        and meeting.volume not in ("", article.volume)
        and e.journal > 0
        and e.year_gap == 0
        and e.ts >= SAME_TITLE
        and e.authors_agree
        and e.issue >= 0
        and e.page >= 0
    )
    # One volume and one full page range: one printed item, whatever the venue's name.
    full_range = (
        e.page > 0 and e.page_last > 0 and e.volume > 0 and e.ts >= SAME_TITLE and e.authors_agree
    )
    return (
        in_supplement
        or e.year_gap == 0
        and (
            full_range
            or (
                e.journal >= 0
                and e.volume >= 0
                and e.issue >= 0
                and e.page >= 0
                and (
                    e.page > 0
                    or e.touching
                    or (e.issue > 0 and e.a.issue.startswith("s"))
                    # the journal record shows no page range, nothing of a full article: it is
                    # the abstract indexed without its meeting's name
                    or (
                        e.journal > 0
                        and not article.page_last
                        and e.ts >= SAME_TITLE
                        and (e.authors_agree or not e.authors_known)
                    )
                )
            )
        )
    )


def _abstract_against_article(e: Evidence) -> Verdict | None:
    """A conference abstract against a journal record: the same abstract indexed twice (same
    issue and page of the same journal) may merge; an abstract and its later article may not."""
    if e.a.kind == e.b.kind:
        return None
    article = e.a if e.b.kind == Kind.CONFERENCE else e.b
    meeting = e.b if article is e.a else e.a
    if _abstract_indexed_twice(e, meeting, article):
        return None
    return _kinds_differ(e)


def _conference_paper(e: Evidence) -> Verdict | None:
    """A conference paper listed under the meeting's year and its proceedings' year."""
    if (
        not e.soft
        and not e.special
        and e.ts >= SAME_TITLE
        and e.long_title
        and e.authors_agree
        and e.a.kind == Kind.CONFERENCE
        and e.year_gap is not None
        and e.year_gap <= YEAR_SLACK
        and e.volume >= 0
        and e.page >= 0
        and (e.journal > 0 or not (e.a.journal and e.b.journal))
    ):
        return Verdict(DUPLICATE, e.ts, "conference_paper")
    return None


def _metadata(e: Evidence) -> Verdict | None:
    """One long title with some details agreeing and none against."""
    if (
        not e.soft
        and not e.special
        and e.ts >= SAME_TITLE
        and e.long_title
        and e.support >= SOME_SUPPORT
        and (e.authors_agree or not e.authors_known)
        and (e.journal >= 0 or e.page > 0 or e.volume > 0 or e.a.kind == Kind.CONFERENCE)
    ):
        return Verdict(DUPLICATE, e.ts, "metadata")
    return None


def _metadata_short_title(e: Evidence) -> Verdict | None:
    """One short title: the authors and most of the citation must agree."""
    if (
        not e.soft
        and not e.special
        and e.ts >= SAME_TITLE
        and e.support >= STRONG_SUPPORT
        and e.authors_agree
        and (e.page > 0 or e.volume > 0)
        and (e.issue >= 0 or (e.page > 0 and e.volume > 0))
        and e.page_last >= 0
    ):
        return Verdict(DUPLICATE, e.ts, "metadata_short_title")
    return None


def _metadata_fuzzy_title(e: Evidence) -> Verdict | None:
    """Near titles (a word changed, a subtitle) with the authors, details and page or abstract."""
    if (
        not e.soft
        and not e.special
        and e.ts >= NEAR_TITLE
        and e.long_title
        and e.support >= STRONG_SUPPORT
        and e.authors_agree
        and (e.page > 0 or e.abstract_agree)
    ):
        return Verdict(DUPLICATE, e.ts, "metadata_fuzzy_title")
    return None


def _same_citation_rule(e: Evidence) -> Verdict | None:
    """Same title, journal, year and first page: one citation, however the authors were
    mangled on the way ("Si Hyun Kang N" / "Kang SH")."""
    if (
        not e.special
        and e.ts >= SAME_TITLE
        and e.same_place
        and e.volume >= 0
        and e.issue >= 0
        and e.page_last >= 0
        and (e.long_title or e.authors_agree)
    ):
        return Verdict(DUPLICATE, e.ts, "same_citation")
    return None


def _title_contained(e: Evidence) -> Verdict | None:
    """One title is the other plus a section heading or subtitle ("MEDICAL PROGRESS ..."), in
    one citation."""
    if (
        e.contained
        and not e.special
        and not e.authors_clash
        and (e.same_place or (e.touching and e.journal > 0 and e.year_gap == 0))
        and e.authors_agree
        and e.volume >= 0
        and (e.issue >= 0 or e.volume > 0)
        and e.page_last >= 0
    ):
        return Verdict(DUPLICATE, max(e.ts, CITATION_SCORE), "title_contained_same_citation")
    return None


def _notice_metadata(e: Evidence) -> Verdict | None:
    """Two records of one erratum, retraction or comment: same title, page and authors."""
    if (
        e.special
        and not e.soft
        and e.ts >= SAME_TITLE
        and e.page > 0
        and (e.volume > 0 or e.year_gap == 0)
        and e.authors_agree
    ):
        return Verdict(DUPLICATE, e.ts, f"metadata_{e.a.kind}")
    return None


def _other_title_same_citation(e: Evidence) -> Verdict | None:
    """Titles not quite alike (two translations) under one full citation."""
    if not e.special and not e.soft and e.ts < SAME_TITLE:
        cited = _same_citation(e.a, e.b, e.ts)
        if cited.outcome == DUPLICATE:
            return cited
    return None


def _similar(e: Evidence) -> Verdict | None:
    """Near titles with the authors, the year or some details agreeing: a person looks."""
    if e.ts >= NEAR_TITLE and (e.authors_agree or e.year_gap == 0 or e.support >= SOME_SUPPORT):
        return Verdict(POSSIBLE, e.ts, "similar")
    return None


def _similar_title_same_details(e: Evidence) -> Verdict | None:
    """Related titles with the authors and most details agreeing: a person looks."""
    if e.ts >= RELATED_TITLE and e.support >= STRONG_SUPPORT and e.authors_agree:
        return Verdict(POSSIBLE, e.ts, "similar_title_same_details")
    return None


Rule = Callable[[Evidence], Verdict | None]

RULES: tuple[Rule, ...] = (
    _one_text_other_doi,
    _one_text_reprinted,
    _one_item_titled_erratum,
    _notice_against_article,
    _one_page_mistyped,
    _hard_conflict,
    _generic_title,
    _abstract_against_article,
    _conference_paper,
    _metadata,
    _metadata_short_title,
    _metadata_fuzzy_title,
    _same_citation_rule,
    _title_contained,
    _notice_metadata,
    _other_title_same_citation,
    _similar,
    _similar_title_same_details,
)


# --- pairs judged before their fields are compared -----------------------------------------------


def _same_citation(a: Features, b: Features, ts: float) -> Verdict:
    """Titles that differ (two translations of a foreign title) but one full citation: same
    authors, year, journal, volume and page range."""
    if a.generic or b.generic or a.kind != b.kind:
        return _DISTINCT
    if a.kind == Kind.CONFERENCE and not (a.page_last and a.page_last != a.page_first):
        return _DISTINCT  # one supplement page holds several abstracts: a range is needed
    if not (
        a.year
        and a.year == b.year
        and a.volume
        and a.volume == b.volume
        and a.page_first
        and a.page_first == b.page_first
        and a.page_last
        and a.page_last == b.page_last
    ):
        return _DISTINCT
    if a.numbers and b.numbers and not (a.numbers <= b.numbers or b.numbers <= a.numbers):
        return _DISTINCT
    first_author, overlap = author_agreement(a.authors, b.authors)
    if (
        not (first_author and overlap >= AUTHORS_MOST)
        or journal_agreement(a.journal, b.journal) < 0
        and overlap < 1
    ):
        return _DISTINCT
    # Different issues with one page range: a mistyped issue, unless a single author wrote
    # two papers that happen to sit on the same pages of two issues.
    fewest = min(len(a.authors), len(b.authors))
    if field_agreement(a.issue, b.issue) < 0 and fewest < SOME_AUTHORS:
        return _DISTINCT
    if (
        fewest < SOME_AUTHORS
        and field_agreement(a.issue, b.issue) <= 0
        and not (a.kind == Kind.CONFERENCE and a.issue[:1] == b.issue[:1] == "s")
    ):
        return _DISTINCT
    if a.doi and b.doi:
        return _DISTINCT
    return Verdict(DUPLICATE, max(ts, CITATION_SCORE), "same_citation_other_title")


def _same_identifier(a: Features, b: Features, which: str, ts: float) -> Verdict:
    if a.kind != b.kind and {a.kind, b.kind} != {Kind.ARTICLE, Kind.CONFERENCE}:
        # An erratum or comment carrying its article's identifier: a person decides.
        return Verdict(POSSIBLE, ts, f"{which}_same_kinds_differ")
    if (
        not a.title
        or not b.title
        or ts >= RELATED_TITLE
        or title_contained(a.title_compact, b.title_compact)
    ):
        return Verdict(DUPLICATE, max(ts, IDENTIFIER_SCORE), which)
    return Verdict(POSSIBLE, ts, f"{which}_same_titles_differ")


def _cross_language(a: Features, b: Features, same_id: str, anchored: bool) -> Verdict:
    """A Chinese record against a non-Chinese one: merged only through a shared identifier."""
    zh, other = (a, b) if a.cjk else (b, a)
    if same_id:
        return Verdict(DUPLICATE, IDENTIFIER_SCORE, f"{same_id}_cross_language")
    if not anchored:
        return _DISTINCT
    if zh.doi and other.doi:
        return Verdict(DISTINCT, 0.0, "doi_differs", conflict=True)
    ts = 0.0
    if zh.title_alts and other.title:
        ts = max(
            Indel.normalized_similarity(x, y)
            for x in zh.title_alts
            for y in (other.title_compact, *other.title_alts)
        )
    year = zh.year is not None and zh.year == other.year
    page = field_agreement(zh.page_first, other.page_first)
    volume = field_agreement(zh.volume, other.volume)
    issue = field_agreement(zh.issue, other.issue)
    issn = field_agreement(zh.issn, other.issn)
    details = (
        year and page > 0 and (volume > 0 or issue > 0) and volume >= 0 and issue >= 0 and issn >= 0
    )
    first_author, overlap = author_agreement(zh.authors, other.authors)
    authors = first_author and overlap >= AUTHORS_HALF
    if page < 0 or (zh.year and other.year and abs(zh.year - other.year) > YEAR_SLACK):
        return Verdict(DISTINCT, ts, "details_differ", conflict=True)
    evidence = (ts >= TRANSLATED_TITLE) + details + authors
    if (
        evidence >= CROSS_LANGUAGE_EVIDENCE
        or (ts >= TRANSLATED_TITLE_CLOSE)
        or (details and issn > 0)
    ):
        # the score grows with the evidence, from a half: a person's queue sorts by it
        return Verdict(POSSIBLE, max(ts, 0.5 + 0.15 * evidence), "cross_language")
    return Verdict(DISTINCT, ts, "")
