"""A polite Crossref REST API client: batched look-ups, published limits, retries that back off.

The network sits behind a `Transport` (a function from URL and headers to a response) so tests
and benchmarks can point the real client at a local server, or swap the HTTP library.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from build_tools import PROJECT_URL, __version__
from build_tools.crossref_cache import normalise_doi
from build_tools.errors import ReviewError
from build_tools.rate_limit import (
    LIST,
    SINGLE,
    Limiter,
    backoff_delay,
    parse_limit_headers,
    parse_retry_after,
)

DEFAULT_URL = "https://api.crossref.org"
URL_ENV = "LIVINGREVIEW_CROSSREF_URL"
MAILTO_ENV = "LIVINGREVIEW_MAILTO"
# How patient a run is: (setting, type, smallest allowed value), by environment variable.
PATIENCE_ENV = {
    "LIVINGREVIEW_CROSSREF_TIMEOUT": ("timeout", float, 0.001),
    "LIVINGREVIEW_CROSSREF_TRIES": ("max_tries", int, 1),
    "LIVINGREVIEW_CROSSREF_BACKOFF": ("backoff_base", float, 0.0),
}
# Crossref answers 414 past ~4096 bytes of request line; keep the whole URL well below it.
MAX_URL_BYTES = 4000
MAX_ROWS = 1000


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # names lower-cased
    text: str


class TransportError(Exception):
    """No HTTP answer at all: a timeout or a broken connection."""


Transport = Callable[[str, Mapping[str, str], float], HttpResponse]


class CrossrefError(ReviewError):
    """A request to Crossref that did not give an answer we can use."""


class RequestFailed(CrossrefError):
    """One request gave up after its tries, or got an answer that retrying cannot change."""

    def __init__(self, message: str, gave_up: bool = False) -> None:
        super().__init__(message)
        self.gave_up = gave_up  # True: the server kept failing; False: it refused this request


class TooManyFailures(CrossrefError):
    """Crossref's advice: when 10% of requests fail, stop and find out why."""


