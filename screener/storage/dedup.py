"""Duplicate pairs and clusters in the review file.

``duplicate_pair`` holds the rule's duplicate and possible verdicts and every person's verdict
(``decided_by = 'person'``, never overwritten by the rule). ``cluster`` / ``cluster_member`` say
which records are one report; records are never deleted. Writers run inside the caller's
transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from screener.dedup import QueuedPair
from screener.errors import InvalidInputError
from screener.records import Record
from screener.storage.review import get_setting, put_setting
from screener.storage.rows import RECORD_COLUMNS, row_to_record, scalar_int

__all__ = [
    "PairRow",
    "apply_clusters",
    "clusters",
    "count_pairs",
    "delete_pair",
    "delete_rule_pairs",
    "find_pair",
    "get_pair",
    "last_compared_id",
    "last_person_pair",
    "load_records",
    "pairs",
    "pairs_around",
    "queue",
    "record_summary",
    "records_with_decisions",
    "restore_rule_verdict",
    "set_last_compared_id",
    "set_person_verdict",
    "set_rule_verdict",
    "upsert_rule_pairs",
]

_LAST_ID_KEY = "dedup.last_record_id"


@dataclass(frozen=True, slots=True)
class PairRow:
    id: int
    record_a: int
    record_b: int
    score: float | None
    outcome: str
    decided_by: str
    rule: str
    reviewer_id: int | None
    decided_at: str


# Matching never reads the verbatim entry or the extra fields: leave them in the file.
_COLUMNS = "id, " + ", ".join(
    "'' AS raw" if c == "raw" else "'{}' AS extra_json" if c == "extra_json" else c
    for c in RECORD_COLUMNS
)


def count_clusters(db: sqlite_utils.Database) -> int:
    return scalar_int(db, "SELECT count(*) FROM cluster")


def load_records(
    db: sqlite_utils.Database, ids: Iterable[int] | None = None
) -> list[tuple[int, Record]]:
    """(id, Record) for every record, or for ``ids``, in id order (without the raw entries)."""
    if ids is None:
        return _records(db.execute(f"SELECT {_COLUMNS} FROM record ORDER BY id"))
    wanted = sorted(set(ids))
    out: list[tuple[int, Record]] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        out += _records(
            db.execute(
                f"SELECT {_COLUMNS} FROM record WHERE id IN ({', '.join('?' for _ in chunk)}) "
                "ORDER BY id",
                chunk,
            )
        )
    return out


def _records(cursor: sqlite3.Cursor) -> list[tuple[int, Record]]:
    names = [d[0] for d in cursor.description]
    return [(row[0], row_to_record(dict(zip(names, row, strict=True)))) for row in cursor]


def last_compared_id(db: sqlite_utils.Database) -> int:
    """The highest record id a dedup run has compared (0 before the first run)."""
    return int(get_setting(db, _LAST_ID_KEY, 0))


def set_last_compared_id(db: sqlite_utils.Database, record_id: int) -> None:
    put_setting(db, _LAST_ID_KEY, int(record_id))


_PAIR_COLUMNS = "id, record_a, record_b, score, outcome, decided_by, rule, reviewer_id, decided_at"


def pairs(
    db: sqlite_utils.Database, *, outcome: str | None = None, decided_by: str | None = None
) -> list[PairRow]:
    sql = f"SELECT {_PAIR_COLUMNS} FROM duplicate_pair WHERE 1 = 1"
    args: list[Any] = []
    if outcome:
        sql += " AND outcome = ?"
        args.append(outcome)
    if decided_by:
        sql += " AND decided_by = ?"
        args.append(decided_by)
    return [PairRow(*row) for row in db.execute(sql + " ORDER BY id", args)]


def pairs_around(
    db: sqlite_utils.Database, seeds: Iterable[int], *, guard_prefix: str
) -> tuple[set[int], list[PairRow], dict[int, tuple[int, list[int]]]]:
    """The records joined to ``seeds`` by merge links (duplicate verdicts, and merges the guard
    refused, whose rule starts with ``guard_prefix``) or by sharing a cluster; the pairs among
    those records; and their clusters. What a local rebuild after one verdict needs."""
    region: set[int] = set()
    frontier = set(seeds)
    found: dict[int, PairRow] = {}
    while frontier:
        region |= frontier
        reached: set[int] = set()
        batch = sorted(frontier)
        for start in range(0, len(batch), 400):
            chunk = batch[start : start + 400]
            marks = ", ".join("?" for _ in chunk)
            for row in db.execute(
                f"SELECT {_PAIR_COLUMNS} FROM duplicate_pair WHERE record_a IN ({marks})"
                f" UNION SELECT {_PAIR_COLUMNS} FROM duplicate_pair WHERE record_b IN ({marks})",
                chunk + chunk,
            ):
                pair = PairRow(*row)
                found[pair.id] = pair
                if pair.outcome == "duplicate" or pair.rule.startswith(guard_prefix):
                    reached.update((pair.record_a, pair.record_b))
            reached.update(
                r
                for (r,) in db.execute(
                    "SELECT m2.record_id FROM cluster_member m1 JOIN cluster_member m2"
                    f" ON m2.cluster_id = m1.cluster_id WHERE m1.record_id IN ({marks})",
                    chunk,
                )
            )
        frontier = reached - region
    rows = [p for p in found.values() if p.record_a in region and p.record_b in region]
    rows.sort(key=lambda p: p.id)
    return region, rows, clusters(db, region)


def get_pair(db: sqlite_utils.Database, pair_id: int) -> PairRow:
    row = db.execute(
        f"SELECT {_PAIR_COLUMNS} FROM duplicate_pair WHERE id = ?", [pair_id]
    ).fetchone()
    if row is None:
        raise InvalidInputError(f"no duplicate pair with id {pair_id} in this review")
    return PairRow(*row)


def find_pair(db: sqlite_utils.Database, a: int, b: int) -> PairRow | None:
    a, b = min(a, b), max(a, b)
    row = db.execute(
        f"SELECT {_PAIR_COLUMNS} FROM duplicate_pair WHERE record_a = ? AND record_b = ?", [a, b]
    ).fetchone()
    return PairRow(*row) if row else None


def delete_rule_pairs(db: sqlite_utils.Database) -> None:
    """Forget the rule's verdicts (a full re-run); people's verdicts stay."""
    db.execute("DELETE FROM duplicate_pair WHERE decided_by = 'rule'")


def upsert_rule_pairs(
    db: sqlite_utils.Database, rows: Iterable[tuple[int, int, float, str, str]], *, decided_at: str
) -> None:
    """Store (a, b, score, outcome, rule) verdicts of the rule; a person's verdict on the same
    pair is left as it is."""
    db.conn.executemany(
        "INSERT INTO duplicate_pair (record_a, record_b, score, outcome, decided_by, rule, "
        "decided_at)"
        " VALUES (?, ?, ?, ?, 'rule', ?, ?)"
        " ON CONFLICT (record_a, record_b) DO UPDATE SET score = excluded.score,"
        " outcome = excluded.outcome, rule = excluded.rule, decided_at = excluded.decided_at"
        " WHERE duplicate_pair.decided_by = 'rule'",
        (
            (min(a, b), max(a, b), score, outcome, rule, decided_at)
            for a, b, score, outcome, rule in rows
        ),
    )


def set_rule_verdict(
    db: sqlite_utils.Database, pair_id: int, *, outcome: str, rule: str, score: float | None = None
) -> None:
    """Change a rule row's outcome (the chaining guard sends refused merges to the queue)."""
    db.execute(
        "UPDATE duplicate_pair SET outcome = ?, rule = ?, score = coalesce(?, score)"
        " WHERE id = ? AND decided_by = 'rule'",
        [outcome, rule, score, pair_id],
    )


