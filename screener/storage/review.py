"""The review row, its settings, exclusion reasons, highlight terms and reviewers.

Reviewers are declared (:func:`add_reviewer`) and matched by :func:`name_key`, so ``Rev_A`` is
``rev_a``; every writer looks its reviewer up with :func:`reviewer_id`, which refuses a name
nobody declared instead of making a new reviewer of it.
"""

from __future__ import annotations

import json
import shlex
import unicodedata
import uuid
from dataclasses import fields
from typing import Any

import sqlite_utils

from screener.errors import InvalidInputError
from screener.model import Review, label_text
from screener.screening.reviewers import ROLES, Reviewer
from screener.storage.db import now
from screener.storage.rows import insert

_REVIEW_COLUMNS = (
    "title",
    "question",
    "population",
    "intervention",
    "comparator",
    "outcomes",
    "study_designs",
    "inclusion_criteria",
    "exclusion_criteria",
    "protocol_id",
    "reviewers_title_abstract",
    "reviewers_full_text",
    "blind",
    "maybe_counts_as",
    "ncbi_email",
)


def create_review(db: sqlite_utils.Database, review: Review) -> None:
    row: dict[str, Any] = {c: getattr(review, c) for c in _REVIEW_COLUMNS}
    row["blind"] = int(review.blind)
    row.update(id=1, created_at=now(), uid=uuid.uuid4().hex)  # the review's identity (db/0007)
    insert(db, "review", row)
    set_exclusion_reasons(db, review.exclusion_reasons)
    set_highlight_terms(db, review.include_terms, review.exclude_terms)


def load_review(db: sqlite_utils.Database) -> Review:
    row = db.execute(f"SELECT {', '.join(_REVIEW_COLUMNS)} FROM review WHERE id = 1").fetchone()
    values = dict(zip(_REVIEW_COLUMNS, row, strict=True))
    values["blind"] = bool(values["blind"])
    reasons = tuple(
        r[0] for r in db.execute("SELECT label FROM exclusion_reason ORDER BY position, id")
    )
    terms = db.execute("SELECT term, kind FROM highlight_term ORDER BY id").fetchall()
    return Review(
        **values,
        exclusion_reasons=reasons,
        include_terms=tuple(t for t, k in terms if k == "include"),
        exclude_terms=tuple(t for t, k in terms if k == "exclude"),
    )


def update_review(db: sqlite_utils.Database, **changes: Any) -> None:
    known = {f.name for f in fields(Review)}
    unknown = set(changes) - known
    if unknown:
        raise InvalidInputError(f"unknown review setting(s): {', '.join(sorted(unknown))}")
    if "exclusion_reasons" in changes:
        set_exclusion_reasons(db, changes.pop("exclusion_reasons"))
    if "include_terms" in changes or "exclude_terms" in changes:
        current = load_review(db)
        set_highlight_terms(
            db,
            changes.pop("include_terms", current.include_terms),
            changes.pop("exclude_terms", current.exclude_terms),
        )
    if changes:
        if "blind" in changes:
            changes["blind"] = int(bool(changes["blind"]))
        sets = ", ".join(f"{k} = ?" for k in changes)
        db.execute(f"UPDATE review SET {sets} WHERE id = 1", list(changes.values()))


def set_exclusion_reasons(db: sqlite_utils.Database, reasons: tuple[str, ...] | list[str]) -> None:
    """Make the reason list exactly ``reasons`` in order; reasons already used are kept."""
    existing = {label: rid for rid, label in db.execute("SELECT id, label FROM exclusion_reason")}
    for position, label in enumerate(reasons):
        label = label_text(label, "an exclusion reason")
        if label in existing:
            db.execute(
                "UPDATE exclusion_reason SET position = ? WHERE id = ?", [position, existing[label]]
            )
        else:
            insert(db, "exclusion_reason", {"label": label, "position": position})
    keep = {label_text(r, "an exclusion reason") for r in reasons}
    for label, rid in existing.items():
        if label not in keep:
            used = db.execute(
                "SELECT 1 FROM decision WHERE reason_id = ? UNION SELECT 1 FROM resolution WHERE "
                "reason_id = ? LIMIT 1",
                [rid, rid],
            ).fetchone()
            if used:
                db.execute("UPDATE exclusion_reason SET position = 1000000 WHERE id = ?", [rid])
            else:
                db.execute("DELETE FROM exclusion_reason WHERE id = ?", [rid])


def set_highlight_terms(db: sqlite_utils.Database, include: Any, exclude: Any) -> None:
    db.execute("DELETE FROM highlight_term")
    for kind, terms in (("include", include), ("exclude", exclude)):
        for term in dict.fromkeys(t.strip() for t in terms if t.strip()):
            insert(db, "highlight_term", {"term": term, "kind": kind})


