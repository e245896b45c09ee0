"""Prioritised screening in the review file: queue orders, rankings, the stopping rule's sample
and stops (tables of db/0005). Writers run inside the caller's transaction.

Arrays (a ranking's record ids and scores, a sample's urn) are stored as little-endian numpy
bytes in one row each: a 100,000-record ranking is one 1.2 MB row, written and read in a few
milliseconds, where 100,000 score rows would hold the write lock for a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from screener.model import Stage
from screener.screening.order import RankingInfo
from screener.screening.stopping import ScreeningStop, StoppingTest
from screener.storage.db import now
from screener.storage.rows import insert

_IDS = np.dtype("<i8")
_SCORES = np.dtype("<f4")


# --- queue orders --------------------------------------------------------------------------------


def get_order(db: sqlite_utils.Database, rid: int, stage: Stage) -> tuple[str, int] | None:
    """The reviewer's stored (mode, seed) at ``stage``, or None (automatic)."""
    row = db.execute(
        "SELECT mode, seed FROM queue_order WHERE reviewer_id = ? AND stage = ?", [rid, stage.value]
    ).fetchone()
    return (row[0], row[1]) if row else None


def set_order(db: sqlite_utils.Database, rid: int, stage: Stage, mode: str, seed: int) -> None:
    db.execute(
        "INSERT INTO queue_order (reviewer_id, stage, mode, seed, changed_at) VALUES (?, ?, ?, "
        "?, ?)"
        " ON CONFLICT (reviewer_id, stage) DO UPDATE SET mode = excluded.mode, seed = "
        "excluded.seed,"
        " changed_at = excluded.changed_at",
        [rid, stage.value, mode, seed, now()],
    )


def file_stamp(db: sqlite_utils.Database) -> tuple[str, str]:
    """(path, the review's creation time): which review file this is, for caches."""
    stamp = db.execute("SELECT created_at FROM review WHERE id = 1").fetchone()[0]
    return db.execute("PRAGMA database_list").fetchone()[2] or ":memory:", stamp


# --- decisions the ranking learns from -----------------------------------------------------------


def own_choice_counts(db: sqlite_utils.Database, rid: int, stage: Stage) -> list[tuple[str, int]]:
    """(choice, count) of the reviewer's live decisions at ``stage``, per record."""
    return [
        (str(c), int(n))
        for c, n in db.execute(
            "SELECT decision, count(*) FROM current_decision WHERE stage = ? AND reviewer_id = ?"
            " GROUP BY decision",
            [stage.value, rid],
        ).fetchall()
    ]


def own_decisions(db: sqlite_utils.Database, rid: int, stage: Stage) -> list[tuple[int, str]]:
    """(unit record id, choice) of the reviewer's live decisions at ``stage``."""
    return [
        (int(r), str(c))
        for r, c in db.execute(
            "SELECT record_id, decision FROM unit_decision WHERE reviewer_id = ? AND stage = ?"
            " ORDER BY record_id",
            [rid, stage.value],
        ).fetchall()
    ]


def shared_ids(db: sqlite_utils.Database, stage: Stage) -> set[int]:
    """Units whose final decision is the team's, not one reviewer's: resolved ones and those
    two or more reviewers decided."""
    s = stage.value
    return {
        r[0]
        for r in db.execute(
            "SELECT record_id FROM unit_resolution WHERE stage = :s UNION SELECT record_id FROM"
            " unit_decision WHERE stage = :s GROUP BY record_id HAVING count(*) >= 2",
            {"s": s},
        ).fetchall()
    }


def decided_ids(db: sqlite_utils.Database, stage: Stage) -> set[int]:
    """Units anyone has a live decision (or a resolution) on at ``stage``."""
    s = stage.value
    return {
        r[0]
        for r in db.execute(
            "SELECT record_id FROM unit_decision WHERE stage = :s UNION"
            " SELECT record_id FROM unit_resolution WHERE stage = :s",
            {"s": s},
        ).fetchall()
    }


def pool_ids(db: sqlite_utils.Database) -> np.ndarray:
    """The title/abstract stage's records (not secondary duplicates), in id order."""
    rows = db.execute("SELECT id FROM screened_record ORDER BY id").fetchall()  # one call, not
    return np.array([r[0] for r in rows], dtype=np.int64)  # one per row


