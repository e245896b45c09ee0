"""GRADE judgements and settings of saved analyses (tables ``grade_judgement``, ``grade_setting``).

Both are histories: a change appends a row and the latest row (largest id) counts, so no
judgement is ever overwritten; who made each and when stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from screener.report.grade import Judgement
from screener.storage.db import now
from screener.storage.rows import insert

__all__ = [
    "GradeSetting",
    "add_judgement",
    "add_setting",
    "judgements",
    "latest_judgements",
    "latest_settings",
    "settings_history",
]


@dataclass(frozen=True, slots=True)
class GradeSetting:
    """One row of ``grade_setting``: a MID or a design a reviewer set for an analysis."""

    analysis_id: int
    key: str
    value: str
    reviewer: str
    made_at: str
    id: int = 0


_JUDGEMENTS = (
    "SELECT g.id, g.analysis_id, g.domain, g.level, g.reason, r.name, g.made_at"
    " FROM grade_judgement g JOIN reviewer r ON r.id = g.reviewer_id"
)
_SETTINGS = (
    "SELECT s.id, s.analysis_id, s.key, s.value, r.name, s.made_at"
    " FROM grade_setting s JOIN reviewer r ON r.id = s.reviewer_id"
)


def add_judgement(
    db: sqlite_utils.Database,
    *,
    analysis_id: int,
    domain: str,
    level: str,
    reason: str,
    reviewer_id: int,
) -> int:
    """Append a judgement (inside the caller's transaction); returns its id."""
    return insert(
        db,
        "grade_judgement",
        {
            "analysis_id": analysis_id,
            "domain": domain,
            "level": level,
            "reason": reason,
            "reviewer_id": reviewer_id,
            "made_at": now(),
        },
    )


def judgements(db: sqlite_utils.Database, analysis_id: int | None = None) -> list[Judgement]:
    """Every judgement (of one analysis, or of all), oldest first: the history."""
    where, params = (
        (" WHERE g.analysis_id = ?", [analysis_id]) if analysis_id is not None else ("", [])
    )
    return [_judgement(row) for row in db.execute(_JUDGEMENTS + where + " ORDER BY g.id", params)]


def latest_judgements(db: sqlite_utils.Database, analysis_id: int) -> dict[str, Judgement]:
    """The judgement that counts for each judged domain of ``analysis_id``: the latest."""
    return {j.domain: j for j in judgements(db, analysis_id)}


def add_setting(
    db: sqlite_utils.Database, *, analysis_id: int, key: str, value: str, reviewer_id: int
) -> int:
    """Append a setting (inside the caller's transaction); returns its id."""
    return insert(
        db,
        "grade_setting",
        {
            "analysis_id": analysis_id,
            "key": key,
            "value": value,
            "reviewer_id": reviewer_id,
            "made_at": now(),
        },
    )


def settings_history(db: sqlite_utils.Database, analysis_id: int) -> list[GradeSetting]:
    """Every setting of ``analysis_id``, oldest first."""
    rows = db.execute(_SETTINGS + " WHERE s.analysis_id = ? ORDER BY s.id", [analysis_id])
    return [GradeSetting(aid, key, value, who, at, sid) for sid, aid, key, value, who, at in rows]


def latest_settings(db: sqlite_utils.Database, analysis_id: int) -> dict[str, GradeSetting]:
    """The setting that counts for each key of ``analysis_id`` (a cleared one is left out)."""
    latest = {s.key: s for s in settings_history(db, analysis_id)}
    return {k: s for k, s in latest.items() if s.value != ""}


def _judgement(row: tuple[Any, ...]) -> Judgement:
    jid, aid, domain, level, reason, who, at = row
    return Judgement(aid, domain, level, reason, who, at, jid)
