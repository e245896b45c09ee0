"""The decision rule: two records' features in, one of three outcomes out.

``duplicate`` merges automatically, ``possible`` goes to a person's queue, ``distinct`` is
dropped. A false merge silently loses a study, so the rule merges only on agreement of several
independent fields and never across a hard conflict (different identifiers, pages, volumes,
numbers in the title, years far apart, an erratum or comment against its article, a conference
abstract against a journal article, a Chinese record against an English one without a shared
identifier). The one exception is one text twice (title, every author and the whole abstract
alike, in one journal): a DOI recorded wrongly by one database, or an article printed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from screener.dedup.normalize import abstract_signature, journals_match
from screener.dedup.prepare import Features, Kind

__all__ = ["PairOutcome", "Verdict", "author_agreement", "compare", "title_similarity"]


class PairOutcome(StrEnum):
    """The rule's verdict on a pair of records (stored in ``duplicate_pair.outcome``)."""

    DUPLICATE = "duplicate"     # merged automatically
    POSSIBLE = "possible"       # queued for a person
    DISTINCT = "distinct"       # two works


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rule's judgement of one pair. ``conflict`` marks hard evidence of two different
    works; clustering never joins two groups across such a pair."""

    outcome: PairOutcome
    score: float
    rule: str
    conflict: bool = False


_DISTINCT = Verdict(PairOutcome.DISTINCT, 0.0, "")


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
    if x.startswith(y) or y.startswith(x) or (min(len(x), len(y)) >= 5 and (x.endswith(y) or y.endswith(x))):
        return True
    return Indel.normalized_similarity(x, y, score_cutoff=0.8) >= 0.8


def author_agreement(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> tuple[bool, float]:
    """(first authors agree, share of the shorter list's families found in the other)."""
    if not a or not b:
        return False, 0.0
    fa, fb = a[0], b[0]
    first = (_family_match(fa[0], fb[0]) and (not fa[1] or not fb[1] or fa[1][0] == fb[1][0])) or (
        bool(fa[1] and fb[1]) and fa[0][:1] == fb[1][:1] and fb[0][:1] == fa[1][:1]
        and fa[0][:1] != fa[1][:1])   # "Xiaoguang W" for "Wang X"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short, long_ = short[:12], long_[:40]
    families = {f for f, _ in long_}
    missing = [(f, i) for f, i in short if f not in families]
    hits = len(short) - len(missing)
    for f, i in missing:
        if any(_family_match(f, g) for g in families):
            hits += 1
        elif i and any(g[:1] == i[:1] and gi[:1] == f[:1] for g, gi in long_):
            hits += 1   # given and family names swapped: "Xiaoguang W" for "Wang X"
    return first, hits / len(short)


_MONTHS = frozenset("january february march april may june july august september october november "
                    "december jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn fall "
                    "winter".split())


def _field(x: str, y: str) -> int:
    """1 agree, -1 conflict, 0 unknown (one side missing, or a supplement without a number)."""
    if not x or not y or x == "s" or y == "s":
        return 0
    return 1 if x == y else -1


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
    if not verdict.conflict and a.doi and b.doi and a.doi != b.doi and verdict.rule not in _OTHER_DOI_RULES:
        return Verdict(verdict.outcome, verdict.score, verdict.rule, conflict=True)
    return verdict


def _same_text(a: Features, b: Features, ts: float, first_author: bool, overlap: float) -> bool:
    """True when two records carry one text: the same title to a character or two, every
    author of the shorter list in the longer one, and the same whole abstract (a few sentences
    at least, compared letter by letter)."""
    if not (ts >= 0.99 and first_author and overlap == 1.0 and a.numbers == b.numbers
            and a.abstract_full and b.abstract_full):
        return False
    # (computed here, for the few pairs that get this far: cheap to keep, not to make)
    signature = abstract_signature(a.abstract_full)
    return bool(signature) and signature == abstract_signature(b.abstract_full)


def _judge(a: Features, b: Features, anchored: bool) -> Verdict:
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return Verdict(PairOutcome.DISTINCT, 0.0, "pmid_differs", conflict=True)
    same_id = ""
    if a.doi and a.doi == b.doi:
        same_id = "doi"
    elif a.pmid and a.pmid == b.pmid:
        same_id = "pmid"
    elif a.pmcid and a.pmcid == b.pmcid:
        same_id = "pmcid"
    doi_differs = bool(a.doi and b.doi and a.doi != b.doi)
    if a.cjk != b.cjk:
        return _cross_language(a, b, same_id, anchored)
    ts = title_similarity(a, b)
    if same_id:
        return _same_identifier(a, b, same_id, ts)
    contained = ts < 0.97 and _contained(a.title_compact, b.title_compact)
    if not anchored:
        return _DISTINCT
    if ts < 0.8 and not contained:
        return _same_citation(a, b, ts)
    first_author, overlap = author_agreement(a.authors, b.authors)
    authors_known = bool(a.authors and b.authors)
    # A first author misplaced or mangled ("Young TK" for "Kim YT") is outvoted by the rest.
    authors_agree = (first_author and overlap >= 0.5) or (
        overlap >= 0.75 and min(len(a.authors), len(b.authors)) >= 3) or (
        overlap == 1.0 and min(len(a.authors), len(b.authors)) >= 2)
    authors_clash = authors_known and not first_author and overlap < 0.34
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    volume = _field(a.volume, b.volume)
    if volume < 0 and (a.volume == str(a.year) or b.volume == str(b.year)):
        volume = 0      # the year typed into the volume field ("2016" for volume 94)
    if volume < 0 and ((a.supplement and a.supplement == b.volume) or (b.supplement and b.supplement == a.volume)):
        volume = 0      # "v16 (Suppl 1)" exported as volume 1: the supplement's number
    issue = _field(a.issue, b.issue)
    if issue < 0 and (a.issue in _MONTHS or b.issue in _MONTHS):
        issue = 0       # a month ("May") is when the issue came out, not its number
    if issue < 0 and ("s" + a.issue == b.issue or "s" + b.issue == a.issue):
        issue = 0       # "S2" and "2": a supplement numbered like the issue, or the issue itself
    page = _field(a.page_first, b.page_first)
    page_last = _field(a.page_last, b.page_last)
    if page < 0 and (_article_number_pair(a.page_first, b.page_first) or _ranges_touch(a, b)):
        page = page_last = 0
    if _shifted(a, b) or _shifted(b, a):
        # One export moved the volume into the issue field and the issue into the pages: its
        # volume and issue agree, its page is unknown.
        volume, issue, page, page_last = 1, 1, 0, 0

    journal = _journal(a.journal, b.journal)
    same_place = page > 0 and journal > 0 and year_gap == 0

    hard = []
    if doi_differs:
        hard.append("doi_differs")
    if a.numbers != b.numbers:
        hard.append("title_numbers_differ")
    if year_gap is not None and year_gap > 1:
        hard.append("years_differ")
    if page < 0:
        hard.append("pages_differ")
    # A volume mistyped (a supplement number in the volume field) is not evidence against a
    # pair whose journal, year and first page agree.
    if volume < 0 and not same_place:
        hard.append("volumes_differ")
    special = {a.kind, b.kind} & {Kind.ERRATUM, Kind.RETRACTION, Kind.COMMENT}
    generic = a.generic or b.generic
    if hard and _REPRINT_CONFLICTS.issuperset(hard) and not special and not generic \
            and not (a.column or b.column) and journal > 0 and year_gap is not None and year_gap <= 1 \
            and _same_text(a, b, ts, first_author, overlap):
        # One text, word for word with its whole abstract and every author, in one journal.
        # (Not enough in one issue: a commentary printed after the article may carry its title
        # and abstract, and a reply its authors too.)
        if hard == ["doi_differs"] and same_place:
            # The same year and first page as well: one item, and one database's DOI is wrong
            # (another journal's DOI, say).
            return Verdict(PairOutcome.DUPLICATE, ts, "same_citation_other_doi")
        if "volumes_differ" in hard and a.kind == b.kind == Kind.ARTICLE:
            # Two volumes a year apart at most: the article printed again (republished after
            # a production error), not a new work. (Not meeting abstracts: the same abstract
            # sent to next year's meeting is another report.)
            return Verdict(PairOutcome.DUPLICATE, ts, "same_text_reprinted")
    if special and a.kind != b.kind and page > 0 and issue > 0 and volume > 0 and journal >= 0 \
            and year_gap == 0 and ts >= 0.9 and not hard:
        # Same journal, volume, issue and page: one printed item (the erratum itself, its title
        # given with "Erratum:" by one database and without by another).
        return Verdict(PairOutcome.DUPLICATE, ts, "same_item_one_titled_erratum")
    if special and a.kind != b.kind:
        # An erratum, retraction or comment against its article: a person decides, and
        # clustering never joins them on its own.
        if ts >= 0.9 and not authors_clash:
            return Verdict(PairOutcome.POSSIBLE, ts, f"{a.kind or 'article'}_vs_{b.kind or 'article'}",
                           conflict=True)
        return Verdict(PairOutcome.DISTINCT, ts, "kinds_differ", conflict=True)
    if hard == ["pages_differ"] and ts >= 0.99 and len(a.title) >= 40 and not (a.column or b.column) \
            and issue > 0 and volume > 0 and journal > 0 and year_gap == 0 and overlap >= 0.75 \
            and first_author and min(len(a.authors), len(b.authors)) >= 2 and a.kind == b.kind \
            and not special:
        # The same title to a character, authors, journal, volume and issue: one page mistyped.
        return Verdict(PairOutcome.DUPLICATE, ts, "same_issue_other_page")
    if hard:
        # One conflicting detail in an otherwise identical record may be a typing error: a
        # person looks. More than one, or different numbers in the title, is two works.
        if ts >= 0.95 and authors_agree and len(hard) == 1 and not generic \
                and hard[0] != "title_numbers_differ" and year_gap is not None and year_gap <= 1:
            return Verdict(PairOutcome.POSSIBLE, ts, hard[0], conflict=True)
        return Verdict(PairOutcome.DISTINCT, ts, hard[0], conflict=True)
    if generic:
        return _generic(a, b, ts, year_gap, journal, volume, issue, page, page_last, authors_clash)

    if a.kind != b.kind:
        # A conference abstract against a journal record: the same abstract indexed twice
        # (same issue and page of the same journal) may merge; an abstract and its later
        # article may not.
        article = a if b.kind == Kind.CONFERENCE else b
        meeting = b if article is a else a
        touching = page == 0 and bool(a.page_first and b.page_first)   # the ranges share a page
        # The journal record's volume is the abstract's supplement number ("16 (Suppl 1)" exported
        # as volume 1) in the same journal and year: the supplement's item, not a later article.
        in_supplement = bool(meeting.supplement) and meeting.supplement == article.volume \
            and meeting.volume not in ("", article.volume) and journal > 0 and year_gap == 0 and ts >= 0.97 \
            and authors_agree and issue >= 0 and page >= 0
        # One volume and one full page range: one printed item, whatever the venue's name.
        full_range = page > 0 and page_last > 0 and volume > 0 and ts >= 0.97 and authors_agree
        same_item = in_supplement or year_gap == 0 and (full_range or (
            journal >= 0 and volume >= 0 and issue >= 0 and page >= 0
            and (page > 0 or touching or (issue > 0 and a.issue.startswith("s"))
                 # the journal record shows no page range, nothing of a full article: it is
                 # the abstract indexed without its meeting's name
                 or (journal > 0 and not article.page_last and ts >= 0.97
                     and (authors_agree or not authors_known)))))
        if not same_item:
            # (conflict: no chain through a third record may join the abstract and the article)
            if ts >= 0.9 and not authors_clash:
                return Verdict(PairOutcome.POSSIBLE, ts, f"{a.kind or 'article'}_vs_{b.kind or 'article'}",
                               conflict=True)
            return Verdict(PairOutcome.DISTINCT, ts, "kinds_differ", conflict=True)

    support = 0
    support += authors_agree
    support += year_gap == 0
    support += journal > 0
    support += volume > 0
    support += issue > 0
    support += page > 0
    abstract_agree = False
    if a.abstract and b.abstract and len(a.abstract) > 100 and len(b.abstract) > 100:
        abstract_agree = Indel.normalized_similarity(a.abstract[:300], b.abstract[:300]) >= 0.9
        support += abstract_agree
    # Issues and last pages are often mistyped between databases; they count against a merge
    # only when the first page cannot vouch for the pair and neither can the volume, or the
    # title is a recurring column's ("Remarks from the Editor"), repeated issue after issue.
    soft = authors_clash or ((issue < 0 or page_last < 0) and page <= 0
                             and (volume <= 0 or a.column or b.column))
    long_title = len(a.title) >= 30

    if not soft and not special:
        if ts >= 0.97 and long_title and authors_agree and a.kind == Kind.CONFERENCE \
                and year_gap is not None and year_gap <= 1 and volume >= 0 and page >= 0 \
                and (journal > 0 or not (a.journal and b.journal)):
            # A conference paper listed under the meeting's year and its proceedings' year.
            return Verdict(PairOutcome.DUPLICATE, ts, "conference_paper")
        if ts >= 0.97 and long_title and support >= 2 and (authors_agree or not authors_known) \
                and (journal >= 0 or page > 0 or volume > 0 or a.kind == Kind.CONFERENCE):
            return Verdict(PairOutcome.DUPLICATE, ts, "metadata")
        if ts >= 0.97 and support >= 3 and authors_agree and (page > 0 or volume > 0) \
                and (issue >= 0 or (page > 0 and volume > 0)) and page_last >= 0:
            return Verdict(PairOutcome.DUPLICATE, ts, "metadata_short_title")
        if ts >= 0.9 and long_title and support >= 3 and authors_agree and (page > 0 or abstract_agree):
            return Verdict(PairOutcome.DUPLICATE, ts, "metadata_fuzzy_title")
    if not special and ts >= 0.97 and same_place and volume >= 0 and issue >= 0 and page_last >= 0 \
            and (long_title or authors_agree):
        # Same title, journal, year and first page: one citation, however the authors were
        # mangled on the way ("Si Hyun Kang N" / "Kang SH").
        return Verdict(PairOutcome.DUPLICATE, ts, "same_citation")
    touching = page == 0 and bool(a.page_first and b.page_first)   # ranges that share a page
    if contained and not special and not authors_clash and (same_place or (
            touching and journal > 0 and year_gap == 0)) and authors_agree and volume >= 0 \
            and (issue >= 0 or volume > 0) and page_last >= 0:
        # One title is the other plus a section heading or subtitle ("MEDICAL PROGRESS ...").
        return Verdict(PairOutcome.DUPLICATE, max(ts, 0.9), "title_contained_same_citation")
    if special and not soft and ts >= 0.97 and page > 0 and (volume > 0 or year_gap == 0) and authors_agree:
        return Verdict(PairOutcome.DUPLICATE, ts, f"metadata_{a.kind}")
    if not special and not soft and ts < 0.97:
        cited = _same_citation(a, b, ts)
        if cited.outcome == PairOutcome.DUPLICATE:
            return cited
    if ts >= 0.9 and (authors_agree or year_gap == 0 or support >= 2):
        return Verdict(PairOutcome.POSSIBLE, ts, "similar")
    if ts >= 0.8 and support >= 3 and authors_agree:
        return Verdict(PairOutcome.POSSIBLE, ts, "similar_title_same_details")
    return Verdict(PairOutcome.DISTINCT, ts, "")


def _same_citation(a: Features, b: Features, ts: float) -> Verdict:
    """Titles that differ (two translations of a foreign title) but one full citation: same
    authors, year, journal, volume and page range."""
    if a.generic or b.generic or a.kind != b.kind:
        return _DISTINCT
    if a.kind == Kind.CONFERENCE and not (a.page_last and a.page_last != a.page_first):
        return _DISTINCT      # one supplement page holds several abstracts: a range is needed
    if not (a.year and a.year == b.year and a.volume and a.volume == b.volume
            and a.page_first and a.page_first == b.page_first
            and a.page_last and a.page_last == b.page_last):
        return _DISTINCT
    if a.numbers and b.numbers and not (a.numbers <= b.numbers or b.numbers <= a.numbers):
        return _DISTINCT
    first_author, overlap = author_agreement(a.authors, b.authors)
    if not (first_author and overlap >= 0.75) or _journal(a.journal, b.journal) < 0 and overlap < 1:
        return _DISTINCT
    # Different issues with one page range: a mistyped issue, unless a single author wrote
    # two papers that happen to sit on the same pages of two issues.
    if _field(a.issue, b.issue) < 0 and min(len(a.authors), len(b.authors)) < 2:
        return _DISTINCT
    if min(len(a.authors), len(b.authors)) < 2 and _field(a.issue, b.issue) <= 0 \
            and not (a.kind == Kind.CONFERENCE and a.issue[:1] == b.issue[:1] == "s"):
        return _DISTINCT
    if a.doi and b.doi:
        return _DISTINCT
    return Verdict(PairOutcome.DUPLICATE, max(ts, 0.9), "same_citation_other_title")


def _journal(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """1 same journal, -1 clearly another, 0 unknown (a name missing, or alike but not
    matching word by word: translations, subtitles, unusual abbreviations)."""
    if not a or not b:
        return 0
    if journals_match(a, b):
        return 1
    return 0 if fuzz.token_set_ratio(" ".join(a), " ".join(b)) >= 80 else -1


def _contained(x: str, y: str) -> bool:
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return len(short) >= 20 and short in long_


def _generic(a: Features, b: Features, ts: float, year_gap: int | None, journal: int, volume: int,
             issue: int, page: int, page_last: int, authors_clash: bool) -> Verdict:
    """Titles such as "Editorial": only the full citation tells two of them apart."""
    if ts < 0.97 or authors_clash or year_gap != 0 or min(journal, volume, issue, page, page_last) < 0:
        return Verdict(PairOutcome.DISTINCT, ts, "generic_title")
    if page > 0 and (volume > 0 or issue > 0) and journal >= 0 and a.kind == b.kind:
        return Verdict(PairOutcome.DUPLICATE, ts, "generic_title_same_citation")
    if page > 0 or (volume > 0 and issue > 0):
        return Verdict(PairOutcome.POSSIBLE, ts, "generic_title")
    return Verdict(PairOutcome.DISTINCT, ts, "generic_title")


def _shifted(a: Features, b: Features) -> bool:
    """True when ``a`` holds ``b``'s volume in its issue field and ``b``'s issue in its pages, with
    no volume and no page range of its own ("pages 9, issue 26" for "26(9):1746")."""
    return bool(not a.volume and not a.page_last and a.issue and a.page_first and b.volume and b.issue
                and a.issue == b.volume and a.page_first == b.issue and a.issue != a.page_first)


def _article_number_pair(x: str, y: str) -> bool:
    # "e1234" against "1234" is one article number written two ways; "c1804" against "1014"
    # is an article number against a page: two numbering systems, no evidence either way.
    if x.lstrip("e") == y.lstrip("e"):
        return True
    # (An "S" page is a supplement's page, not an article number.)
    return any(u[:1].isalpha() and u[:1] != "s" and u[1:].isdigit() and v.isdigit()
               for u, v in ((x, y), (y, x)))


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


def _same_identifier(a: Features, b: Features, which: str, ts: float) -> Verdict:
    if a.kind != b.kind and {a.kind, b.kind} != {Kind.ARTICLE, Kind.CONFERENCE}:
        # An erratum or comment carrying its article's identifier: a person decides.
        return Verdict(PairOutcome.POSSIBLE, ts, f"{which}_same_kinds_differ")
    if not a.title or not b.title or ts >= 0.8 or _contained(a.title_compact, b.title_compact):
        return Verdict(PairOutcome.DUPLICATE, max(ts, 0.99), which)
    return Verdict(PairOutcome.POSSIBLE, ts, f"{which}_same_titles_differ")


def _cross_language(a: Features, b: Features, same_id: str, anchored: bool) -> Verdict:
    """A Chinese record against a non-Chinese one: merged only through a shared identifier."""
    zh, other = (a, b) if a.cjk else (b, a)
    if same_id:
        return Verdict(PairOutcome.DUPLICATE, 0.99, f"{same_id}_cross_language")
    if not anchored:
        return _DISTINCT
    if zh.doi and other.doi:
        return Verdict(PairOutcome.DISTINCT, 0.0, "doi_differs", conflict=True)
    ts = 0.0
    if zh.title_alts and other.title:
        ts = max(Indel.normalized_similarity(x, y) for x in zh.title_alts
                 for y in (other.title_compact, *other.title_alts))
    year = zh.year is not None and zh.year == other.year
    page = _field(zh.page_first, other.page_first)
    volume = _field(zh.volume, other.volume)
    issue = _field(zh.issue, other.issue)
    issn = _field(zh.issn, other.issn)
    details = year and page > 0 and (volume > 0 or issue > 0) and volume >= 0 and issue >= 0 and issn >= 0
    first_author, overlap = author_agreement(zh.authors, other.authors)
    authors = first_author and overlap >= 0.5
    if page < 0 or (zh.year and other.year and abs(zh.year - other.year) > 1):
        return Verdict(PairOutcome.DISTINCT, ts, "details_differ", conflict=True)
    evidence = (ts >= 0.85) + details + authors
    if evidence >= 2 or (ts >= 0.95) or (details and issn > 0):
        return Verdict(PairOutcome.POSSIBLE, max(ts, 0.5 + 0.15 * evidence), "cross_language")
    return Verdict(PairOutcome.DISTINCT, ts, "")