@dataclass(frozen=True)
class ClientSettings:
    """Where to ask and how patiently; the defaults follow Crossref's published advice."""

    base_url: str = DEFAULT_URL
    mailto: str | None = None
    timeout: float = 30.0
    max_tries: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_url_bytes: int = MAX_URL_BYTES
    stop_failure_ratio: float = 0.10
    stop_min_requests: int = 20  # below this a ratio says little: 1 of 2 is not a pattern
    limit_scale: int = 1  # multiplies Crossref's published limits: for local benchmark servers

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None,
                         mailto: str | None = None, **overrides: Any) -> ClientSettings:
        """LIVINGREVIEW_CROSSREF_URL, LIVINGREVIEW_MAILTO and the PATIENCE_ENV settings; an
        explicit mailto wins. A slow network wants more patience, a test server less."""
        environ = os.environ if environ is None else environ
        base_url = (environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
        contact = mailto or environ.get(MAILTO_ENV) or None
        patience: dict[str, Any] = {}
        for name, (setting, kind, least) in PATIENCE_ENV.items():
            text = environ.get(name, "").strip()
            if not text:
                continue
            try:
                value = kind(text)
            except ValueError:
                value = None
            if value is None or not value >= least:  # `not >=` also refuses nan
                raise CrossrefError(f"{name}={text!r} is not allowed (a "
                                    f"{'whole ' if kind is int else ''}number, at least {least:g})")
            patience[setting] = value
        return cls(base_url=base_url, mailto=contact, **{**patience, **overrides})

    @property
    def polite(self) -> bool:
        return bool(self.mailto)

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"living-review/{__version__} ({PROJECT_URL}{contact})"


def requests_transport() -> Transport:
    """The default transport: `requests`, one session (connection pool) per thread."""
    import requests

    local = threading.local()

    def send(url: str, headers: Mapping[str, str], timeout: float) -> HttpResponse:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        try:
            response = local.session.get(url, headers=dict(headers), timeout=timeout)
        except requests.Timeout as error:
            raise TransportError(f"no answer within {timeout:g} s (timed out)") from error
        except requests.RequestException as error:
            raise TransportError(connection_problem(error)) from error
        return HttpResponse(response.status_code,
                            {k.lower(): v for k, v in response.headers.items()},
                            response.text)

    return send


def connection_problem(error: BaseException) -> str:
    """What broke, in words, from the chain of exceptions requests and urllib3 wrap it in."""
    import http.client

    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        cause = pending.pop(0)
        if not isinstance(cause, BaseException) or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (is the address right, and the server up?)"
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset by the server"
        if isinstance(cause, http.client.RemoteDisconnected):
            return "the server closed the connection without an answer"
        if isinstance(cause, http.client.IncompleteRead):
            return "the answer was cut short (the connection closed before the whole body came)"
        pending += [*cause.args, cause.__cause__, cause.__context__, getattr(cause, "reason", None)]
    return f"connection failed ({type(error).__name__})"


class CrossrefClient:
    """Works by DOI, a batch at a time, within Crossref's limits; safe to share between threads."""

    def __init__(self, settings: ClientSettings, transport: Transport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random) -> None:
        self.settings = settings
        self.transport = transport or requests_transport()
        self.limiter = Limiter(polite=settings.polite, scale=settings.limit_scale)
        self._sleep = sleep
        self._rng = rng
        self._lock = threading.Lock()
        self.requests = 0
        self.failures = 0
        self.stopped: TooManyFailures | None = None

    # --- the three routes -------------------------------------------------------------------

    def works(self, dois: list[str]) -> dict[str, dict[str, Any]]:
        """One list request for these DOIs; found works keyed by lower-cased DOI, any order."""
        body = self._get(LIST, self.batch_url(dois), expect="work-list")
        found = {}
        items = body["message"].get("items") if isinstance(body["message"], dict) else None
        for item in items or ():
            if isinstance(item, dict) and isinstance(item.get("DOI"), str):
                found[normalise_doi(item["DOI"])] = item
        return found

    def work(self, doi: str) -> dict[str, Any] | None:
        """The work of one DOI, or None when Crossref does not know it (404)."""
        body = self._get(SINGLE, self._url(f"/works/{_quote(doi)}"), expect="work",
                         not_found_ok=True)
        if body is None:
            return None
        return body["message"] if isinstance(body["message"], dict) else None

    def agency(self, doi: str) -> str | None:
        """Which registration agency holds a DOI (e.g. DataCite), when Crossref knows."""
        body = self._get(SINGLE, self._url(f"/works/{_quote(doi)}/agency"),
                         expect="work-agency", not_found_ok=True)
        message = body.get("message") if body else None
        agency = message.get("agency") if isinstance(message, dict) else None
        if isinstance(agency, dict):
            return str(agency.get("label") or agency.get("id") or "") or None
        return None

    # --- URLs ---------------------------------------------------------------------------------

    def batch_url(self, dois: list[str]) -> str:
        dois_filter = ",".join(f"doi:{_quote(doi)}" for doi in dois)
        return self._url("/works", f"filter={dois_filter}&rows={len(dois)}")

    def plan_batches(self, dois: list[str]) -> list[list[str]]:
        """Split DOIs into list requests whose URLs stay under the length limit."""
        batches: list[list[str]] = []
        current: list[str] = []
        for doi in dois:
            candidate = [*current, doi]
            if current and (len(self.batch_url(candidate).encode()) > self.settings.max_url_bytes
                            or len(candidate) > MAX_ROWS):
                batches.append(current)
                candidate = [doi]
            current = candidate
        if current:
            batches.append(current)
        return batches

    def _url(self, path: str, query: str = "") -> str:
        parts = [query] if query else []
        if self.settings.mailto:
            parts.append("mailto=" + quote(self.settings.mailto, safe="@"))
        return self.settings.base_url + path + ("?" + "&".join(parts) if parts else "")

    # --- one request, with limits and retries ---------------------------------------------------

    def _get(self, kind: str, url: str, expect: str,
             not_found_ok: bool = False) -> dict[str, Any] | None:
        headers = {"User-Agent": self.settings.user_agent, "Accept": "application/json"}
        reason = ""
        for attempt in range(self.settings.max_tries):
            with self.limiter.concurrency:
                slot = self.limiter.wait_turn(kind)
                try:
                    if self.stopped is not None:
                        raise self.stopped  # another thread stopped the run: send nothing more
                    response = self.transport(url, headers, self.settings.timeout)
                except TransportError as error:
                    response, reason = None, str(error)
                finally:
                    self.limiter.finished(slot)
            if response is not None:
                self.limiter.observe(parse_limit_headers(response.headers))
                if response.status == 404 and not_found_ok:
                    self._count(failed=False)
                    return None
                body = _json_body(response)
                if response.status == 200 and body is not None \
                        and body.get("message-type") == expect and "message" in body:
                    self._count(failed=False)
                    return body
                reason = _describe(response, body, expect)
            self._count(failed=True)
            if response is not None and not _retryable(response.status):
                raise RequestFailed(reason)
            if attempt + 1 < self.settings.max_tries:
                self._wait_before_retry(attempt, response)
        raise RequestFailed(f"gave up after {self.settings.max_tries} tries: {reason}",
                            gave_up=True)

    def _wait_before_retry(self, attempt: int, response: HttpResponse | None) -> None:
        retry_after = parse_retry_after(response.headers.get("retry-after")) if response else None
        if response is not None and retry_after is not None \
                and retry_after > self.settings.backoff_cap:
            # Waiting an hour in a hung run helps nobody, and the limit is per IP: stop asking.
            self.stopped = TooManyFailures(
                f"stopped: {self.settings.base_url} asked to wait {retry_after:.0f} s before "
                f"the next request (HTTP {response.status}, Retry-After), longer than the "
                f"{self.settings.backoff_cap:g} s a run waits; run fetch again later")
            raise self.stopped
        delay = retry_after if retry_after is not None else backoff_delay(
            attempt, self.settings.backoff_base, self.settings.backoff_cap, self._rng)
        if response is not None and response.status == 429:
            self.limiter.pause(delay)  # the limit is per IP: every thread waits, not just this one
        self._sleep(delay)

    def _count(self, failed: bool) -> None:
        with self._lock:
            self.requests += 1
            self.failures += failed
            requests, failures = self.requests, self.failures
        if self.stopped is not None:
            raise self.stopped
        if failed and requests >= self.settings.stop_min_requests \
                and failures >= self.settings.stop_failure_ratio * requests:
            self.stopped = TooManyFailures(
                f"stopped: {failures} of {requests} requests to {self.settings.base_url} failed "
                f"(the limit is {self.settings.stop_failure_ratio:.0%}); "
                "check the address and your connection, then run fetch again")
            raise self.stopped


def _quote(doi: str) -> str:
    """DOIs may hold `;`, `#`, `?`, `&`, `<`, `>`, `+` and `,`: encode all but `/`."""
    return quote(doi, safe="/")


def _retryable(status: int) -> bool:
    """Rate limits, server errors and garbled 200s may pass; a 400 or 414 will not."""
    return status == 429 or status >= 500 or status == 200


def _json_body(response: HttpResponse) -> dict[str, Any] | None:
    """The body as a JSON object, or None: 404s are plain text and 429s are HTML pages."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _describe(response: HttpResponse, body: dict[str, Any] | None, expect: str) -> str:
    """Why a response is not the answer we asked for, in one line."""
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    if body is None:
        return f"HTTP {response.status}, not JSON ({kind})"
    message = body.get("message")
    if isinstance(message, list) and message and isinstance(message[0], dict):
        detail = message[0].get("message") or message[0].get("type")
        return f"HTTP {response.status}: {detail}"
    if response.status == 200:
        return f"HTTP 200 but a {body.get('message-type')!r} message, not {expect!r}"
    return f"HTTP {response.status}: {body.get('message-type') or 'error'}"