def texts_after(
    db: sqlite_utils.Database, after: int, *, batch: int = 2_048
) -> Iterator[list[tuple[int, str, str, list[str]]]]:
    """(id, title, abstract, keywords) of records with ids above ``after``, in id order, in
    batches; the English title, abstract and keywords of a translated record are added."""
    cursor = db.execute(
        "SELECT id, title, abstract, keywords_json, title_en, abstract_en, keywords_en_json"
        " FROM record WHERE id > ? ORDER BY id",
        [after],
    )
    while rows := cursor.fetchmany(batch):
        yield [
            (
                i,
                f"{t} {te}".strip(),
                f"{a} {ae}".strip(),
                json.loads(k or "[]") + json.loads(ke or "[]"),
            )
            for i, t, a, k, te, ae, ke in rows
        ]


# --- rankings ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredRanking:
    record_ids: np.ndarray  # most relevant first
    scores: np.ndarray
    info: RankingInfo
    labels_key: str


def ranking_key(db: sqlite_utils.Database, rid: int, stage: Stage) -> tuple[int, str] | None:
    """(labels, labels_key) of the stored ranking, without reading its arrays."""
    row = db.execute(
        "SELECT labels, labels_key FROM ranking WHERE reviewer_id = ? AND stage = ?",
        [rid, stage.value],
    ).fetchone()
    return (row[0], row[1]) if row else None


def ranking_count(db: sqlite_utils.Database, stage: Stage) -> int:
    """How many reviewers have a ranking at ``stage``."""
    return int(
        db.execute("SELECT count(*) FROM ranking WHERE stage = ?", [stage.value]).fetchone()[0]
    )


def ranking_info(db: sqlite_utils.Database, rid: int, stage: Stage) -> RankingInfo | None:
    row = db.execute(
        "SELECT labels, includes, trained_at, seconds, model FROM ranking"
        " WHERE reviewer_id = ? AND stage = ?",
        [rid, stage.value],
    ).fetchone()
    return RankingInfo(*row) if row else None


def load_ranking(db: sqlite_utils.Database, rid: int, stage: Stage) -> StoredRanking | None:
    row = db.execute(
        "SELECT record_ids, scores, labels, includes, trained_at, seconds, model, labels_key"
        " FROM ranking WHERE reviewer_id = ? AND stage = ?",
        [rid, stage.value],
    ).fetchone()
    if row is None:
        return None
    return StoredRanking(
        np.frombuffer(row[0], dtype=_IDS).astype(np.int64),
        np.frombuffer(row[1], dtype=_SCORES).astype(np.float32),
        RankingInfo(row[2], row[3], row[4], row[5], row[6]),
        row[7],
    )


def save_ranking(
    db: sqlite_utils.Database,
    rid: int,
    stage: Stage,
    record_ids: np.ndarray,
    scores: np.ndarray,
    *,
    labels: int,
    includes: int,
    labels_key: str,
    model: dict[str, Any],
    seconds: float,
) -> None:
    db.execute(
        "INSERT INTO ranking (reviewer_id, stage, record_ids, scores, labels, includes, labels_key,"
        " model, seconds, trained_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (reviewer_id, stage) DO UPDATE SET record_ids = excluded.record_ids,"
        " scores = excluded.scores, labels = excluded.labels, includes = excluded.includes,"
        " labels_key = excluded.labels_key, model = excluded.model, seconds = excluded.seconds,"
        " trained_at = excluded.trained_at",
        [
            rid,
            stage.value,
            np.asarray(record_ids, dtype=_IDS).tobytes(),
            np.asarray(scores, dtype=_SCORES).tobytes(),
            labels,
            includes,
            labels_key,
            json.dumps(model, sort_keys=True),
            round(seconds, 4),
            now(),
        ],
    )


# --- the stopping rule: samples and stops ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    id: int
    seed: int
    urn: np.ndarray  # in sampling order
    includes_before: int
    started_at: str


