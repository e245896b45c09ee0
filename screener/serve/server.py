"""textual-serve's server, with sign-in: each browser tab runs the TUI as its signed-in reviewer.

:class:`ReviewServer` extends :class:`textual_serve.server.Server` (its aiohttp app, its page,
its WebSocket protocol and downloads) with:

- a middleware that lets no request through without a valid session cookie but the sign-in
  page itself: ``/`` redirects to ``/sign-in``; ``/ws``, ``/static/...`` and ``/download/...``
  answer 401. A request whose ``Origin`` is not the server's own is refused (403), so another
  site's page cannot drive a reviewer's TUI.
- ``/sign-in``: a one-time link's token (``screener invite``) or a name and password starts a
  session: a random id in an HttpOnly, SameSite=Strict cookie (Secure when the public URL is
  https), stored in the review as its hash. Sessions live in the review, so a restarted server
  keeps its reviewers signed in (14 days, or until they sign out or get a new password).
- ``/ws``: the TUI process for the tab is ``screener tui REVIEW --reviewer NAME --served``, the
  name taken from the session (never from the browser), in a process of its own on the one
  review file (WAL), as in a terminal.
- ``/download/KEY``: only the reviewer whose TUI offered the file fetches it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from screener.display import visible
from screener.project import Project
from screener.serve.pages import sign_in_page, signed_out_page

__all__ = ["COOKIE", "ReviewServer"]

log = logging.getLogger("screener.serve")

COOKIE = "screener_session"
_OPEN = frozenset({"/sign-in", "/sign-out"})
"""Paths served without a session (they only sign in and out)."""
_REVIEWER = web.RequestKey("reviewer", str)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ReviewServer(Server):
    """Serve the TUI of ``review`` to signed-in reviewers' browsers.

    Parameters
    ----------
    review
        The review file.
    host, port
        Where to listen (127.0.0.1 by default: publish it through a TLS reverse proxy).
    public_url
        The address browsers use (behind a proxy: its https URL); decides the cookie's Secure
        flag and the one ``Origin`` accepted.
    """

    def __init__(
        self,
        review: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        public_url: str | None = None,
    ) -> None:
        self.review = Path(review).resolve()
        super().__init__(
            command=self.command_for("?"),
            host=host,
            port=port,
            title="screener",
            public_url=public_url.rstrip("/") if public_url else None,
        )
        parts = urlsplit(self.public_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.secure = parts.scheme == "https"
        self.project: Project | None = None
        self._tabs: dict[str, str] = {}
        """app_service_id -> reviewer, for the TUI processes running now."""

    def command_for(self, reviewer: str) -> str:
        """The shell command that runs the TUI for ``reviewer`` (a declared name, quoted)."""
        argv = [
            sys.executable,
            "-m",
            "screener",
            "tui",
            str(self.review),
            "--reviewer",
            reviewer,
            "--served",
        ]
        return shlex.join(argv)

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").addFilter(_hide_tokens)

    # --- the aiohttp app -------------------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._signed_in_only)
        app.add_routes(
            [
                web.get("/sign-in", self.handle_sign_in_page),
                web.post("/sign-in", self.handle_sign_in),
                web.get("/sign-out", self.handle_sign_out),
                web.post("/sign-out", self.handle_sign_out),
            ]
        )
        return app

    async def on_startup(self, app: web.Application) -> None:
        self.project = Project.open(self.review)
        self.console.print(
            visible(f"screener serve: {self.review} on {self.public_url}"),
            markup=False,
            highlight=False,
        )
        self.console.print(
            "Reviewers sign in with a link from `screener invite` "
            "(or their password). Ctrl+C stops the server.",
            markup=False,
            highlight=False,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        if self.project is not None:
            self.project.close()
            self.project = None

    def _project(self) -> Project:
        if self.project is None:  # only before start-up or after shut-down
            raise web.HTTPServiceUnavailable()
        return self.project

    @web.middleware
    async def _signed_in_only(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if (
            origin is not None
            and origin != self.origin
            and (request.method != "GET" or request.path == "/ws")
        ):
            raise web.HTTPForbidden(text="this server answers only its own pages")
        if request.path in _OPEN:
            return await handler(request)
        session = request.cookies.get(COOKIE, "")
        reviewer = self._project().session_reviewer(session) if session else None
        if reviewer is None:
            if request.path == "/" and request.method == "GET":
                raise web.HTTPSeeOther("/sign-in")
            raise web.HTTPUnauthorized(text="sign in first")
        request[_REVIEWER] = reviewer
        return await handler(request)

    # --- signing in and out ----------------------------------------------------------------------
    def _page(self, *, token: str = "", problem: str = "", status: int = 200) -> web.Response:
        # not the review's title: the page is open to anyone who finds the address
        return web.Response(
            text=sign_in_page("screener", token=token, problem=problem),
            content_type="text/html",
            status=status,
            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
        )

    async def handle_sign_in_page(self, request: web.Request) -> web.Response:
        return self._page(token=request.query.get("token", ""))

    async def handle_sign_in(self, request: web.Request) -> web.Response:
        form = await request.post()
        token, name, password = (str(form.get(key, "")) for key in ("token", "name", "password"))
        project = self._project()
        if token:
            signed = project.sign_in_with_link(token)
            problem = "This sign-in link is not valid: it was used, or it expired."
        else:
            signed = project.sign_in_with_password(name, password)
            problem = "Wrong name or password."
        if signed is None:
            return self._page(problem=problem, status=401)
        reviewer, session = signed
        log.info("%s signed in", visible(reviewer))
        response = web.HTTPSeeOther("/")
        response.set_cookie(
            COOKIE,
            session,
            httponly=True,
            samesite="Strict",
            secure=self.secure,
            path="/",
            max_age=14 * 24 * 3600,
        )
        raise response

    async def handle_sign_out(self, request: web.Request) -> web.Response:
        # the cookie is SameSite=Strict: only the server's own pages or a typed address send it
        if session := request.cookies.get(COOKIE):
            self._project().sign_out(session)
        response = web.Response(text=signed_out_page(), content_type="text/html")
        response.del_cookie(COOKIE, path="/")
        return response

    # --- the TUI and its downloads ---------------------------------------------------------------
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """As textual-serve's, with the TUI run as the session's reviewer."""
        reviewer = request[_REVIEWER]
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _size(request.query.get("width"), 80)
        height = _size(request.query.get("height"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = AppService(
                self.command_for(reviewer),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,  # type: ignore[arg-type]  # as textual-serve passes it
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self._tabs[app_service.app_service_id] = reviewer
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a tab's failure is logged; the server goes on
            log.exception(error)
        finally:
            if app_service is not None:
                await app_service.stop()
                self._tabs.pop(app_service.app_service_id, None)
        return websocket

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """As textual-serve's, for the reviewer whose TUI offered the file only."""
        try:
            download = await self.download_manager.get_download_metadata(request.match_info["key"])
        except KeyError:
            raise web.HTTPNotFound(text="no such download") from None
        if self._tabs.get(download.app_service.app_service_id) != request[_REVIEWER]:
            raise web.HTTPNotFound(text="no such download")
        return await super().handle_download(request)


_TOKEN = re.compile(r"token=[^&\s\"]*")


def _hide_tokens(record: logging.LogRecord) -> bool:
    """The access log shows no sign-in token (an unused one in a log would sign anyone in)."""
    if record.args:
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        record.args = tuple(_TOKEN.sub("token=…", a) if isinstance(a, str) else a for a in args)
    record.msg = _TOKEN.sub("token=…", str(record.msg))
    return True


def _size(value: str | None, default: int) -> int:
    try:
        return max(10, min(1000, int(value or default)))
    except ValueError:
        return default
