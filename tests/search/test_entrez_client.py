"""The E-utilities client against the fake server: parameters, pacing, retries, refusals."""

from __future__ import annotations

import pytest
from fake_eutils import (
    BACKEND,
    ERROR_200,
    HTML,
    STALL,
    TRUNCATED,
    FakeEutils,
    answer,
    malformed_count,
    redirect,
    status,
)
from search_support import EMAIL, FakeClock

from screener.errors import ScreenerError
from screener.search.client import (
    EntrezClient,
    EntrezError,
    EntrezOptions,
    EntrezSettings,
    redirected,
)
from screener.search.limits import Backoff, RateLimiter
from screener.sources.pubmed_xml import parse_efetch

KEY = "k3y-0123456789abcdef"


def client_for(fake, options, *, api_key: str = "") -> EntrezClient:
    return EntrezClient(EntrezSettings(EMAIL, api_key=api_key, base_url=fake.base_url), options)


# --- pacing and backoff ------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [3, 10])
def test_rate_limiter_never_allows_more_than_rate_in_any_second(rate: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock.time, sleep=clock.sleep)
    starts = [limiter.wait() for _ in range(10 * rate)]
    for i in range(len(starts) - rate):
        assert starts[i + rate] - starts[i] > 1.0
    # and it does not dawdle: 10 s worth of requests take just over 9 s after the first burst
    assert starts[-1] - starts[0] == pytest.approx(9 * 1.01, abs=0.05)


def test_rate_limiter_does_not_wait_when_requests_are_spread_out() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock.time, sleep=clock.sleep)
    for _ in range(6):
        limiter.wait()
        clock.now += 0.5
    assert clock.sleeps == []


