"""Sign-in secrets in the review file (tables of db/0008): one-time links, passwords, sessions.

Only hashes reach these tables; the hashing itself is :mod:`screener.flows.signin`'s. Writers
run inside the caller's transaction. Times are :func:`screener.storage.db.now` strings (ISO
8601 UTC, one format), so comparing them as text compares the times.
"""

from __future__ import annotations

import sqlite_utils

from screener.storage.rows import insert

__all__ = [
    "add_link",
    "add_session",
    "delete_session",
    "delete_sessions_of",
    "get_password",
    "session_reviewer",
    "set_password",
    "use_link",
]


def add_link(
    db: sqlite_utils.Database, token_hash: str, reviewer_id: int, created_at: str, expires_at: str
) -> None:
    insert(
        db,
        "sign_in_link",
        {
            "token_hash": token_hash,
            "reviewer_id": reviewer_id,
            "created_at": created_at,
            "expires_at": expires_at,
        },
    )


def use_link(db: sqlite_utils.Database, token_hash: str, at: str) -> tuple[int, str] | None:
    """Spend the unused, unexpired link with ``token_hash``: (id, name) of its reviewer, or
    None (unknown, used already or expired). A link signs in once."""
    row = db.execute(
        "SELECT r.id, r.name FROM sign_in_link AS l JOIN reviewer AS r ON r.id = l.reviewer_id"
        " WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ?",
        [token_hash, at],
    ).fetchone()
    if row is None:
        return None
    db.execute("UPDATE sign_in_link SET used_at = ? WHERE token_hash = ?", [at, token_hash])
    return int(row[0]), str(row[1])


def set_password(db: sqlite_utils.Database, reviewer_id: int, hashed: str, at: str) -> None:
    db.execute(
        "INSERT INTO sign_in_password (reviewer_id, hash, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (reviewer_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
        [reviewer_id, hashed, at],
    )


def get_password(db: sqlite_utils.Database, reviewer_id: int) -> str | None:
    """The stored password hash of the reviewer, or None when they have no password."""
    row = db.execute(
        "SELECT hash FROM sign_in_password WHERE reviewer_id = ?", [reviewer_id]
    ).fetchone()
    return None if row is None else str(row[0])


def add_session(
    db: sqlite_utils.Database, id_hash: str, reviewer_id: int, created_at: str, expires_at: str
) -> None:
    insert(
        db,
        "sign_in_session",
        {
            "id_hash": id_hash,
            "reviewer_id": reviewer_id,
            "created_at": created_at,
            "expires_at": expires_at,
        },
    )


def session_reviewer(db: sqlite_utils.Database, id_hash: str, at: str) -> str | None:
    """The name of the reviewer of the unexpired session with ``id_hash``, or None."""
    row = db.execute(
        "SELECT r.name FROM sign_in_session AS s JOIN reviewer AS r ON r.id = s.reviewer_id"
        " WHERE s.id_hash = ? AND s.expires_at > ?",
        [id_hash, at],
    ).fetchone()
    return None if row is None else str(row[0])


def delete_session(db: sqlite_utils.Database, id_hash: str) -> None:
    db.execute("DELETE FROM sign_in_session WHERE id_hash = ?", [id_hash])


def delete_sessions_of(db: sqlite_utils.Database, reviewer_id: int) -> int:
    """End every session of the reviewer (a new password signs the old browsers out)."""
    return int(
        db.execute("DELETE FROM sign_in_session WHERE reviewer_id = ?", [reviewer_id]).rowcount
    )
