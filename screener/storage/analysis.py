"""Saved analyses (table ``analysis``): settings and results as JSON, who saved them and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from screener.errors import InvalidInputError
from screener.storage.db import now
from screener.storage.rows import insert

__all__ = [
    "SavedAnalysis",
    "delete_analysis",
    "get_analysis",
    "kept_analyses",
    "list_analyses",
    "rename_analysis",
    "save_analysis",
]


@dataclass(frozen=True, slots=True, eq=False)
class SavedAnalysis:
    """One row of ``analysis``: ``settings`` and ``results`` decoded from their JSON."""

    id: int
    name: str
    outcome: str
    settings: dict[str, Any]
    results: dict[str, Any]
    reviewer: str | None
    created_at: str


_SELECT = (
    "SELECT a.id, a.name, ifnull(o.name, ''), a.settings_json, a.results_json, r.name, a.created_at"
    " FROM analysis a LEFT JOIN outcome o ON o.id = a.outcome_id"
    " LEFT JOIN reviewer r ON r.id = a.reviewer_id"
)


def save_analysis(
    db: sqlite_utils.Database,
    *,
    name: str,
    outcome_id: int | None,
    settings: dict[str, Any],
    results: dict[str, Any],
    reviewer_id: int | None,
) -> int:
    """Insert one analysis (inside the caller's transaction); returns its id. The JSON is
    strict (no NaN): the results must already be JSON-safe."""
    return insert(
        db,
        "analysis",
        {
            "name": name,
            "outcome_id": outcome_id,
            "settings_json": json.dumps(settings, ensure_ascii=False, allow_nan=False),
            "results_json": json.dumps(results, ensure_ascii=False, allow_nan=False),
            "reviewer_id": reviewer_id,
            "created_at": now(),
        },
    )


def list_analyses(db: sqlite_utils.Database) -> list[SavedAnalysis]:
    """Every saved analysis, oldest first."""
    return [_from_row(row) for row in db.execute(_SELECT + " ORDER BY a.id")]


def kept_analyses(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The analyses the report shows: every kept one (deleting removes the row), oldest first,
    as dicts with id, name, outcome, data_type, reviewer, created_at and the decoded settings
    and results (an unreadable JSON column decodes as an empty dict)."""
    rows = db.execute(
        "SELECT a.id, a.name, ifnull(o.name, ''), ifnull(o.data_type, ''), r.name,"
        " a.settings_json, a.results_json, a.created_at FROM analysis a"
        " LEFT JOIN outcome o ON o.id = a.outcome_id"
        " LEFT JOIN reviewer r ON r.id = a.reviewer_id ORDER BY a.id"
    ).fetchall()
    return [
        {
            "id": aid,
            "name": name,
            "outcome": outcome,
            "data_type": data_type,
            "reviewer": reviewer,
            "settings": _decoded(settings),
            "results": _decoded(results),
            "created_at": created_at,
        }
        for aid, name, outcome, data_type, reviewer, settings, results, created_at in rows
    ]


def _decoded(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def rename_analysis(db: sqlite_utils.Database, analysis_id: int, name: str) -> None:
    """Give a saved analysis a new name (inside the caller's transaction)."""
    if db.execute("UPDATE analysis SET name = ? WHERE id = ?", [name, analysis_id]).rowcount == 0:
        raise InvalidInputError(f"no saved analysis with id {analysis_id}")


def delete_analysis(db: sqlite_utils.Database, analysis_id: int) -> None:
    """Delete a saved analysis (inside the caller's transaction): its row goes, so no list,
    report or R script shows it again."""
    if db.execute("DELETE FROM analysis WHERE id = ?", [analysis_id]).rowcount == 0:
        raise InvalidInputError(f"no saved analysis with id {analysis_id}")


def get_analysis(db: sqlite_utils.Database, analysis_id: int) -> SavedAnalysis:
    row = db.execute(_SELECT + " WHERE a.id = ?", [analysis_id]).fetchone()
    if row is None:
        raise InvalidInputError(f"no saved analysis with id {analysis_id}")
    return _from_row(row)


def _from_row(row: tuple[Any, ...]) -> SavedAnalysis:
    aid, name, outcome, settings, results, reviewer, created_at = row
    return SavedAnalysis(
        aid,
        name,
        outcome,
        json.loads(settings or "{}"),
        json.loads(results or "{}"),
        reviewer,
        created_at,
    )