def test_backoff_grows_exponentially_with_jitter_and_honours_retry_after() -> None:
    low = Backoff(base=1.0, cap=60.0, rng=lambda: 0.0)
    high = Backoff(base=1.0, cap=60.0, rng=lambda: 1.0)
    assert [low.delay(a) for a in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert [high.delay(a) for a in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert high.delay(20) == 60.0
    assert low.delay(0, retry_after=7.0) == 7.0


# --- settings ------------------------------------------------------------------------------------


def test_email_is_required_with_a_clear_message() -> None:
    with pytest.raises(ScreenerError, match="NCBI_EMAIL"):
        EntrezSettings.resolve(environ={})


def test_settings_come_from_arguments_review_then_environment() -> None:
    env = {
        "NCBI_EMAIL": "env@example.org",
        "NCBI_API_KEY": KEY,
        "SCREENER_EUTILS_URL": "http://127.0.0.1:9/e",
    }
    from_env = EntrezSettings.resolve(environ=env)
    assert (from_env.email, from_env.api_key, from_env.base_url) == (
        "env@example.org",
        KEY,
        "http://127.0.0.1:9/e/",
    )
    assert (
        EntrezSettings.resolve(review_email="review@example.org", environ=env).email
        == "review@example.org"
    )
    assert (
        EntrezSettings.resolve(
            email="arg@example.org", review_email="r@example.org", environ=env
        ).email
        == "arg@example.org"
    )
    assert EntrezSettings.resolve(environ={"NCBI_EMAIL": "a@b.org"}).base_url.startswith(
        "https://eutils.ncbi.nlm.nih.gov/"
    )
    assert KEY not in repr(from_env)


# --- requests -------------------------------------------------------------------------------------


def test_esearch_sends_tool_email_key_by_post_and_reads_the_answer(fake, options) -> None:
    pmids = fake.add_fixtures("asthma[tiab]")
    client = client_for(fake, options, api_key=KEY)
    result = client.esearch("asthma[tiab]", retmax=100)
    assert result.count == len(pmids) and set(result.ids) == set(pmids)
    assert result.webenv.startswith("MCID_") and result.query_key == "1"
    (request,) = fake.requests("esearch")
    assert request["method"] == "POST"
    assert KEY not in request["url"]
    params = request["params"]
    assert (params["tool"], params["email"], params["api_key"], params["usehistory"]) == (
        "screener",
        EMAIL,
        KEY,
        "y",
    )


def test_esearch_reports_phrases_pubmed_did_not_find(fake, options) -> None:
    result = client_for(fake, options).esearch("abcXYZ")
    assert result.count == 0
    assert result.warnings == ("PhraseNotFound: abcXYZ",)


def test_efetch_by_history_and_by_ids(fake, options) -> None:
    pmids = fake.add_fixtures("q")
    client = client_for(fake, options)
    found = client.esearch("q", retmax=100)
    page = client.efetch_history(
        found.webenv, found.query_key, retstart=0, retmax=5, parse=parse_efetch
    )
    assert [r.pmid for r in page] == list(found.ids[:5])
    by_id = client.efetch_ids(pmids[:3], parse=parse_efetch)
    assert [r.pmid for r in by_id] == pmids[:3]


@pytest.mark.parametrize(
    "fault",
    [status(500), status(502), status(503), HTML, ERROR_200, TRUNCATED],
    ids=["500", "502", "503", "html", "error-in-200", "truncated"],
)
def test_efetch_faults_are_retried_with_backoff(fake, options, clock, fault) -> None:
    pmids = fake.add_fixtures("q")
    fake.inject("efetch", fault, fault)
    records = client_for(fake, options).efetch_ids(pmids, parse=parse_efetch)
    assert [r.pmid for r in records] == pmids
    assert len(fake.requests("efetch")) == 3
    assert clock.sleeps[:2] == [0.75, 1.5]  # base 1 s doubling, jitter fixed at 0.75


def test_search_backend_failed_is_retried(fake, options) -> None:
    fake.add_fixtures("q")
    fake.inject("esearch", BACKEND)
    assert client_for(fake, options).esearch("q").count == len(fake.queries["q"])
    assert len(fake.requests("esearch")) == 2


def test_429_honours_retry_after(fake, options, clock) -> None:
    fake.add_fixtures("q")
    fake.inject("esearch", status(429, retry_after="7"))
    client_for(fake, options).esearch("q")
    assert 7.0 in clock.sleeps


def test_a_stalled_response_times_out_and_is_retried(fake, clock) -> None:
    fake.add_fixtures("q")
    fake.inject("esearch", STALL)
    options = EntrezOptions(
        sleep=clock.sleep, clock=clock.time, timeout=(1.0, 0.3), rng=lambda: 0.5
    )
    client = client_for(fake, options)
    assert client.esearch("q").count == len(fake.queries["q"])
    assert client.retries == 1


def test_other_4xx_answers_are_not_retried(fake, options) -> None:
    fake.inject("esearch", status(400))
    with pytest.raises(EntrezError, match="HTTP 400"):
        client_for(fake, options).esearch("q")
    assert len(fake.requests("esearch")) == 1


def test_retries_stop_at_the_limit_with_a_message_that_hides_the_key(fake, options) -> None:
    fake.inject("esearch", *[status(429, retry_after="1")] * 6)
    client = client_for(fake, options, api_key=KEY)
    with pytest.raises(EntrezError) as caught:
        client.esearch("q")
    assert "failed 6 times" in str(caught.value) and "429" in str(caught.value)
    assert KEY not in str(caught.value)
    assert len(fake.requests("esearch")) == 6


def test_a_refusal_that_echoes_the_key_is_redacted(fake, options) -> None:
    fake.inject("esearch", status(403))  # the fake echoes api-key in its JSON body, as NCBI does
    with pytest.raises(EntrezError) as caught:
        client_for(fake, options, api_key=KEY).esearch("q")
    assert "403" in str(caught.value) and KEY not in str(caught.value)
    assert "[api key]" in str(caught.value)


def test_unreachable_server_fails_after_retries(clock) -> None:
    options = EntrezOptions(sleep=clock.sleep, clock=clock.time, timeout=(0.5, 0.5), max_attempts=2)
    client = EntrezClient(EntrezSettings(EMAIL, base_url="http://127.0.0.1:9/"), options)
    with pytest.raises(EntrezError, match="connection failed"):
        client.esearch("q")


def test_key_raises_the_rate_to_ten(fake, options) -> None:
    assert client_for(fake, options).limiter.per_second == 3
    assert client_for(fake, options, api_key=KEY).limiter.per_second == 10


# --- redirects and malformed answers -----------------------------------------------------------


@pytest.mark.parametrize("code", [302, 307])
def test_the_api_key_is_not_sent_to_another_host_on_a_redirect(fake, options, code: int) -> None:
    with FakeEutils() as elsewhere:
        pmids = elsewhere.add_fixtures("q")
        fake.inject("esearch", redirect(elsewhere.base_url + "esearch.fcgi", code))
        client = client_for(fake, options, api_key=KEY)
        result = client.esearch("q", retmax=100)
        seen = elsewhere.requests()
    assert sorted(result.ids) == sorted(pmids)  # the request went on, whole
    assert fake.requests("esearch")[0]["params"]["api_key"] == KEY
    assert (
        len(seen) == 1 and seen[0]["params"]["term"] == "q" and seen[0]["params"]["email"] == EMAIL
    )
    assert "api_key" not in seen[0]["params"] and KEY not in seen[0]["url"]


def test_a_redirect_on_the_same_host_keeps_the_key(fake, options) -> None:
    pmids = fake.add_fixtures("q")
    fake.inject("esearch", redirect("/entrez/eutils/esearch.fcgi", 307))
    result = client_for(fake, options, api_key=KEY).esearch("q", retmax=100)
    assert sorted(result.ids) == sorted(pmids)
    assert [r["params"]["api_key"] for r in fake.requests("esearch")] == [KEY, KEY]


def test_redirects_out_of_https_are_refused() -> None:
    data = {"term": "q", "api_key": KEY}
    with pytest.raises(EntrezError, match="https to http"):
        redirected(
            "https://eutils.ncbi.nlm.nih.gov/e/esearch.fcgi",
            "http://eutils.ncbi.nlm.nih.gov/e/x",
            data,
        )
    with pytest.raises(EntrezError, match="refused"):
        redirected("https://eutils.ncbi.nlm.nih.gov/e/esearch.fcgi", "ftp://example.org/x", data)
    assert (
        redirected("https://eutils.ncbi.nlm.nih.gov/a", "https://eutils.ncbi.nlm.nih.gov/b", data)
        == data
    )
    assert redirected(
        "https://eutils.ncbi.nlm.nih.gov/a", "https://eutils.ncbi.nlm.nih.gov:8443/b", data
    ) == {"term": "q"}


def test_endless_redirects_end_with_one_error(fake, options) -> None:
    fake.inject("esearch", *[redirect("/entrez/eutils/esearch.fcgi")] * 20)
    with pytest.raises(EntrezError, match="redirected more than"):
        client_for(fake, options).esearch("q")


@pytest.mark.parametrize(
    ("fault", "what"),
    [
        (malformed_count("²"), "<Count>"),
        (malformed_count("-3"), "<Count>"),
        (malformed_count(""), "<Count>"),
        (
            answer(
                b"<eSearchResult><Count>2</Count><IdList><Id>12</Id><Id>x\xc2\xb2</Id></IdList></eSearchResult>"
            ),
            "<Id>",
        ),
        (
            answer(b'{"esearchresult": {"count": "2", "idlist": ["1", "2"]}}', "application/json"),
            "XML",
        ),
    ],
    ids=["superscript-count", "negative-count", "empty-count", "odd-id", "json"],
)
def test_a_malformed_esearch_answer_is_one_clear_error(fake, options, fault, what: str) -> None:
    fake.add_fixtures("q")
    fake.inject("esearch", *[fault] * options.max_attempts)
    with pytest.raises(EntrezError) as caught:
        client_for(fake, options).esearch("q")
    message = str(caught.value)
    assert "esearch" in message and what in message and "\n" not in message
    assert len(fake.requests("esearch")) == options.max_attempts  # retried, then given up
