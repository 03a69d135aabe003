"""`livingreview fetch`: fill the Crossref cache for every study DOI, batched and politely.

Plan: skip what is cached, ask for the rest in list requests (many DOIs each), ask once more by
single DOI for any a batch did not return, and for those Crossref does not know ask which agency
registered them. Each work is written to the cache as soon as it arrives, atomically, so a run
that stops (a full disk, Ctrl-C, Crossref out of reach) leaves every cached work whole.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from build_tools.core.errors import CacheWriteFailed, RequestFailed, RunStopped
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, read_cached_work, write_cached_work
from build_tools.crossref.cache import normalise_doi as normalise
from build_tools.crossref.client import CrossrefClient
from build_tools.records.load import load_records

NOT_FETCHED = "not fetched: the run was stopped"


@dataclass
class FetchSummary:
    """What one run did, DOI by DOI; `stopped` holds the reason when the run was cut short."""

    fetched: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    not_found: list[tuple[str, str | None]] = field(default_factory=list)  # (DOI, agency)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (DOI, reason)
    advice: dict[str, str] = field(default_factory=dict)  # DOI → what to do, if not the default
    kept: dict[str, str] = field(default_factory=dict)  # DOI → date of the cached work still used
    requests: int = 0
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None

    def _kept(self, doi: str) -> str:
        """A refresh that fails never loses a cached work: say which one the site still uses."""
        return f"; kept the cached work retrieved {self.kept[doi]}" if doi in self.kept else ""

    def lines(self) -> list[str]:
        """The end-of-run report: one summary line, then one line per DOI that needs a look."""
        lines = [f"{len(self.fetched)} fetched, {len(self.cached)} already cached, "
                 f"{len(self.not_found)} not found, {len(self.failed)} failed "
                 f"({self.requests} requests)"]
        for doi, agency in self.not_found:
            where = f"registered with {agency}" if agency else "no registration agency known"
            lines.append(f"not found in Crossref: {doi} ({where}){self._kept(doi)}")
        for doi, reason in self.failed:
            if reason == NOT_FETCHED:
                lines.append(f"failed: {doi}: {reason}{self._kept(doi)}")
                continue
            advice = self.advice.get(doi) or ("check the DOI in its study record, then: "
                                              f"livingreview fetch --doi {doi}")
            lines.append(f"failed: {doi}: Crossref: {reason}{self._kept(doi)}; {advice}")
        if self.stopped:
            lines.append(self.stopped)
        return lines


def study_dois(project: Project) -> list[str]:
    """Every DOI in the study records, normalised, each once, in file order."""
    records = load_records(project)
    dois: dict[str, None] = {}
    for document in records.studies:
        value = document.data.get("doi") if isinstance(document.data, dict) else None
        if isinstance(value, str) and value.strip():
            dois.setdefault(normalise(value), None)
    return list(dois)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Progress = Callable[[int], None]  # called with the number of DOIs just settled


def fetch_works(cache_dir: Path, dois: Iterable[str], client: CrossrefClient,
                refresh: bool = False, progress: Progress | None = None,
                clock: Callable[[], str] = utc_now) -> FetchSummary:
    """Fetch the works of these DOIs into the cache; never raises for a DOI that fails."""
    summary = FetchSummary()
    step = progress or (lambda _: None)
    wanted = list(dict.fromkeys(normalise(d) for d in dois))
    pending = []
    for doi in wanted:
        cached = read_cached_work(cache_dir, doi)
        if cached is not None and not refresh:
            summary.cached.append(doi)
        else:
            pending.append(doi)
            if cached is not None:
                summary.kept[doi] = cached.retrieved[:10]
    step(len(summary.cached))
    settled: set[str] = set(summary.cached)

    def keep(doi: str, work: dict[str, Any]) -> None:
        try:
            write_cached_work(cache_dir, CachedWork(doi, clock(), work))
        except OSError as error:
            raise CacheWriteFailed(
                f"stopped: could not write the Crossref cache in {cache_dir} "
                f"({error.strerror or error}); the works cached before are intact: free some "
                "space (or fix the folder's permissions), then run fetch again") from None
        summary.kept.pop(doi, None)
        summary.fetched.append(doi)
        settled.add(doi)
        step(1)

    def fail(doi: str, error: RequestFailed) -> None:
        summary.failed.append((doi, str(error)))
        if error.gave_up:
            summary.advice[doi] = f"try again later: livingreview fetch --doi {doi}"
        elif error.advice:
            summary.advice[doi] = error.advice

    def batch(dois: list[str]) -> list[str]:
        """One list request; returns the DOIs it did not answer."""
        try:
            found = client.works(dois)
        except RequestFailed as error:
            if not error.gave_up:
                return dois  # refused (400, 414, too big): one odd DOI can spoil a whole filter
            for doi in dois:
                fail(doi, error)
            settled.update(dois)
            step(len(dois))
            return []
        for doi in dois:
            if doi in found:
                keep(doi, found[doi])
        return [d for d in dois if d not in found]

    def single(doi: str) -> None:
        try:
            work = client.work(doi)
            if work is not None:
                keep(doi, work)
                return
            summary.not_found.append((doi, client.agency(doi)))
        except RequestFailed as error:
            fail(doi, error)
        settled.add(doi)
        step(1)

    workers = max(1, client.limiter.published_concurrency)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crossref")
    try:
        missing = _run(pool, [(batch, b) for b in client.plan_batches(pending)], client.cancel)
        _run(pool, [(single, doi) for group in missing for doi in group], client.cancel)
    except (RunStopped, CacheWriteFailed) as error:
        summary.stopped = str(error)
        summary.failed += [(d, NOT_FETCHED) for d in pending
                           if d not in settled and d not in dict(summary.failed)]
    except BaseException:  # Ctrl-C: break off every request now; what was cached stays
        client.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    summary.fetched.sort()
    summary.not_found.sort()
    summary.failed.sort()
    summary.requests = client.requests
    return summary


def _run(pool: ThreadPoolExecutor, calls: list[tuple[Callable[[Any], Any], Any]],
         stop: Callable[[], None]) -> list[Any]:
    """Run the calls on the pool; the first error (a stopped run, a cache that cannot be
    written) calls `stop`, which breaks off the rest, and is raised. Ctrl-C lands here."""
    futures: list[Future[Any]] = [pool.submit(call, argument) for call, argument in calls]
    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
    errors = [error for future in done if (error := future.exception()) is not None]
    if errors:
        for other in futures:
            other.cancel()
        stop()
        wait(futures)
        raise errors[0]
    return [future.result() for future in futures]


def make_progress(total: int, stream: TextIO | None = None) -> tuple[Progress, Callable[[], None]]:
    """A tqdm bar on a terminal; in CI and logs, a plain line at every tenth of the way."""
    stream = stream or sys.stderr
    if stream.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="DOI", desc="fetch", file=stream)

        def advance(count: int) -> None:
            bar.update(count)

        return advance, bar.close
    state = {"done": 0, "shown": -1}
    lock = threading.Lock()

    def update(count: int) -> None:
        with lock:
            state["done"] += count
            tenth = state["done"] * 10 // max(total, 1)
            if tenth != state["shown"] and (state["done"] or not total):
                state["shown"] = tenth
                print(f"fetch: {state['done']} of {total} DOIs done", file=stream, flush=True)

    return update, lambda: None
