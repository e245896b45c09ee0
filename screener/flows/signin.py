"""Signing in to ``screener serve``: one-time links, passwords, sessions.

Secrets never reach the review file: a link's token and a session's id are 256 random bits
(:func:`secrets.token_urlsafe`), stored as their sha256 (a salt adds nothing to a random
secret of that size); a password is stored as scrypt (``hashlib.scrypt``) with a random
16-byte salt and its cost parameters, so they can be raised later without locking anyone out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import sqlite_utils

from screener.errors import InvalidInputError
from screener.storage import review as review_store
from screener.storage import signin as signin_store
from screener.storage.db import now, transaction

__all__ = [
    "LINK_DAYS",
    "MIN_PASSWORD",
    "SESSION_DAYS",
    "check_password",
    "hash_password",
    "hash_secret",
    "invite",
    "session_reviewer",
    "set_password",
    "sign_in_with_link",
    "sign_in_with_password",
    "sign_out",
]

LINK_DAYS = 7
"""A sign-in link not used within this many days stops working."""
SESSION_DAYS = 14
"""A signed-in browser stays signed in this long (across server restarts), or until it signs
out or its reviewer gets a new password."""
MIN_PASSWORD = 10
"""The shortest password accepted."""

# scrypt's cost: n=2**15, r=8 takes ~32 MiB and ~0.1 s, above OWASP's minimum (n=2**17 with
# r=8, p=1 is its first choice; 2**15 keeps a sign-in quick on a shared 2-core server).
_N, _R, _P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024


def hash_secret(secret: str) -> str:
    """The hex sha256 of a random token or session id: what the review stores for it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of ``password`` with a new random salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=32
    )
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` (from :func:`hash_password`) was made of."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(want),
        )
    except ValueError:
        return False
    return hmac.compare_digest(got, want)


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="microseconds")


def invite(db: sqlite_utils.Database, name: str, *, days: int = LINK_DAYS) -> tuple[str, str]:
    """A new one-time sign-in token for declared reviewer ``name``: (their name as declared,
    the token). Only its hash is stored."""
    rid, reviewer = review_store.reviewer_id(db, name), review_store.get_reviewer(db, name)
    token = secrets.token_urlsafe(32)
    with transaction(db):
        signin_store.add_link(db, hash_secret(token), rid, now(), _later(days))
    return reviewer.name, token


def set_password(db: sqlite_utils.Database, name: str, password: str) -> str:
    """Set (or replace) declared reviewer ``name``'s password; their browsers signed in before
    are signed out. Returns the name as declared."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD} characters")
    rid, reviewer = review_store.reviewer_id(db, name), review_store.get_reviewer(db, name)
    hashed = hash_password(password)
    with transaction(db):
        signin_store.set_password(db, rid, hashed, now())
        signin_store.delete_sessions_of(db, rid)
    return reviewer.name


def _new_session(db: sqlite_utils.Database, reviewer_id: int) -> str:
    session = secrets.token_urlsafe(32)
    signin_store.add_session(db, hash_secret(session), reviewer_id, now(), _later(SESSION_DAYS))
    return session


def sign_in_with_link(db: sqlite_utils.Database, token: str) -> tuple[str, str] | None:
    """Spend a sign-in link: (reviewer name, new session id), or None when the token is
    unknown, used or expired."""
    with transaction(db):
        found = signin_store.use_link(db, hash_secret(token), now())
        if found is None:
            return None
        return found[1], _new_session(db, found[0])


def sign_in_with_password(
    db: sqlite_utils.Database, name: str, password: str
) -> tuple[str, str] | None:
    """(reviewer name, new session id) when ``name`` is a declared reviewer with a password and
    ``password`` is it; None otherwise (one answer for every failure: it tells nothing)."""
    found = review_store.find_reviewer(db, name) if name.strip() else None
    stored = signin_store.get_password(db, found[0]) if found else None
    if found is None or stored is None:
        hash_password(password)  # the same time taken whether the name exists or not
        return None
    if not check_password(password, stored):
        return None
    with transaction(db):
        return found[1].name, _new_session(db, found[0])


def session_reviewer(db: sqlite_utils.Database, session: str) -> str | None:
    """The reviewer signed in with session id ``session``, or None (unknown or expired)."""
    return signin_store.session_reviewer(db, hash_secret(session), now())


def sign_out(db: sqlite_utils.Database, session: str) -> None:
    with transaction(db):
        signin_store.delete_session(db, hash_secret(session))
