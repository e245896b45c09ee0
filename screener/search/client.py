"""A client for NCBI's E-utilities (esearch, efetch) over one ``requests.Session``.

Every request goes through one :class:`~screener.search.limits.RateLimiter` (3 requests/s
without an API key, 10 with one) and is sent as a POST, so the API key travels in the body and
never in a URL that an exception message or a proxy log could show. Faults are retried with
backoff: HTTP 429 (Retry-After honoured), 5xx, "Search Backend failed", an ``<ERROR>`` inside a
200, an HTML page, XML cut short or not what E-utilities answers, and timeouts; when the
attempts are used up, one :class:`EntrezError` names the utility and what was wrong. Other 4xx
answers stop at once.

Redirects are followed here, not by ``requests``: the request goes again, whole, to the new
address, but the API key only to the host it was given for (``requests`` would send a 307's
body, key and all, to any host), and never from https down to http (:func:`redirected`).
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from lxml import etree

from screener.errors import ParseError, ScreenerError
from screener.search.limits import Backoff, RateLimiter

__all__ = [
    "DEFAULT_EUTILS_URL",
    "EntrezClient",
    "EntrezError",
    "EntrezOptions",
    "EntrezSettings",
    "SearchCancelled",
    "SearchResult",
    "redirected",
]

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
PAGE_CAP = 10_000
"""PubMed lets one search page through only its first 10,000 records."""
MAX_REDIRECTS = 5
_REDIRECT_CODES = (301, 302, 303, 307, 308)

T = TypeVar("T")


class EntrezError(ScreenerError):
    """E-utilities failed (after retries, or with an answer that retrying cannot fix)."""


class SearchCancelled(Exception):  # a signal, not an error
    """The caller asked the search to stop; raised between requests."""


@dataclass(frozen=True, slots=True)
class EntrezSettings:
    """Who is asking and where: NCBI requires ``tool`` and ``email``; ``api_key`` is optional."""

    email: str
    api_key: str = field(default="", repr=False)
    base_url: str = DEFAULT_EUTILS_URL
    tool: str = "screener"

    @classmethod
    def resolve(
        cls,
        *,
        review_email: str = "",
        email: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> EntrezSettings:
        """Settings from explicit values, then the review, then the environment.

        ``email``: the argument, else the review's ``ncbi_email``, else ``NCBI_EMAIL``.
        ``api_key``: the argument, else ``NCBI_API_KEY``. ``base_url``: the argument, else
        ``SCREENER_EUTILS_URL``, else NCBI's.
        """
        env = os.environ if environ is None else environ
        address = (email or review_email or env.get("NCBI_EMAIL", "")).strip()
        if not address or "@" not in address:
            raise ScreenerError(
                "NCBI asks every E-utilities user for an email address: give --email, set the "
                "review's ncbi_email, or set NCBI_EMAIL"
            )
        url = (base_url or env.get("SCREENER_EUTILS_URL", "") or DEFAULT_EUTILS_URL).strip()
        if not url.startswith(("http://", "https://")):
            raise ScreenerError(
                f"the E-utilities URL must start with http:// or https:// (got {url!r})"
            )
        key = (api_key if api_key is not None else env.get("NCBI_API_KEY", "")).strip()
        return cls(email=address, api_key=key, base_url=url if url.endswith("/") else url + "/")


@dataclass(frozen=True, slots=True)
class EntrezOptions:
    """How hard to try and how much to fetch at once. Tests inject ``sleep``/``clock``/``rng``.

    ``sleep`` None means: wait on the run's stop signal, so a cancel ends a backoff at once.
    """

    timeout: tuple[float, float] = (10.0, 120.0)
    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 600.0
    batch_size: int = 500
    page_cap: int = PAGE_CAP
    rate: int | None = None
    sleep: Callable[[float], object] | None = None
    clock: Callable[[], float] = time.monotonic
    rng: Callable[[], float] = random.random


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One esearch answer."""

    count: int
    ids: tuple[str, ...]
    webenv: str = ""
    query_key: str = ""
    translation: str = ""
    warnings: tuple[str, ...] = ()


