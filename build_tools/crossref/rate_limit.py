"""Crossref's published limits, the limits its headers announce, and waiting politely for both.

Crossref limits each IP by requests per second *per kind* (list routes are slower than single-DOI
routes) and by requests in flight. Its headers repeat only one figure for every route, so the
published table is the ceiling and the headers can only lower it.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from build_tools.core.errors import WaitCancelled

LIST = "list"
SINGLE = "single"

# Requests per second by kind, and requests at once, in force since 1 December 2025.
POLITE_LIMITS = {LIST: 3, SINGLE: 10}
POLITE_CONCURRENCY = 3
PUBLIC_LIMITS = {LIST: 1, SINGLE: 5}
PUBLIC_CONCURRENCY = 1

# Arrival times at the server jitter by a few milliseconds; keep clear of the window's edge.
WINDOW_MARGIN = 1.05


@dataclass(frozen=True)
class Announced:
    """What a response's headers said about the limits (None where they said nothing)."""

    limit: int | None = None
    interval: float | None = None
    concurrency: int | None = None


def parse_limit_headers(headers: Mapping[str, str]) -> Announced:
    """Read both spellings (`x-rate-limit-*`, `x-ratelimit-*`) and duplicated values ("50, 50")."""
    lower = {key.lower(): value for key, value in headers.items()}

    def first(*names: str) -> str | None:
        for name in names:
            if lower.get(name):
                return lower[name].split(",")[0].strip()
        return None

    limit = _positive_int(first("x-rate-limit-limit", "x-ratelimit-limit"))
    interval_text = first("x-rate-limit-interval", "x-ratelimit-interval")
    interval = None
    if interval_text:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|m)?", interval_text)
        if match:
            scale = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]
            interval = float(match.group(1)) * scale or None
    concurrency = _positive_int(first("x-concurrency-limit"))
    return Announced(limit, interval, concurrency)


def _positive_int(text: str | None) -> int | None:
    if text is None or not text.isdigit() or int(text) < 1:
        return None
    return int(text)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff_delay(attempt: int, base: float, cap: float,
                  rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter: a random wait up to base·2^attempt (capped)."""
    ceiling = min(cap, base * (2 ** attempt))
    return ceiling * (0.5 + 0.5 * rng())


class Slot:
    """One request's place in the rate windows: from its start until its answer came back."""

    __slots__ = ("in_flight", "time")

    def __init__(self, time_: float) -> None:
        self.time = time_
        self.in_flight = True


class RateWindow:
    """At most `limit` requests in any `interval` seconds (a sliding window).

    A request counts from its start until `interval` after its answer: the server saw it
    somewhere in between, so spacing from the answer holds whatever the network delay was.
    """

    def __init__(self, limit: int, interval: float = 1.0) -> None:
        self.limit = limit
        self.interval = interval
        self._slots: deque[Slot] = deque()

    def lower(self, limit: int, interval: float) -> None:
        """Adopt a stricter limit; a looser one is ignored (the published figure is the ceiling)."""
        if limit / interval < self.limit / self.interval:
            self.limit, self.interval = limit, interval

    def earliest(self, now: float) -> float:
        """The earliest start this window allows (call with the limiter's lock held)."""
        window = self.interval * WINDOW_MARGIN
        self._slots = deque(s for s in self._slots if s.in_flight or s.time > now - window)
        if len(self._slots) < self.limit:
            return now
        times = sorted(now if s.in_flight else s.time for s in self._slots)
        return max(now, times[-self.limit] + window)

    def book(self, slot: Slot) -> None:
        self._slots.append(slot)


class Concurrency:
    """A counting gate whose size can shrink while requests are in flight."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_flight = 0
        self._condition = threading.Condition()
        self.cancelled = False

    def cancel(self) -> None:
        with self._condition:
            self.cancelled = True
            self._condition.notify_all()

    def lower(self, limit: int) -> None:
        with self._condition:
            self.limit = min(self.limit, limit)

    def raise_to(self, limit: int) -> None:
        with self._condition:
            self.limit = limit
            self._condition.notify_all()

    def __enter__(self) -> Concurrency:
        with self._condition:
            while self._in_flight >= self.limit and not self.cancelled:
                self._condition.wait()
            if self.cancelled:
                raise WaitCancelled()
            self._in_flight += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify_all()


class Limiter:
    """Per-kind rates, one overall rate and one concurrency gate, shared by all threads.

    Until the first response tells the limits, one request at a time: a server may announce
    less than the published table.
    """

    def __init__(self, polite: bool, scale: int = 1) -> None:
        """`scale` multiplies the published table: only for local test servers and benchmarks."""
        rates = {k: v * scale for k, v in (POLITE_LIMITS if polite else PUBLIC_LIMITS).items()}
        self.published_concurrency = (POLITE_CONCURRENCY if polite else PUBLIC_CONCURRENCY) * scale
        self.kinds = {kind: RateWindow(limit) for kind, limit in rates.items()}
        self.overall = RateWindow(max(rates.values()))
        self.concurrency = Concurrency(1)
        self._announced_concurrency = self.published_concurrency
        self._heard = False
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def wait_turn(self, kind: str) -> Slot:
        """Block until a request of this kind may start (the caller holds `concurrency`);
        hand the slot back to `finished` when the answer is in."""
        windows = (self.kinds[kind], self.overall)
        while True:
            if self.concurrency.cancelled:
                raise WaitCancelled()
            with self._lock:
                now = time.monotonic()
                start = max(self._paused_until, *(w.earliest(now) for w in windows))
                if start <= now:
                    slot = Slot(now)
                    for window in windows:
                        window.book(slot)
                    return slot
            time.sleep(min(start - now, 0.05))  # requests in flight may finish meanwhile

    def cancel(self) -> None:
        """Wake every thread waiting for a turn: they raise WaitCancelled."""
        self.concurrency.cancel()

    def finished(self, slot: Slot) -> None:
        with self._lock:
            slot.time = time.monotonic()
            slot.in_flight = False

    def pause(self, seconds: float) -> None:
        """Hold every new request back (after a 429 or a Retry-After): the limit is per IP."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def observe(self, announced: Announced) -> None:
        """Lower the limits to what the server announced; never raise them past the table."""
        with self._lock:
            if announced.limit is not None:
                interval = announced.interval or 1.0
                self.overall.lower(announced.limit, interval)
                for window in self.kinds.values():
                    window.lower(announced.limit, interval)
            if announced.concurrency is not None:
                self._announced_concurrency = min(self._announced_concurrency,
                                                  announced.concurrency)
            if not self._heard:
                self._heard = True
                self.concurrency.raise_to(self._announced_concurrency)
            else:
                self.concurrency.lower(self._announced_concurrency)

    @property
    def max_concurrency(self) -> int:
        return self._announced_concurrency
