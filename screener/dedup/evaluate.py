"""Scoring a deduplication against gold duplicate groups, and reading labelled benchmark rows.

Two conventions are reported:

* pairwise: every pair inside a predicted cluster is a predicted match; every pair inside a gold
  group is a true match.
* record-level (the ASySD / bib-dedupe convention): each cluster keeps one record and removes the
  rest. A removed record is a true positive when its study is still represented; a predicted
  cluster spanning k gold groups loses k - 1 studies, counted as k - 1 false positives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from screener.records import Record, make_record

__all__ = ["Scores", "record_from_row", "score_pairwise", "score_records", "split_authors"]


@dataclass(frozen=True, slots=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _group_of(groups: Iterable[Iterable[str]]) -> dict[str, int]:
    out = {}
    for n, group in enumerate(groups):
        for item in group:
            out[item] = n
    return out


def score_pairwise(gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]) -> Scores:
    """Pairwise precision/recall of predicted clusters against gold groups."""
    gold_of = _group_of(gold)
    gold_pairs = sum(len(g) * (len(g) - 1) // 2 for g in (list(x) for x in gold))
    tp = fp = 0
    for cluster in predicted:
        items = list(cluster)
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                gi, gj = gold_of.get(items[i]), gold_of.get(items[j])
                if gi is not None and gi == gj:
                    tp += 1
                else:
                    fp += 1
    return Scores(tp, fp, gold_pairs - tp)


def score_records(gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]) -> Scores:
    """Record-level scores: duplicates correctly removed, studies lost, duplicates left."""
    gold_of = _group_of(gold)
    to_remove = sum(len(list(g)) - 1 for g in gold)
    tp = fp = 0
    for cluster in predicted:
        items = list(cluster)
        studies = {gold_of.get(x, ("single", x)) for x in items}
        tp += len(items) - len(studies)
        fp += len(studies) - 1
    return Scores(tp, fp, to_remove - tp)


_CONCATENATED = re.compile(r"(?<=\.)(?=[A-Z][a-z])")


def split_authors(value: str) -> list[str]:
    """Authors of a benchmark row: BibTeX ``" and "`` lists, ``";"`` lists, or EndNote's names
    run together (``"Adeli K.Lewis G. F."``)."""
    value = (value or "").strip()
    if not value:
        return []
    if " and " in value:
        return [a.strip() for a in value.split(" and ") if a.strip()]
    if ";" in value:
        return [a.strip() for a in value.split(";") if a.strip()]
    return [a.strip() for a in _CONCATENATED.split(value) if a.strip()]


def _text(row: Mapping[str, str | None], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if (
            value is not None
            and str(value).strip()
            and str(value).strip().lower() not in ("nan", "na", "unknown")
        ):
            return str(value).strip()
    return ""


def record_from_row(row: Mapping[str, str | None]) -> Record:
    """A Record from one row of a labelled benchmark CSV (bib-dedupe or ASySD columns)."""
    entry_type = _text(row, "ENTRYTYPE").lower()
    pub_types = (
        ["Conference Paper"] if entry_type in ("inproceedings", "proceedings", "conference") else []
    )
    pages = _text(row, "pages").replace("--", "-").replace(" ", "")
    return make_record(
        title=_text(row, "title"),
        abstract=_text(row, "abstract"),
        authors=split_authors(_text(row, "author")),
        year=_text(row, "year"),
        pages=pages,
        journal=_text(row, "journal", "booktitle"),
        volume=_text(row, "volume"),
        issue=_text(row, "number", "issue"),
        doi=_text(row, "doi"),
        issn=_text(row, "issn"),
        pub_types=pub_types,
        source_key=_text(row, "ID", "record_id"),
    )
