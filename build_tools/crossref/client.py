"""A polite Crossref REST API client: batched look-ups, published limits, retries that back off.

The network sits behind a `Transport` (a function from URL, headers and limits to a response) so
tests and benchmarks can point the real client at a local server, or swap the HTTP library. The
default transport (crossref_http) bounds each answer in time and size; this module bounds a run:
its total time, its total patience for waits, and the share of requests that may fail.
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
from build_tools.core.errors import (
    CrossrefError,
    Interrupted,
    JsonRefused,
    RequestFailed,
    RunStopped,
    TooManyFailures,
    TransportError,
    Unreachable,
    WaitCancelled,
)
from build_tools.crossref.bounded_json import load_json
from build_tools.crossref.cache import normalise_doi
from build_tools.crossref.http import HttpLimits, HttpResponse, RequestsTransport, Transport
from build_tools.crossref.rate_limit import (
    LIST,
    SINGLE,
    Limiter,
    backoff_delay,
    parse_limit_headers,
    parse_retry_after,
)

__all__ = ["ClientSettings", "CrossrefClient", "CrossrefError", "HttpResponse", "RequestFailed",
           "RunStopped", "TooManyFailures", "Transport", "TransportError", "Unreachable"]

DEFAULT_URL = "https://api.crossref.org"
URL_ENV = "LIVINGREVIEW_CROSSREF_URL"
MAILTO_ENV = "LIVINGREVIEW_MAILTO"
MB = 1_000_000
# How patient and how trusting a run is, by environment variable:
# (setting, type, smallest allowed value, unit of the variable, factor to the setting's unit).
PATIENCE_ENV: dict[str, tuple[str, type, float, str, int]] = {
    "LIVINGREVIEW_CROSSREF_TIMEOUT": ("timeout", float, 0.001, "", 1),
    "LIVINGREVIEW_CROSSREF_CONNECT_TIMEOUT": ("connect_timeout", float, 0.001, "", 1),
    "LIVINGREVIEW_CROSSREF_TRIES": ("max_tries", int, 1, "", 1),
    "LIVINGREVIEW_CROSSREF_BACKOFF": ("backoff_base", float, 0.0, "", 1),
    "LIVINGREVIEW_CROSSREF_MAX_WAIT": ("max_wait", float, 0.0, "", 1),
    "LIVINGREVIEW_CROSSREF_RUN_LIMIT": ("run_limit", float, 0.001, "", 1),
    "LIVINGREVIEW_CROSSREF_MAX_BODY_MB": ("max_body_bytes", float, 0.001, " of megabytes", MB),
    "LIVINGREVIEW_CROSSREF_MAX_WORK_MB": ("max_work_bytes", float, 0.001, " of megabytes", MB),
}
# Crossref answers 414 past ~4096 bytes of request line; keep the whole URL well below it.
MAX_URL_BYTES = 4000
MAX_ROWS = 1000


@dataclass(frozen=True)
class ClientSettings:
    """Where to ask, how patiently and how much to accept; the defaults follow Crossref's
    published advice. Tests use small values to provoke each limit quickly."""

    base_url: str = DEFAULT_URL
    mailto: str | None = None
    timeout: float = 30.0  # seconds for one whole answer (wall clock, not per read)
    connect_timeout: float = 5.0  # seconds to look the host up and connect
    max_tries: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0  # the longest single wait; a longer Retry-After stops the run
    max_wait: float = 120.0  # seconds of waiting (Retry-After, backoff) in one whole run
    run_limit: float = 3600.0  # seconds one run (one client) may take in all
    max_body_bytes: int = 16 * MB  # one answer, decompressed
    max_work_bytes: int = 4 * MB  # one work, as cached
    max_depth: int = 64  # nesting of JSON arrays and objects
    max_redirects: int = 3  # same host only
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
        for name, (setting, kind, least, unit, factor) in PATIENCE_ENV.items():
            text = environ.get(name, "").strip()
            if not text:
                continue
            try:
                value = kind(text)
            except ValueError:
                value = None
            if value is None or not value >= least or value == float("inf"):  # refuses nan
                raise CrossrefError(f"{name}={text!r} is not allowed (a "
                                    f"{'whole ' if kind is int else ''}number{unit}, "
                                    f"at least {least:g})")
            patience[setting] = int(value * factor) if factor != 1 else value
        return cls(base_url=base_url, mailto=contact, **{**patience, **overrides})

    @property
    def polite(self) -> bool:
        return bool(self.mailto)

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"living-review/{__version__} ({PROJECT_URL}{contact})"


Notify = Callable[[str], None]


class CrossrefClient:
    """Works by DOI, a batch at a time, within Crossref's limits; safe to share between threads.

    `cancel()` (from any thread, e.g. on Ctrl-C) stops the run: requests in flight are broken
    off and every waiting or later call raises RunStopped at once. `notify` gets progress lines
    such as "waiting 60 s for Crossref (Retry-After) ...".
    """

    def __init__(self, settings: ClientSettings, transport: Transport | None = None,
                 sleep: Callable[[float], None] | None = None,
                 rng: Callable[[], float] = random.random,
                 notify: Notify | None = None) -> None:
        self.settings = settings
        self.transport = transport or RequestsTransport()
        self.limiter = Limiter(polite=settings.polite, scale=settings.limit_scale)
        self._cancelled = threading.Event()
        self._sleep = sleep or self._cancelled.wait
        self._rng = rng
        self._notify = notify or (lambda _: None)
        self._lock = threading.Lock()
        self._run_deadline = time.monotonic() + settings.run_limit
        self._waited = 0.0
        self._heard = False  # has the server answered once in this run?
        self.requests = 0
        self.failures = 0
        self.stopped: RunStopped | None = None

    def cancel(self, reason: str = "interrupted") -> None:
        """Stop the run now, from any thread: break requests in flight, end every wait."""
        self._stop(RunStopped(f"stopped: {reason}"))
        self._cancelled.set()
        self.limiter.cancel()
        cancel = getattr(self.transport, "cancel", None)
        if callable(cancel):
            cancel()

    def _stop(self, error: RunStopped) -> RunStopped:
        with self._lock:
            if self.stopped is None:
                self.stopped = error
            return self.stopped

    # --- the three routes -------------------------------------------------------------------

    def works(self, dois: list[str]) -> dict[str, dict[str, Any]]:
        """One list request for these DOIs; found works keyed by lower-cased DOI, any order.
        A work past the size cap is left out: asked for alone, it is refused with the reason."""
        body = self._get(LIST, self.batch_url(dois), expect="work-list")
        assert body is not None  # None only when not_found_ok: a 404 here raises
        found = {}
        items = body["message"].get("items") if isinstance(body["message"], dict) else None
        for item in items or ():
            if isinstance(item, dict) and isinstance(item.get("DOI"), str) \
                    and self._work_size(item) <= self.settings.max_work_bytes:
                found[normalise_doi(item["DOI"])] = item
        return found

    def work(self, doi: str) -> dict[str, Any] | None:
        """The work of one DOI, or None when Crossref does not know it (404)."""
        body = self._get(SINGLE, self._url(f"/works/{_quote(doi)}"), expect="work",
                         not_found_ok=True)
        if body is None:
            return None
        work = body["message"] if isinstance(body["message"], dict) else None
        size = self._work_size(work) if work is not None else 0
        if size > self.settings.max_work_bytes:
            raise RequestFailed(
                f"the work is {size / MB:.1f} MB, more than the "
                f"{self.settings.max_work_bytes / MB:g} MB a work may take "
                "(LIVINGREVIEW_CROSSREF_MAX_WORK_MB); not cached",
                advice="fill in the study record's citation fields by hand, or raise "
                       "LIVINGREVIEW_CROSSREF_MAX_WORK_MB and fetch it again")
        return work

    def agency(self, doi: str) -> str | None:
        """Which registration agency holds a DOI (e.g. DataCite), when Crossref knows."""
        body = self._get(SINGLE, self._url(f"/works/{_quote(doi)}/agency"),
                         expect="work-agency", not_found_ok=True)
        message = body.get("message") if body else None
        agency = message.get("agency") if isinstance(message, dict) else None
        if isinstance(agency, dict):
            return str(agency.get("label") or agency.get("id") or "") or None
        return None

    @staticmethod
    def _work_size(work: dict[str, Any]) -> int:
        """Bytes the work takes in the cache (UTF-8 JSON; surrogates were refused on reading)."""
        return len(json.dumps(work, ensure_ascii=False).encode("utf-8"))

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

    def _limits(self) -> HttpLimits:
        """This request's bounds: its own deadline, never past the run's."""
        remaining = self._run_deadline - time.monotonic()
        if remaining <= 0:
            raise self._stop(RunStopped(
                f"stopped: the run took its limit of {self.settings.run_limit:g} s "
                "(LIVINGREVIEW_CROSSREF_RUN_LIMIT); the works fetched so far are cached: "
                "run fetch again to continue"))
        return HttpLimits(deadline=min(self.settings.timeout, remaining),
                          connect_timeout=min(self.settings.connect_timeout, remaining),
                          max_body_bytes=self.settings.max_body_bytes,
                          max_redirects=self.settings.max_redirects)

    def _get(self, kind: str, url: str, expect: str,
             not_found_ok: bool = False) -> dict[str, Any] | None:
        headers = {"User-Agent": self.settings.user_agent, "Accept": "application/json",
                   "Accept-Encoding": "gzip, deflate"}
        reason = ""
        for attempt in range(self.settings.max_tries):
            if self.stopped is not None:
                raise self.stopped  # another thread stopped the run: send nothing more
            limits = self._limits()
            response: HttpResponse | None = None
            error: TransportError | None = None
            try:
                with self.limiter.concurrency:
                    slot = self.limiter.wait_turn(kind)
                    try:
                        if self.stopped is not None:
                            raise self.stopped
                        response = self.transport(url, headers, limits)
                    except TransportError as failure:
                        error = failure
                    finally:
                        self.limiter.finished(slot)
            except (Interrupted, WaitCancelled):
                raise self._stop(RunStopped("stopped: interrupted")) from None
            if response is not None:
                self._heard = True
                self.limiter.observe(parse_limit_headers(response.headers))
                if response.status == 404 and not_found_ok:
                    self._count(failed=False)
                    return None
                body, refused = _json_body(response, self.settings.max_depth)
                if response.status == 200 and body is not None \
                        and body.get("message-type") == expect and "message" in body:
                    self._count(failed=False)
                    return body
                reason = _describe(response, body, refused, expect)
                retry = _retryable(response.status) and not (refused and refused.final)
            else:
                assert error is not None
                reason = str(error)
                if error.unreachable and not self._heard:
                    host = self.settings.base_url
                    self._count(failed=True)
                    raise self._stop(Unreachable(
                        f"stopped: Crossref could not be reached at {host}: {reason}; check the "
                        "network connection (and LIVINGREVIEW_CROSSREF_URL), then run fetch "
                        "again", reason))
                retry = error.retryable or error.unreachable  # reached before: a passing fault
            self._count(failed=True)
            if not retry:
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
            raise self._stop(TooManyFailures(
                f"stopped: {self.settings.base_url} asked to wait {retry_after:.0f} s before "
                f"the next request (HTTP {response.status}, Retry-After), longer than the "
                f"{self.settings.backoff_cap:g} s a run waits; run fetch again later"))
        delay = retry_after if retry_after is not None else backoff_delay(
            attempt, self.settings.backoff_base, self.settings.backoff_cap, self._rng)
        why = "Retry-After" if retry_after is not None else "backing off after a failed request"
        self._spend_patience(delay, why)
        if response is not None and response.status == 429:
            self.limiter.pause(delay)  # the limit is per IP: every thread waits, not just this one
        self._sleep(delay)
        if self.stopped is not None:
            raise self.stopped  # cancelled while waiting

    def _spend_patience(self, delay: float, why: str) -> None:
        """Waits add up across the run; past `max_wait` (or the run's limit) the run stops."""
        with self._lock:
            waited = self._waited
            over_patience = waited + delay > self.settings.max_wait
            over_run = delay > 0 and time.monotonic() + delay > self._run_deadline
            if not (over_patience or over_run):
                self._waited += delay
        if over_patience:
            raise self._stop(RunStopped(
                f"stopped: Crossref asked to wait {delay:.0f} s more ({why}) after {waited:.0f} s "
                f"of waiting in this run, past the {self.settings.max_wait:g} s a run waits in "
                "all (LIVINGREVIEW_CROSSREF_MAX_WAIT); run fetch again later"))
        if over_run:
            raise self._stop(RunStopped(
                f"stopped: waiting {delay:.0f} s more ({why}) would pass the run's limit of "
                f"{self.settings.run_limit:g} s (LIVINGREVIEW_CROSSREF_RUN_LIMIT); "
                "run fetch again later"))
        if delay >= 1:
            self._notify(f"waiting {delay:.0f} s for Crossref ({why}) ...")

    def _count(self, failed: bool) -> None:
        with self._lock:
            self.requests += 1
            self.failures += failed
            requests, failures = self.requests, self.failures
        if self.stopped is not None:
            raise self.stopped
        if failed and requests >= self.settings.stop_min_requests \
                and failures >= self.settings.stop_failure_ratio * requests:
            raise self._stop(TooManyFailures(
                f"stopped: {failures} of {requests} requests to {self.settings.base_url} failed "
                f"(the limit is {self.settings.stop_failure_ratio:.0%}); "
                "check the address and your connection, then run fetch again"))


def _quote(doi: str) -> str:
    """DOIs may hold `;`, `#`, `?`, `&`, `<`, `>`, `+` and `,`: encode all but `/`."""
    return quote(doi, safe="/")


def _retryable(status: int) -> bool:
    """Rate limits, server errors and garbled 200s may pass; a 400 or 414 will not."""
    return status == 429 or status >= 500 or status == 200


def _json_body(response: HttpResponse,
               max_depth: int) -> tuple[dict[str, Any] | None, JsonRefused | None]:
    """The body as a JSON object, or None and why: 404s are plain text, 429s HTML pages."""
    try:
        body = load_json(response.body, max_depth=max_depth)
    except JsonRefused as refused:
        return None, refused
    return (body if isinstance(body, dict) else None), None


def _describe(response: HttpResponse, body: dict[str, Any] | None,
              refused: JsonRefused | None, expect: str) -> str:
    """Why a response is not the answer we asked for, in one line."""
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    if body is None:
        if refused is not None and refused.final and response.status == 200:
            return f"HTTP 200, JSON refused: {refused}"
        return f"HTTP {response.status}, not JSON ({kind})"
    message = body.get("message")
    if isinstance(message, list) and message and isinstance(message[0], dict):
        detail = message[0].get("message") or message[0].get("type")
        return f"HTTP {response.status}: {detail}"
    if response.status == 200:
        return f"HTTP 200 but a {body.get('message-type')!r} message, not {expect!r}"
    return f"HTTP {response.status}: {body.get('message-type') or 'error'}"