def latest_sample(db: sqlite_utils.Database, stage: Stage) -> Sample | None:
    row = db.execute(
        "SELECT id, seed, record_ids, includes_before, started_at FROM stopping_sample"
        " WHERE stage = ? ORDER BY id DESC LIMIT 1",
        [stage.value],
    ).fetchone()
    if row is None:
        return None
    return Sample(
        row[0], row[1], np.frombuffer(row[2], dtype=_IDS).astype(np.int64), row[3], row[4]
    )


def add_sample(
    db: sqlite_utils.Database,
    stage: Stage,
    seed: int,
    urn: np.ndarray,
    includes_before: int,
    rid: int,
) -> int:
    return insert(
        db,
        "stopping_sample",
        {
            "stage": stage.value,
            "seed": seed,
            "record_ids": np.asarray(urn, dtype=_IDS).tobytes(),
            "includes_before": includes_before,
            "reviewer_id": rid,
            "started_at": now(),
        },
    )


_STOP_SELECT = (
    "SELECT s.id, s.stage, r.name, s.stopped_at, s.records, s.screened, s.marked, s.recall_target,"
    " s.confidence, s.urn, s.sampled, s.sample_includes, s.includes_before, s.includes, s.k_target,"
    " s.p_value, s.recall_estimate, s.recall_low, s.recall_high"
    " FROM screening_stop s JOIN reviewer r ON r.id = s.reviewer_id"
)


def _to_stop(row: tuple[Any, ...]) -> ScreeningStop:
    test = StoppingTest(
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        row[12],
        row[13],
        row[14],
        row[15],
        row[16],
        row[17],
        row[18],
        0,
    )
    return ScreeningStop(row[0], row[1], row[2], row[3], row[4], row[5], row[6], test)


def live_stop(db: sqlite_utils.Database, stage: Stage) -> ScreeningStop | None:
    """The stage's stop not undone, if any."""
    row = db.execute(
        _STOP_SELECT + " WHERE s.stage = ? AND s.undone_at IS NULL ORDER BY s.id DESC LIMIT 1",
        [stage.value],
    ).fetchone()
    return _to_stop(row) if row else None


def add_stop(
    db: sqlite_utils.Database,
    stage: Stage,
    rid: int,
    sample_id: int | None,
    test: StoppingTest,
    *,
    records: int,
    screened: int,
    record_ids: list[int],
) -> int:
    """Store a stop and mark ``record_ids`` not screened by it; returns the stop's id."""
    stop_id = insert(
        db,
        "screening_stop",
        {
            "stage": stage.value,
            "sample_id": sample_id,
            "reviewer_id": rid,
            "recall_target": test.recall_target,
            "confidence": test.confidence,
            "records": records,
            "screened": screened,
            "includes": test.includes_found,
            "urn": test.urn,
            "sampled": test.sampled,
            "sample_includes": test.sample_includes,
            "includes_before": test.includes_before,
            "k_target": test.k_target,
            "p_value": test.p_value,
            "recall_estimate": test.recall_estimate,
            "recall_low": test.recall_low,
            "recall_high": test.recall_high,
            "marked": len(record_ids),
            "stopped_at": now(),
        },
    )
    db.conn.executemany(
        "INSERT INTO stopped_record (stop_id, record_id) VALUES (?, ?)",
        [(stop_id, r) for r in record_ids],
    )
    return stop_id


def undo_stop(db: sqlite_utils.Database, stop_id: int, rid: int) -> None:
    db.execute(
        "UPDATE screening_stop SET undone_at = ?, undone_by = ? WHERE id = ?", [now(), rid, stop_id]
    )


def stopped_ids(db: sqlite_utils.Database, stage: Stage) -> set[int]:
    """Records the stage's live stop marked not screened."""
    return {
        r[0]
        for r in db.execute(
            "SELECT m.record_id FROM stopped_record m JOIN screening_stop s ON s.id = m.stop_id"
            " WHERE s.stage = ? AND s.undone_at IS NULL",
            [stage.value],
        ).fetchall()
    }


def in_pool(db: sqlite_utils.Database, ids: list[int]) -> set[int]:
    """Which of ``ids`` are records of the title/abstract stage (not secondary duplicates)."""
    if not ids:
        return set()
    return {
        r[0]
        for r in db.execute(
            "SELECT id FROM screened_record WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
    }
