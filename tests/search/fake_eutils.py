"""A fake NCBI E-utilities server for tests and benchmarks (never shipped in the package).

A stdlib ``ThreadingHTTPServer`` on 127.0.0.1 (port 0) answering esearch, efetch and esummary
for ``db=pubmed``, GET or POST, from the recorded fixtures in tests/data/pubmed and from
records generated off a fixture template (new PMIDs and publication dates, so date slicing can
be tested). Faults are injected per endpoint, in order, with :meth:`FakeEutils.inject`.

The production client runs against it unchanged; only the base URL differs.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parents[1] / "data" / "pubmed"
_XML_HEAD = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet>\n"
)
_XML_TAIL = b"</PubmedArticleSet>\n"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ARTICLE = re.compile(
    rb"<PubmedArticle>.*?</PubmedArticle>|<PubmedBookArticle>.*?</PubmedBookArticle>", re.S
)
_PMID = re.compile(rb"<PMID[^>]*>(\d+)</PMID>")


@dataclass(frozen=True)
class Fault:
    """One injected fault: ``kind`` is status, html, error, backend, truncated, stall, pass,
    redirect (``status`` with a Location: ``location``) or body (200 with ``body``)."""

    kind: str
    status: int = 500
    retry_after: str | None = None
    location: str = ""
    body: bytes = b""
    content_type: str = "text/xml; charset=UTF-8"


def status(code: int, retry_after: str | None = None) -> Fault:
    return Fault("status", code, retry_after)


def redirect(location: str, code: int = 302) -> Fault:
    """Answer with a redirect to ``location`` (another FakeEutils' URL, say)."""
    return Fault("redirect", code, location=location)


def answer(body: bytes, content_type: str = "text/xml; charset=UTF-8") -> Fault:
    """Answer 200 with ``body`` instead of the real answer (a malformed one, say)."""
    return Fault("body", 200, body=body, content_type=content_type)


def malformed_count(count: str = "²") -> Fault:
    """An esearch answer, well-formed XML, whose Count is not a number."""
    return answer(
        f'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>{count}</Count>'
        "<RetMax>0</RetMax><RetStart>0</RetStart><IdList/></eSearchResult>".encode()
    )


HTML = Fault("html")
ERROR_200 = Fault("error")
BACKEND = Fault("backend")
TRUNCATED = Fault("truncated")
STALL = Fault("stall")
PASS = Fault("pass")  # answer normally (to let a request through before the faults)


def fixture_articles(*names: str) -> dict[str, bytes]:
    """PMID -> PubmedArticle XML of the recorded efetch fixtures (first copy of each PMID)."""
    found: dict[str, bytes] = {}
    paths = [DATA / n for n in names] if names else sorted(DATA.glob("efetch_*.xml"))
    for path in paths:
        for match in _ARTICLE.finditer(path.read_bytes()):
            pmid = _PMID.search(match.group(0))
            if pmid and pmid.group(1).decode() not in found:
                found[pmid.group(1).decode()] = match.group(0)
    return found


def template_article(name: str = "efetch_2_articles.xml") -> bytes:
    """The first PubmedArticle of a fixture, with its PMID and PubDate as placeholders."""
    article = _ARTICLE.search((DATA / name).read_bytes()).group(0)
    pmid = _PMID.search(article).group(1)
    article = article.replace(b">" + pmid + b"<", b">{pmid}<")
    article = re.sub(
        rb"<PubDate>.*?</PubDate>", b"<PubDate>{pubdate}</PubDate>", article, count=1, flags=re.S
    )
    return article


def compact_template() -> bytes:
    """The template without abstract, authors, MeSH and references: ~1 KB a record, for tests
    where only the number of records and their dates matter."""
    article = template_article()
    for tag in ("Abstract", "AuthorList", "MeshHeadingList", "ReferenceList", "History"):
        article = re.sub(rb"<%s>.*?</%s>" % (tag.encode(), tag.encode()), b"", article, flags=re.S)
        article = re.sub(
            rb"<%s [^>]*>.*?</%s>" % (tag.encode(), tag.encode()), b"", article, flags=re.S
        )
    return article


def make_article(template: bytes, pmid: str, when: date) -> bytes:
    pubdate = (
        f"<Year>{when.year}</Year><Month>{_MONTHS[when.month - 1]}</Month><Day>{when.day:02d}</Day>"
    ).encode()
    return template.replace(b"{pmid}", pmid.encode()).replace(b"{pubdate}", pubdate)


class FakeEutils:
    """The server. Use as a context manager; ``base_url`` is what the client is given."""

    def __init__(
        self, *, page_cap: int = 10_000, stall_seconds: float = 5.0, template: bytes | None = None
    ) -> None:
        self.page_cap = page_cap
        self.stall_seconds = stall_seconds
        self.template = template or template_article()
        self.articles: dict[str, bytes] = {}  # recorded records, served verbatim
        self.dates: dict[str, date] = {}  # PMID -> publication date
        self.queries: dict[str, list[str]] = {}  # term -> PMIDs it matches
        self.faults: dict[str, deque[Fault]] = {}
        self.drop_once: set[str] = set()  # PMIDs efetch leaves out the first time
        self.drop_always: set[str] = set()
        self.log: list[dict] = []
        self._histories: dict[str, list[str]] = {}
        self._ordered: dict[str, list[str]] = {}  # term -> its PMIDs newest first (PubMed's order)
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._pauses: dict[tuple[str, int], tuple[threading.Event, threading.Event]] = {}
        self._counts: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    # --- set-up --------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    def __enter__(self) -> FakeEutils:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._release.set()
        for _, release in self._pauses.values():
            release.set()
        self._server.shutdown()
        self._server.server_close()

    def add_fixtures(self, term: str, *names: str) -> list[str]:
        """Serve the recorded records of the named fixtures (all efetch fixtures by default)
        as the result of ``term``; returns their PMIDs."""
        found = fixture_articles(*names)
        self.articles.update(found)
        for pmid in found:
            self.dates.setdefault(pmid, date(2000, 1, 1))
        self.queries[term] = list(found)
        self._ordered.clear()
        return list(found)

    def set_query(self, term: str, pmids: list[str]) -> None:
        """Make ``term`` match exactly ``pmids`` (records already served by the fake)."""
        self.queries[term] = list(pmids)
        self._ordered.clear()

    def add_generated(
        self, term: str, dates: list[date], *, first_pmid: int = 30_000_000
    ) -> list[str]:
        """Generated records, one per date, as (part of) the result of ``term``."""
        pmids = [str(first_pmid + i) for i in range(len(dates))]
        self.dates.update(zip(pmids, dates, strict=True))
        self.queries.setdefault(term, []).extend(pmids)
        self._ordered.clear()
        return pmids

    def inject(self, endpoint: str, *faults: Fault) -> None:
        """Make the next requests to ``endpoint`` fail, one fault per request, in order."""
        with self._lock:
            self.faults.setdefault(endpoint, deque()).extend(faults)

    def pause_at(self, endpoint: str, nth: int) -> tuple[threading.Event, threading.Event]:
        """Hold the ``nth`` request to ``endpoint`` (1-based): returns (reached, release)."""
        events = (threading.Event(), threading.Event())
        self._pauses[(endpoint, nth)] = events
        return events

    def requests(self, endpoint: str | None = None) -> list[dict]:
        with self._lock:
            return [e for e in self.log if endpoint is None or e["endpoint"] == endpoint]

    # --- answers ---------------------------------------------------------------------------------
    def article(self, pmid: str) -> bytes | None:
        if pmid in self.articles:
            return self.articles[pmid]
        if pmid in self.dates:
            return make_article(self.template, pmid, self.dates[pmid])
        return None

    def esearch(self, params: dict[str, str]) -> bytes:
        term = params.get("term", "")
        if term not in self.queries:
            return (
                b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>0</Count><RetMax>0'
                b"</RetMax><RetStart>0</RetStart><IdList/><TranslationSet/><ErrorList><PhraseNotFound>"
                + _escape(term).encode()
                + b"</PhraseNotFound></ErrorList></eSearchResult>"
            )
        # PubMed's default order: most recent first. Sorted once per term, so the fake spends
        # little CPU (the benchmark runs it on the client's cores; NCBI's work is not there).
        with self._lock:
            pmids = self._ordered.get(term)
            if pmids is None:
                pmids = sorted(
                    self.queries[term], key=lambda p: (self.dates[p], int(p)), reverse=True
                )
                self._ordered[term] = pmids
        if params.get("mindate") or params.get("maxdate"):
            low = _date(params.get("mindate", "1000/01/01"))
            high = _date(params.get("maxdate", "3000/12/31"))
            pmids = [p for p in pmids if low <= self.dates[p] <= high]
        retstart = int(params.get("retstart", 0))
        retmax = min(int(params.get("retmax", 20)), self.page_cap)
        shown = pmids[retstart : retstart + retmax]
        webenv = query_key = ""
        if params.get("usehistory") == "y":
            with self._lock:
                webenv = f"MCID_fake{len(self._histories) + 1}"
                self._histories[webenv] = pmids
            query_key = "1"
        ids = "".join(f"<Id>{p}</Id>\n" for p in shown)
        return (
            f'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>{len(pmids)}</Count>'
            f"<RetMax>{len(shown)}</RetMax><RetStart>{retstart}</RetStart><QueryKey>{query_key}"
            f"</QueryKey><WebEnv>{webenv}</WebEnv><IdList>\n{ids}</IdList><TranslationSet/>"
            f"<QueryTranslation>{_escape(term)}</QueryTranslation></eSearchResult>"
        ).encode()

    def efetch_ids(self, params: dict[str, str]) -> tuple[int, bytes]:
        if params.get("id"):
            pmids = [p.strip() for p in params["id"].split(",") if p.strip()]
        else:
            pmids = self._histories.get(params.get("WebEnv", ""))
            if pmids is None:
                return 400, b"<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>"
            retstart = int(params.get("retstart", 0))
            retmax = int(params.get("retmax", 20))
            if retstart + retmax > self.page_cap:
                return (
                    400,
                    b"<eFetchResult><ERROR>retstart beyond the first 10,000 "
                    b"records</ERROR></eFetchResult>",
                )
            pmids = pmids[retstart : retstart + retmax]
        parts = [_XML_HEAD]
        with self._lock:
            for pmid in pmids:
                if pmid in self.drop_always:
                    continue
                if pmid in self.drop_once:
                    self.drop_once.discard(pmid)
                    continue
                article = self.article(pmid)
                if article is not None:
                    parts.append(article + b"\n")
        parts.append(_XML_TAIL)
        return 200, b"".join(parts)

    def esummary(self, params: dict[str, str]) -> bytes:
        pmids = [p for p in params.get("id", "").split(",") if p in self.dates]
        docs = "".join(
            f'<DocSum><Id>{p}</Id><Item Name="PubDate" '
            f'Type="Date">{self.dates[p]:%Y %b %d}</Item></DocSum>'
            for p in pmids
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8" ?>\n<eSummaryResult>{docs}</eSummaryResult>'
        ).encode()

    def _next_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(endpoint)
            return queue.popleft() if queue else None

    def _record(self, endpoint: str, method: str, url: str, params: dict[str, str]) -> int:
        with self._lock:
            self._counts[endpoint] = self._counts.get(endpoint, 0) + 1
            self.log.append({"endpoint": endpoint, "method": method, "url": url, "params": params})
            return self._counts[endpoint]


def _date(value: str) -> date:
    year, month, day = (int(x) for x in value.split("/"))
    return date(year, month, day)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _handler(fake: FakeEutils) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # noqa: N802
            self._answer("GET", "")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            self._answer("POST", self.rfile.read(length).decode("utf-8"))

        def _answer(self, method: str, body: str) -> None:
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            params.update({k: v[0] for k, v in parse_qs(body).items()})
            endpoint = url.path.rsplit("/", 1)[-1].removesuffix(".fcgi")
            nth = fake._record(endpoint, method, self.path, params)
            pause = fake._pauses.get((endpoint, nth))
            if pause is not None:
                pause[0].set()
                pause[1].wait(30)
            fault = fake._next_fault(endpoint)
            try:
                self._respond(endpoint, params, fault)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test, or a killed process)

        def _respond(self, endpoint: str, params: dict[str, str], fault: Fault | None) -> None:
            if fault is not None and fault.kind == "stall":
                fake._release.wait(fake.stall_seconds)
            if fault is not None and fault.kind == "status":
                body = json.dumps(
                    {
                        "error": "API rate limit exceeded" if fault.status == 429 else "failure",
                        "api-key": params.get("api_key", ""),
                        "count": "11",
                        "limit": "10",
                    }
                )
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return self._send(fault.status, body.encode(), "application/json", headers)
            if fault is not None and fault.kind == "redirect":
                return self._send(fault.status, b"", "text/html", {"Location": fault.location})
            if fault is not None and fault.kind == "body":
                return self._send(200, fault.body, fault.content_type)
            if fault is not None and fault.kind == "html":
                return self._send(
                    200, (DATA / "efetch_html_error_page.html").read_bytes(), "text/html"
                )
            if fault is not None and fault.kind == "error":
                root = "eSearchResult" if endpoint == "esearch" else "eFetchResult"
                return self._send(
                    200,
                    (
                        f"<{root}><ERROR>Unable to fetch the records; try again</ERROR></{root}>"
                    ).encode(),
                )
            if fault is not None and fault.kind == "backend":
                return self._send(
                    200,
                    b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><ERROR>'
                    b"Search Backend failed: Cannot process query</ERROR></eSearchResult>",
                )
            if endpoint == "esearch":
                code, body = 200, fake.esearch(params)
            elif endpoint == "efetch":
                code, body = fake.efetch_ids(params)
            elif endpoint == "esummary":
                code, body = 200, fake.esummary(params)
            else:
                code, body = 404, b"unknown endpoint"
            if fault is not None and fault.kind == "truncated":
                body = body[: max(len(body) // 2, 40)]
            self._send(code, body)

        def _send(
            self,
            code: int,
            body: bytes,
            content_type: str = "text/xml; charset=UTF-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