def set_person_verdict(
    db: sqlite_utils.Database, a: int, b: int, *, same: bool, reviewer_id: int, decided_at: str
) -> int:
    """Record a person's verdict on records ``a`` and ``b``; returns the pair's id."""
    a, b = min(a, b), max(a, b)
    outcome = "duplicate" if same else "distinct"
    db.execute(
        "INSERT INTO duplicate_pair (record_a, record_b, score, outcome, decided_by, rule, "
        "reviewer_id,"
        " decided_at) VALUES (?, ?, NULL, ?, 'person', '', ?, ?)"
        " ON CONFLICT (record_a, record_b) DO UPDATE SET outcome = excluded.outcome,"
        " decided_by = 'person', reviewer_id = excluded.reviewer_id, decided_at = "
        "excluded.decided_at",
        [a, b, outcome, reviewer_id, decided_at],
    )
    return scalar_int(
        db, "SELECT id FROM duplicate_pair WHERE record_a = ? AND record_b = ?", [a, b]
    )


def restore_rule_verdict(
    db: sqlite_utils.Database,
    pair_id: int,
    *,
    outcome: str,
    score: float,
    rule: str,
    decided_at: str,
) -> None:
    """Give a pair back to the rule (undo of a person's verdict)."""
    db.execute(
        "UPDATE duplicate_pair SET outcome = ?, score = ?, rule = ?, decided_by = 'rule',"
        " reviewer_id = NULL, decided_at = ? WHERE id = ?",
        [outcome, score, rule, decided_at, pair_id],
    )


