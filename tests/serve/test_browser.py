"""Headless Chromium against a real `screener serve`: two reviewers sign in in two browser
contexts and screen with key presses; the review file holds both reviewers' decisions; nothing
opens without signing in. Skipped (with the reason) where Debian's chromium is not installed."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browsing import browser_missing, chrome, serving, sign_in

from screener.project import Project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]

TA = "title_abstract"


def _decisions(review: Path, reviewer: str) -> list[tuple[int, str]]:
    """(record, decision) of the reviewer's live decisions, as another connection reads them."""
    with sqlite3.connect(review) as conn:
        return conn.execute(
            "SELECT d.record_id, d.decision FROM current_decision AS d JOIN reviewer AS r"
            " ON r.id = d.reviewer_id WHERE r.name = ? AND d.stage = ?",
            [reviewer, TA],
        ).fetchall()


def _wait_for(driver, what, timeout: float = 90) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda _: what())


def test_two_reviewers_screen_in_two_browsers(team_review: Path) -> None:
    with Project.open(team_review) as project:
        tokens = {name: project.invite(name)[1] for name in ("rev_a", "rev_b")}
    keys = {"rev_a": "iei", "rev_b": "eii"}
    with serving(team_review) as (url, _):
        drivers = {name: chrome() for name in tokens}
        try:
            terminals = {name: sign_in(d, url, tokens[name]) for name, d in drivers.items()}
            for name, terminal in terminals.items():
                terminal.send_keys("s")
                for key in keys[name]:
                    terminal.send_keys(key)
            for name, driver in drivers.items():
                _wait_for(driver, lambda n=name: len(_decisions(team_review, n)) >= 3)
        finally:
            for driver in drivers.values():
                driver.quit()
    word = {"i": "include", "e": "exclude"}
    for name, pressed in keys.items():
        assert sorted(_decisions(team_review, name)) == [
            (n + 1, word[k]) for n, k in enumerate(pressed)
        ]


def test_nothing_opens_without_signing_in(team_review: Path) -> None:
    with serving(team_review) as (url, _):
        driver = chrome()
        try:
            _wait_for(driver, lambda: driver.get(url) or "/sign-in" in driver.current_url)
            assert "password" in driver.page_source
        finally:
            driver.quit()
        for path in ("/", "/ws", "/download/any-key", "/static/js/textual.js"):
            request = urllib.request.Request(url + path, headers={"Accept": "text/html"})
            opener = urllib.request.build_opener(_NoRedirect)
            with pytest.raises(urllib.error.HTTPError) as refused:
                opener.open(request, timeout=30)
            assert refused.value.code in (401, 303), path
            if refused.value.code == 303:
                assert refused.value.headers["Location"] == "/sign-in"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