def reason_id(db: sqlite_utils.Database, label: str | None) -> int | None:
    if not label or not label.strip():
        return None
    label = label_text(label, "an exclusion reason")  # as set_exclusion_reasons stored it
    row = db.execute("SELECT id FROM exclusion_reason WHERE label = ?", [label]).fetchone()
    if row is None:
        known = [r[0] for r in db.execute("SELECT label FROM exclusion_reason ORDER BY position")]
        raise InvalidInputError(
            f"unknown exclusion reason {label!r}; the review's reasons: "
            f"{'; '.join(known) or 'none'}"
        )
    return int(row[0])


def name_key(name: str) -> str:
    """The key a reviewer name is matched by: trimmed, NFKC-normalised, casefolded."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _review_file(db: sqlite_utils.Database) -> str:
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else "REVIEW.db"


def _unknown(db: sqlite_utils.Database, name: str) -> InvalidInputError:
    add = f"screener reviewer add {shlex.quote(_review_file(db))} {shlex.quote(name)}"
    names = reviewer_names(db)
    if not names:
        return InvalidInputError(f"this review has no reviewers yet; add its lead with: {add}")
    return InvalidInputError(
        f"{name!r} is not a reviewer of this review (its reviewers: {', '.join(names)}); "
        f"the lead adds one with: {add}"
    )


def find_reviewer(db: sqlite_utils.Database, name: str) -> tuple[int, Reviewer] | None:
    """(id, reviewer) of the declared reviewer ``name`` (matched case-insensitively), or None."""
    row = db.execute(
        "SELECT id, name, role FROM reviewer WHERE name_key = ?", [name_key(name or "")]
    ).fetchone()
    return (row[0], Reviewer(row[1], row[2])) if row else None


def get_reviewer(db: sqlite_utils.Database, name: str) -> Reviewer:
    """The declared reviewer ``name``; an empty or undeclared name is refused."""
    return _lookup(db, name)[1]


def reviewer_id(db: sqlite_utils.Database, name: str) -> int:
    """The id of declared reviewer ``name``; an empty or undeclared name is refused (saying how
    the lead adds one), so a typo never becomes a new reviewer."""
    return _lookup(db, name)[0]


def _lookup(db: sqlite_utils.Database, name: str) -> tuple[int, Reviewer]:
    if not (name or "").strip():
        raise InvalidInputError("a reviewer name is required (give --reviewer NAME)")
    found = find_reviewer(db, name)
    if found is None:
        raise _unknown(db, name.strip())
    return found


def add_reviewer(db: sqlite_utils.Database, name: str, role: str = "screener") -> int:
    """Declare reviewer ``name`` with ``role``; a name already declared (in any case) is refused."""
    name = unicodedata.normalize("NFKC", name or "").strip()
    if not name:
        raise InvalidInputError("a reviewer name cannot be empty")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidInputError("a reviewer name is one line without control characters")
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    found = find_reviewer(db, name)
    if found:
        raise InvalidInputError(f"reviewer {found[1].name!r} is already in this review")
    return insert(
        db,
        "reviewer",
        {"name": name, "name_key": name_key(name), "role": role, "created_at": now()},
    )


def set_role(db: sqlite_utils.Database, name: str, role: str) -> Reviewer:
    """Give declared reviewer ``name`` the role ``role``; the review's last lead stays lead."""
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    rid, reviewer = _lookup(db, name)
    if reviewer.is_lead and role != "lead":
        leads = db.execute("SELECT count(*) FROM reviewer WHERE role = 'lead'").fetchone()[0]
        if leads == 1:
            raise InvalidInputError(
                f"{reviewer.name} is the review's only lead; make another reviewer lead first"
            )
    db.execute("UPDATE reviewer SET role = ? WHERE id = ?", [role, rid])
    return Reviewer(reviewer.name, role)


def has_lead(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM reviewer WHERE role = 'lead' LIMIT 1").fetchone() is not None


def reviewer_names(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM reviewer ORDER BY id")]


def list_reviewers(db: sqlite_utils.Database) -> list[Reviewer]:
    """Every declared reviewer, in the order they were added."""
    return [Reviewer(name, role) for name, role in reviewer_roles(db)]


def reviewer_roles(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(name, role) of every declared reviewer, in the order they were added."""
    return [(r[0], r[1]) for r in db.execute("SELECT name, role FROM reviewer ORDER BY id")]


def review_uid(db: sqlite_utils.Database) -> str:
    """The review's stable random id (offline copies carry it)."""
    return str(db.execute("SELECT uid FROM review WHERE id = 1").fetchone()[0])


def get_setting(db: sqlite_utils.Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def put_setting(db: sqlite_utils.Database, key: str, value: Any) -> None:
    db.execute(
        "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value",
        [key, json.dumps(value, ensure_ascii=False)],
    )