def delete_pair(db: sqlite_utils.Database, pair_id: int) -> None:
    db.execute("DELETE FROM duplicate_pair WHERE id = ?", [pair_id])


def last_person_pair(db: sqlite_utils.Database, reviewer_id: int | None = None) -> PairRow | None:
    """The pair a person (or this reviewer) decided last."""
    sql = f"SELECT {_PAIR_COLUMNS} FROM duplicate_pair WHERE decided_by = 'person'"
    args: list[Any] = []
    if reviewer_id is not None:
        sql += " AND reviewer_id = ?"
        args.append(reviewer_id)
    row = db.execute(sql + " ORDER BY decided_at DESC, id DESC LIMIT 1", args).fetchone()
    return PairRow(*row) if row else None


def queue(db: sqlite_utils.Database) -> list[QueuedPair]:
    """Pairs waiting for a person: the rule's possible verdicts on records not already in one
    cluster, most similar first."""
    rows = db.execute(
        "SELECT p.id, p.record_a, p.record_b, ifnull(p.score, 0), p.rule FROM duplicate_pair p"
        " LEFT JOIN cluster_member ma ON ma.record_id = p.record_a"
        " LEFT JOIN cluster_member mb ON mb.record_id = p.record_b"
        " WHERE p.decided_by = 'rule' AND p.outcome = 'possible'"
        " AND (ma.cluster_id IS NULL OR mb.cluster_id IS NULL OR ma.cluster_id <> mb.cluster_id)"
        " ORDER BY p.score DESC, p.id"
    )
    return [QueuedPair(*row) for row in rows]


def count_pairs(db: sqlite_utils.Database) -> dict[tuple[str, str], int]:
    """(decided_by, outcome) -> number of pairs."""
    rows = db.execute("SELECT decided_by, outcome, count(*) FROM duplicate_pair GROUP BY 1, 2")
    return {(by, outcome): n for by, outcome, n in rows}


def clusters(
    db: sqlite_utils.Database, records: set[int] | None = None
) -> dict[int, tuple[int, list[int]]]:
    """cluster id -> (primary record, member records); with ``records``, only the clusters
    holding one of them."""
    if records is None:
        out: dict[int, tuple[int, list[int]]] = {
            cid: (primary, [])
            for cid, primary in db.execute("SELECT id, primary_record_id FROM cluster")
        }
        rows = db.execute("SELECT record_id, cluster_id FROM cluster_member ORDER BY record_id")
    else:
        wanted = sorted(records)
        ids: set[int] = set()
        for start in range(0, len(wanted), 400):
            chunk = wanted[start : start + 400]
            ids.update(
                c
                for (c,) in db.execute(
                    "SELECT cluster_id FROM cluster_member WHERE record_id IN "
                    f"({', '.join('?' for _ in chunk)})",
                    chunk,
                )
            )
        out = {}
        for cid in ids:
            out[cid] = (
                db.execute("SELECT primary_record_id FROM cluster WHERE id = ?", [cid]).fetchone()[
                    0
                ],
                [],
            )
        rows = [
            row
            for cid in sorted(ids)
            for row in db.execute(
                "SELECT record_id, cluster_id FROM cluster_member WHERE cluster_id = ? ORDER BY "
                "record_id",
                [cid],
            )
        ]
    for record_id, cid in rows:
        if cid in out:
            out[cid][1].append(record_id)
    return out


