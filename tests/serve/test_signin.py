"""Sign-in secrets: one-time links, passwords and sessions, as another connection reads them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from screener.errors import ScreenerError
from screener.flows.signin import check_password, hash_password
from screener.project import Project


def _stored(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_a_link_signs_in_once_and_only_its_hash_is_stored(team_review: Path) -> None:
    with Project.open(team_review) as project:
        name, token = project.invite("REV_A")
        assert name == "rev_a"
        signed = project.sign_in_with_link(token)
        assert signed is not None and signed[0] == "rev_a"
        assert project.sign_in_with_link(token) is None  # single use
        assert project.session_reviewer(signed[1]) == "rev_a"
    text = repr(
        _stored(team_review, "SELECT * FROM sign_in_link")
        + _stored(team_review, "SELECT * FROM sign_in_session")
    )
    assert token not in text and signed[1] not in text


def test_an_expired_link_signs_nobody_in(team_review: Path) -> None:
    with Project.open(team_review) as project:
        _, token = project.invite("rev_a", days=0)
        assert project.sign_in_with_link(token) is None
        assert project.sign_in_with_link("not-a-token") is None


def test_only_declared_reviewers_are_invited(team_review: Path) -> None:
    with Project.open(team_review) as project, pytest.raises(ScreenerError):
        project.invite("mallory")
    assert _stored(team_review, "SELECT count(*) FROM sign_in_link") == [(0,)]


def test_a_password_is_a_salted_hash_and_signs_in(team_review: Path) -> None:
    with Project.open(team_review) as project:
        project.set_password("rev_b", "correct horse battery")
        assert project.sign_in_with_password("rev_b", "wrong horse battery") is None
        assert project.sign_in_with_password("mallory", "correct horse battery") is None
        assert project.sign_in_with_password("rev_a", "correct horse battery") is None
        signed = project.sign_in_with_password("Rev_B", "correct horse battery")
        assert signed is not None and signed[0] == "rev_b"
    ((stored,),) = _stored(team_review, "SELECT hash FROM sign_in_password")
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    # salted: the same password hashes differently each time
    assert hash_password("correct horse battery") != hash_password("correct horse battery")
    assert check_password("correct horse battery", stored)
    assert not check_password("correct horse battery", "garbage")


def test_a_short_password_is_refused(team_review: Path) -> None:
    with Project.open(team_review) as project, pytest.raises(ScreenerError):
        project.set_password("rev_b", "short")


def test_a_new_password_and_signing_out_end_sessions(team_review: Path) -> None:
    with Project.open(team_review) as project:
        project.set_password("rev_b", "first password!")
        _, first = project.sign_in_with_password("rev_b", "first password!")
        _, second = project.sign_in_with_password("rev_b", "first password!")
        project.sign_out(first)
        assert project.session_reviewer(first) is None
        assert project.session_reviewer(second) == "rev_b"
        project.set_password("rev_b", "second password!")
        assert project.session_reviewer(second) is None


def test_sessions_outlive_the_connection(team_review: Path) -> None:
    """A restarted server keeps its reviewers signed in: sessions live in the review."""
    with Project.open(team_review) as project:
        _, session = project.sign_in_with_link(project.invite("arno")[1])
    with Project.open(team_review) as project:
        assert project.session_reviewer(session) == "arno"