class _Retry(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class EntrezClient:
    """esearch and efetch for ``db=pubmed``, paced, retried, cancellable.

    Parameters
    ----------
    settings
        tool, email, API key and base URL.
    options
        timeouts, attempts, batch size; the clock and sleep used for pacing and backoff.
    session
        a ``requests.Session`` to use (one is made otherwise).
    cancelled
        called before each attempt; when it returns True the client raises SearchCancelled.
    """

    def __init__(
        self,
        settings: EntrezSettings,
        options: EntrezOptions | None = None,
        *,
        session: requests.Session | None = None,
        cancelled: Callable[[], bool] | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.settings = settings
        self.options = options = options or EntrezOptions()
        self._session = session or requests.Session()
        self._sleep = sleep or options.sleep or time.sleep
        self._cancelled = cancelled or (lambda: False)
        rate = options.rate or (10 if settings.api_key else 3)
        self.limiter = RateLimiter(rate, clock=options.clock, sleep=self._sleep)
        self._backoff = Backoff(base=options.backoff_base, cap=options.backoff_max, rng=options.rng)
        self.retries = 0

    def close(self) -> None:
        self._session.close()

    # --- the E-utilities ---------------------------------------------------------------------
    def esearch(
        self,
        term: str,
        *,
        retmax: int = 0,
        mindate: str = "",
        maxdate: str = "",
        datetype: str = "pdat",
    ) -> SearchResult:
        """Run ``term`` with ``usehistory=y``; the first ``retmax`` PMIDs come back with the
        count."""
        params: dict[str, Any] = {
            "db": "pubmed",
            "term": term,
            "usehistory": "y",
            "retmax": retmax,
            "retstart": 0,
        }
        if mindate or maxdate:
            params.update(
                datetype=datetype, mindate=mindate or "1000/01/01", maxdate=maxdate or "3000/12/31"
            )
        return self._call("esearch", params, _parse_esearch)

    def efetch_history(
        self,
        webenv: str,
        query_key: str,
        *,
        retstart: int,
        retmax: int,
        parse: Callable[[bytes], T],
    ) -> T:
        """A page of a stored result set (WebEnv + query_key), parsed by ``parse``."""
        params = {
            "db": "pubmed",
            "retmode": "xml",
            "WebEnv": webenv,
            "query_key": query_key,
            "retstart": retstart,
            "retmax": retmax,
        }
        return self._call("efetch", params, parse)

    def efetch_ids(self, ids: list[str], *, parse: Callable[[bytes], T]) -> T:
        """The records of the given PMIDs (sent in the POST body, however many)."""
        params = {"db": "pubmed", "retmode": "xml", "id": ",".join(ids)}
        return self._call("efetch", params, parse)

    # --- transport -----------------------------------------------------------------------------
    def _call(self, endpoint: str, params: dict[str, Any], parse: Callable[[bytes], T]) -> T:
        url = f"{self.settings.base_url}{endpoint}.fcgi"
        data = {**params, "tool": self.settings.tool, "email": self.settings.email}
        if self.settings.api_key:
            data["api_key"] = self.settings.api_key
        attempts = self.options.max_attempts
        reason = ""
        for attempt in range(attempts):
            if self._cancelled():
                raise SearchCancelled()
            self.limiter.wait()
            if self._cancelled():
                raise SearchCancelled()
            try:
                return self._attempt(url, data, parse)
            except _Retry as retry:
                reason = self._redact(retry.reason)
                if attempt + 1 >= attempts:
                    break
                self.retries += 1
                after = retry.retry_after
                if after is not None and after > self.options.max_retry_after:
                    raise EntrezError(
                        f"PubMed {endpoint}: the server asks to wait {after:.0f} s "
                        "before retrying; try again later (--resume continues)"
                    ) from None
                self._sleep(self._backoff.delay(attempt, after))
        raise EntrezError(
            f"PubMed {endpoint} failed {attempts} times; last: {reason}. "
            "Try again later (--resume continues where it stopped)"
        )

    def _attempt(self, url: str, data: dict[str, Any], parse: Callable[[bytes], T]) -> T:
        try:
            response, body = self._exchange(url, data)
        except requests.Timeout:
            raise _Retry("the server did not answer in time") from None
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise _Retry(f"connection failed ({type(exc).__name__})") from None
        except requests.RequestException as exc:
            raise EntrezError(
                self._redact(
                    f"cannot reach E-utilities at {self.settings.base_url}: {type(exc).__name__}"
                )
            ) from None
        status = response.status_code
        if status == 429:
            raise _Retry(
                "HTTP 429 (too many requests)", _retry_after(response.headers.get("Retry-After"))
            )
        if status >= 500:
            raise _Retry(f"HTTP {status} {response.reason or ''}".strip())
        if status >= 400:
            raise EntrezError(
                self._redact(
                    f"PubMed refused the request: HTTP {status} {response.reason or ''}: "
                    f"{_snippet(body)}"
                )
            )
        head = body[:512].lstrip().lower()
        if head.startswith((b"<html", b"<!doctype html")):
            raise _Retry("an HTML page came back instead of XML")
        if b"Search Backend failed" in body[:4096] or b"Search Backend failed" in body[-4096:]:
            raise _Retry("Search Backend failed")
        try:
            return parse(body)
        except ParseError as exc:
            raise _Retry(exc.problem) from None
        except (ValueError, LookupError, TypeError, etree.LxmlError) as exc:
            # An answer no parser foresaw is still a malformed answer, not a crash.
            raise _Retry(f"an answer screener cannot read ({type(exc).__name__}: {exc})") from None

    def _exchange(self, url: str, data: dict[str, Any]) -> tuple[requests.Response, bytes]:
        """POST ``data`` to ``url``, following redirects (see :func:`redirected`)."""
        for _ in range(MAX_REDIRECTS + 1):
            # Read in 1 MB pieces: ``response.content`` reads 10 KB at a time, and an efetch
            # answer of 500 records (3.5 MB) then costs three times the CPU to receive.
            with self._session.post(
                url, data=data, timeout=self.options.timeout, stream=True, allow_redirects=False
            ) as response:
                location = response.headers.get("Location", "")
                if response.status_code in _REDIRECT_CODES and location:
                    target = urljoin(url, location)
                    data = redirected(url, target, data)
                    url = target
                    continue
                return response, b"".join(response.iter_content(_READ_BYTES))
        raise EntrezError(
            f"E-utilities redirected more than {MAX_REDIRECTS} times; last to {_origin(url)}"
        )

    def _redact(self, text: str) -> str:
        key = self.settings.api_key
        return text.replace(key, "[api key]") if key else text


_READ_BYTES = 1 << 20


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{parts.hostname or ''}:{port}"


def redirected(source: str, target: str, data: dict[str, Any]) -> dict[str, Any]:
    """What a request redirected from ``source`` to ``target`` may send there.

    The same fields, except the API key when ``target`` is another host, port or scheme (the
    key was given for E-utilities' own address). A redirect to anything but http(s), or from
    https to http, is refused: the request would leave in the clear.
    """
    scheme = urlsplit(target).scheme
    if scheme not in ("http", "https"):
        raise EntrezError(f"E-utilities redirected to a {scheme or 'relative'} address; refused")
    if urlsplit(source).scheme == "https" and scheme == "http":
        raise EntrezError(
            f"E-utilities redirected from https to http ({_origin(target)}); refused, "
            "so the request is not sent unencrypted"
        )
    if _origin(source) != _origin(target):
        return {k: v for k, v in data.items() if k != "api_key"}
    return data


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP date: rare from NCBI; the backoff applies


def _snippet(body: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", body[:400].decode("utf-8", "replace"))
    return re.sub(r"\s+", " ", text).strip()[:200] or "(empty answer)"


_NUMBER = re.compile(r"[0-9]{1,12}")


def _shown(text: str) -> str:
    return repr(text.strip()[:40])


def _parse_esearch(body: bytes) -> SearchResult:
    try:
        root = etree.fromstring(body, _SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise ParseError("esearch response", "line 1", f"not well-formed XML ({exc.msg})") from None
    error = root.findtext(".//ERROR") if root.tag != "ERROR" else root.text
    if root.tag == "ERROR" or error is not None:
        raise ParseError(
            "esearch response", "ERROR", f"E-utilities reported an error: {(error or '').strip()}"
        )
    count = root.findtext("Count")
    if root.tag != "eSearchResult" or count is None:
        raise ParseError(
            "esearch response",
            "line 1",
            f"expected <eSearchResult> with a Count, found <{root.tag}>",
        )
    # ASCII digits only: str.isdigit() also takes "²", which int() then refuses.
    if not _NUMBER.fullmatch(count.strip()):
        raise ParseError(
            "esearch response", "Count", f"<Count> holds {_shown(count)}, not a number"
        )
    ids = tuple(i.text.strip() for i in root.iterfind("IdList/Id") if i.text and i.text.strip())
    odd = next((i for i in ids if not _NUMBER.fullmatch(i)), None)
    if odd is not None:
        raise ParseError("esearch response", "IdList", f"<Id> holds {_shown(odd)}, not a PMID")
    warnings = [f"{el.tag}: {el.text.strip()}" for el in root.iterfind("ErrorList/*") if el.text]
    warnings += [f"{el.tag}: {el.text.strip()}" for el in root.iterfind("WarningList/*") if el.text]
    return SearchResult(
        count=int(count),
        ids=ids,
        webenv=(root.findtext("WebEnv") or "").strip(),
        query_key=(root.findtext("QueryKey") or "").strip(),
        translation=(root.findtext("QueryTranslation") or "").strip(),
        warnings=tuple(warnings),
    )