def records_with_decisions(
    db: sqlite_utils.Database, records: set[int] | None = None
) -> dict[int, int]:
    """record id -> number of live screening decisions and resolutions (not undone) on it (of
    ``records`` only, when given)."""
    sql = (
        "SELECT record_id, count(*) FROM (SELECT record_id FROM current_decision"
        " UNION ALL SELECT record_id FROM resolution"
        "  WHERE id NOT IN (SELECT resolution_id FROM resolution_undo)){} GROUP BY record_id"
    )
    if records is None:
        return dict(db.execute(sql.format("")).fetchall())
    out: dict[int, int] = {}
    wanted = sorted(records)
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        out.update(
            db.execute(sql.format(f" WHERE record_id IN ({', '.join('?' for _ in chunk)})"), chunk)
        )
    return out


def apply_clusters(
    db: sqlite_utils.Database,
    groups: Sequence[tuple[int, Sequence[int]]],
    *,
    existing: dict[int, tuple[int, list[int]]],
    member_info: dict[int, tuple[str, float | None]],
    created_at: str,
) -> dict[int, int]:
    """Replace the clusters ``existing`` (all of them, or those of a local rebuild) by
    ``groups`` ((primary, members) each); other clusters are left alone.

    An existing cluster is kept (same id) for the new group that shares most of its members, so
    ids stay stable across runs; clusters left without a group are removed (their records stay).
    ``member_info`` gives each member's (decided_by, score). Returns record -> cluster id.
    """
    member_of = {r: cid for cid, (_, members) in existing.items() for r in members}
    claimed: set[int] = set()
    assignment: dict[int, int] = {}
    for primary, members in sorted(groups, key=lambda g: -len(g[1])):
        overlap: dict[int, int] = {}
        for r in members:
            cid = member_of.get(r)
            if cid is not None and cid not in claimed:
                overlap[cid] = overlap.get(cid, 0) + 1
        if overlap:
            cid = max(overlap, key=lambda c: (overlap[c], -c))
            if existing[cid][0] != primary:
                db.execute("UPDATE cluster SET primary_record_id = ? WHERE id = ?", [primary, cid])
        else:
            cid = db.execute(
                "INSERT INTO cluster (primary_record_id, created_at) VALUES (?, ?)",
                [primary, created_at],
            ).lastrowid
        claimed.add(cid)
        for r in members:
            assignment[r] = cid
    # Members first (they reference clusters), then the clusters nobody claimed.
    stale = [r for r in member_of if r not in assignment]
    db.conn.executemany("DELETE FROM cluster_member WHERE record_id = ?", ((r,) for r in stale))
    db.conn.executemany(
        "INSERT INTO cluster_member (record_id, cluster_id, decided_by, score, added_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (record_id) DO UPDATE SET cluster_id = "
        "excluded.cluster_id,"
        " decided_by = excluded.decided_by, score = excluded.score"
        " WHERE cluster_member.cluster_id <> excluded.cluster_id"
        " OR cluster_member.decided_by <> excluded.decided_by",
        (
            (r, cid, *member_info.get(r, ("rule", None)), created_at)
            for r, cid in assignment.items()
        ),
    )
    unclaimed = [cid for cid in existing if cid not in claimed]
    db.conn.executemany("DELETE FROM cluster WHERE id = ?", ((cid,) for cid in unclaimed))
    return assignment


def record_summary(db: sqlite_utils.Database, record_id: int) -> dict[str, str]:
    """Source database and file of a record, for the duplicates screen."""
    row = db.execute(
        "SELECT coalesce(s.database, i.database), coalesce(i.file_name, s.query_name) FROM record r"
        " LEFT JOIN search_run s ON s.id = r.search_run_id LEFT JOIN file_import i ON i.id = "
        "r.import_id"
        " WHERE r.id = ?",
        [record_id],
    ).fetchone()
    if row is None:
        raise InvalidInputError(f"no record with id {record_id} in this review")
    return {"database": row[0] or "", "file": row[1] or ""}
