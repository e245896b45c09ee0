"""The server's doors: nothing but the sign-in page without a session; a link or a password
starts one (cookie HttpOnly, SameSite=Strict, Secure behind https); downloads only for the
reviewer whose TUI offered them. Over HTTP on 127.0.0.1, through aiohttp's test client."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from screener.project import Project
from screener.serve.server import COOKIE, ReviewServer


async def _client(review: Path, public_url: str | None = None) -> TestClient:
    server = ReviewServer(review, public_url=public_url)
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    client.review_server = server  # type: ignore[attr-defined]
    return client


def _link(review: Path, name: str) -> str:
    with Project.open(review) as project:
        return project.invite(name)[1]


async def _signed_in(client: TestClient, review: Path, name: str) -> None:
    response = await client.post(
        "/sign-in", data={"token": _link(review, name)}, allow_redirects=False
    )
    assert response.status == 303


@pytest.mark.parametrize("path", ["/ws", "/static/js/textual.js", "/download/somekey", "/static/"])
async def test_unsigned_requests_are_refused(team_review: Path, path: str) -> None:
    client = await _client(team_review)
    try:
        response = await client.get(path, allow_redirects=False)
        assert response.status == 401
    finally:
        await client.close()


async def test_the_page_sends_an_unsigned_browser_to_sign_in(team_review: Path) -> None:
    client = await _client(team_review)
    try:
        response = await client.get("/", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/sign-in"
        page = await (await client.get("/sign-in")).text()
        assert 'name="password"' in page and "<script" not in page
        assert "Team review" not in page  # the review's title is for reviewers
    finally:
        await client.close()


async def test_a_link_signs_in_once_with_a_strict_cookie(team_review: Path) -> None:
    client = await _client(team_review)
    try:
        token = _link(team_review, "rev_a")
        page = await (await client.get(f"/sign-in?token={token}")).text()
        assert token in page  # a button spends it, not the GET
        response = await client.post("/sign-in", data={"token": token}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert re.search(r"HttpOnly", cookie, re.I) and re.search(r"SameSite=Strict", cookie, re.I)
        assert not re.search(r"Secure", cookie, re.I)
        assert (await client.get("/", allow_redirects=False)).status == 200
        assert (await client.get("/static/js/textual.js")).status == 200
        other = await _client(team_review)
        try:
            again = await other.post("/sign-in", data={"token": token}, allow_redirects=False)
            assert again.status == 401 and "not valid" in await again.text()
        finally:
            await other.close()
    finally:
        await client.close()


async def test_a_password_signs_in_and_sign_out_ends_it(team_review: Path) -> None:
    with Project.open(team_review) as project:
        project.set_password("rev_b", "a long password")
    client = await _client(team_review)
    try:
        wrong = await client.post(
            "/sign-in", data={"name": "rev_b", "password": "nope nope nope"}, allow_redirects=False
        )
        assert wrong.status == 401
        right = await client.post(
            "/sign-in", data={"name": "REV_B", "password": "a long password"}, allow_redirects=False
        )
        assert right.status == 303
        session = right.cookies[COOKIE].value
        with Project.open(team_review) as project:
            assert project.session_reviewer(session) == "rev_b"
        await client.post("/sign-out")
        with Project.open(team_review) as project:
            assert project.session_reviewer(session) is None
    finally:
        await client.close()


async def test_https_public_url_makes_the_cookie_secure(team_review: Path) -> None:
    client = await _client(team_review, public_url="https://review.example.org")
    try:
        response = await client.post(
            "/sign-in",
            data={"token": _link(team_review, "rev_a")},
            allow_redirects=False,
            headers={"Origin": "https://review.example.org"},
        )
        assert re.search(r"Secure", response.headers["Set-Cookie"], re.I)
    finally:
        await client.close()


async def test_another_sites_page_cannot_use_a_session(team_review: Path) -> None:
    client = await _client(team_review)
    try:
        await _signed_in(client, team_review, "rev_a")
        response = await client.get("/ws", headers={"Origin": "https://evil.example"})
        assert response.status == 403
        posted = await client.post(
            "/sign-in",
            data={"token": _link(team_review, "rev_b")},
            headers={"Origin": "https://evil.example"},
            allow_redirects=False,
        )
        assert posted.status == 403
    finally:
        await client.close()


async def test_a_download_is_only_its_reviewers(team_review: Path) -> None:
    client = await _client(team_review)
    server: ReviewServer = client.review_server  # type: ignore[attr-defined]
    try:
        tab = SimpleNamespace(app_service_id="tab-b")
        server._tabs["tab-b"] = "rev_b"
        await server.download_manager.create_download(
            app_service=tab,
            delivery_key="key-b",
            file_name="b.pdf",
            open_method="download",
            mime_type="application/pdf",
        )
        await _signed_in(client, team_review, "rev_a")
        assert (await client.get("/download/key-b")).status == 404
    finally:
        await client.close()


def test_the_tui_runs_as_the_sessions_reviewer_quoted(team_review: Path) -> None:
    command = ReviewServer(team_review).command_for("rev_a; rm -rf ~")
    assert command.endswith("--reviewer 'rev_a; rm -rf ~' --served")
