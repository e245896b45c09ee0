"""Studies and the records (reports) behind them: link, unlink, list, and which studies count
as included.

One rule decides whether a study is included, the PRISMA one (:mod:`screener.prisma.counts`):
a study with at least one linked report included at full text. ``screener study list``, the
notes of ``screener pool``, ``screener check`` and the PRISMA diagram all read it from
:func:`study_list`, so the studies an analysis pools and the diagram's "studies included"
cannot silently disagree: a pooled study the diagram does not count is named.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from screener.errors import InvalidInputError
from screener.extraction.values import Flag, LinkedRecord, StudyRecords
from screener.prisma import counts as prisma_counts
from screener.records import Record
from screener.storage import extraction as store
from screener.storage import prisma as prisma_store
from screener.storage import records as records_store
from screener.storage.db import transaction

__all__ = [
    "NOT_INCLUDED",
    "StudyRecords",
    "link",
    "not_included",
    "study_flags",
    "study_list",
    "unlink",
]

NOT_INCLUDED = "no_included_report"
"""The flag kind of a study with no report included at full text (``screener check``)."""


def link(db: sqlite_utils.Database, study: str, record_ids: Iterable[int]) -> list[int]:
    """Link records to ``study`` as its reports, all or none; returns the ones newly linked."""
    ids = _distinct(record_ids)
    added = []
    with transaction(db):
        sid = store.study_id(db, study)
        for rid in ids:
            if store.link_report(db, sid, rid):
                added.append(rid)
    return added


def unlink(db: sqlite_utils.Database, study: str, record_ids: Iterable[int]) -> None:
    """Remove records from ``study``'s reports, all or none."""
    ids = _distinct(record_ids)
    with transaction(db):
        sid = store.study_id(db, study)
        for rid in ids:
            store.unlink_report(db, sid, rid)


def study_list(db: sqlite_utils.Database) -> list[StudyRecords]:
    """Every study with its linked records, each record's screening outcome as PRISMA counts
    it, and whether the study counts as included."""
    units = prisma_store.unit_of_records(db)
    inputs = prisma_store.load_inputs(db, units)
    outcome = prisma_counts.outcomes(inputs)
    included = set(prisma_counts.compute_counts(inputs).included_studies)
    unit_of = units[0]
    out = []
    for study in store.list_studies(db):
        records = []
        for rid in study.record_ids:
            found = outcome.get(unit_of.get(rid, rid))
            status = found.describe() if found is not None else "not screened"
            records.append(LinkedRecord(rid, _citation(records_store.get_record(db, rid)), status))
        out.append(StudyRecords(study.name, study.note, tuple(records), study.name in included))
    return out


def not_included(db: sqlite_utils.Database, names: Iterable[str]) -> list[StudyRecords]:
    """The studies among ``names`` that the PRISMA count does not include, in review order."""
    wanted = set(names)
    return [s for s in study_list(db) if s.name in wanted and not s.included]


def study_flags(db: sqlite_utils.Database) -> list[Flag]:
    """A flag for each study no included report supports (``screener check``)."""
    return [
        Flag(
            s.name,
            "",
            "",
            "",
            NOT_INCLUDED,
            f"{s.problem}: PRISMA does not count it as a study included, yet an analysis "
            "can pool it; link its included records (screener study link)",
        )
        for s in study_list(db)
        if not s.included
    ]


def _distinct(record_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(r) for r in record_ids))
    if not ids:
        raise InvalidInputError("give at least one record id")
    return ids


def _citation(record: Record) -> str:
    first = record.authors[0].family if record.authors else ""
    head = " ".join(p for p in (first, str(record.year or "")) if p)
    return f"{head}. {record.title}" if head else record.title
