"""Hardening, Crossref faults: whatever a (local, Crossref-shaped) server answers, `fetch` says what
went wrong in one line per DOI, every good cached work stays byte for byte as it was, no error
body ever reaches the cache, and `build` still succeeds from the cache.

The cached works are real recorded bodies (tests/fixtures/crossref) written by the real
`write_cached_work`. The fetches run with `--refresh`, so the faults hit the cached DOIs too.
Retries are kept fast through the client's own settings (LIVINGREVIEW_CROSSREF_TRIES,
_BACKOFF, _TIMEOUT): nothing here sleeps.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from build_tools.cli.main import main
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, cache_path, write_cached_work
from build_tools.crossref.markup import plain_text
from tests.crossref_fixtures import body, json_headers, replay, work, work_list

RETRIEVED = "2026-06-16T13:35:00Z"
# Two studies whose works are cached (real bodies), one whose work is not: Crossref misbehaves.
CACHED = {"xu2020": ("10.1136/jclinpath-2020-206745", "10.1136_jclinpath-2020-206745.json"),
          "sadasivan2012": ("10.1371/journal.pone.0033693",
                            "10.1371_journal.pone.0033693.json")}
UNCACHED_ID, UNCACHED_DOI = "ray2004", "10.1037/0003-066x.59.1.29"
UNCACHED_FILE = "10.1037_0003-066x.59.1.29.json"
ALL_DOIS = sorted([UNCACHED_DOI, *(doi for doi, _ in CACHED.values())])
KEPT = "; kept the cached work retrieved 2026-06-16"
STACK_TRACE = ("java.lang.NullPointerException: null\n"
               "\tat clojure.core$ex_info.invokeStatic(core.clj:4617)\n"
               "\tat cayenne.api.v1.routes$work_resource.invoke(routes.clj:244)\n")


@pytest.fixture
def cached_project(project: Project, write_study: Callable[..., Path],
                   monkeypatch: pytest.MonkeyPatch) -> Project:
    """Three studies with DOIs, two of them with their real Crossref works in the cache."""
    for path in project.studies_dir.iterdir():
        path.unlink()  # the shipped DOIs have no recorded response
    for study_id, (doi, name) in CACHED.items():
        write_study(study_id, doi=doi, title=plain_text(work(name)["title"][0]))
        write_cached_work(project.cache_dir, CachedWork(doi, RETRIEVED, work(name)))
    write_study(UNCACHED_ID, doi=UNCACHED_DOI, title="The record's own title", year=2004)
    monkeypatch.setenv("LIVINGREVIEW_MAILTO", "curator@example.org")
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_TRIES", "2")
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_BACKOFF", "0")
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_TIMEOUT", "0.3")
    return project


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def fetch(project: Project, url: str, capsys: pytest.CaptureFixture[str],
          monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, list[str], list[str]]:
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_URL", url)
    code = main(["fetch", "--project", str(project.root), *extra])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def builds_from_the_cache(project: Project, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Build offline (nothing listens at the address); the study pages' text by id."""
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_URL", "http://127.0.0.1:9")
    assert main(["build", "--project", str(project.root)]) == 0
    # Only data warnings (a record disagreeing with its cached work), never an error.
    errors = capsys.readouterr().err.splitlines()
    assert [line for line in errors if not line.startswith("warning: studies/")] == []
    return {study_id: html.unescape((project.site_dir / "studies" / study_id / "index.html"
                                     ).read_text("utf-8"))
            for study_id in [*CACHED, UNCACHED_ID]}


def assert_cache_kept_and_site_built(project: Project, before: dict[str, bytes],
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert snapshot(project.cache_dir) == before  # same files, same bytes: nothing added
    pages = builds_from_the_cache(project, monkeypatch, capsys)
    for study_id in CACHED:
        assert "Citation from Crossref, retrieved 2026-06-16" in pages[study_id]
    assert "the record; not yet checked against Crossref" in pages[UNCACHED_ID]
    assert "The record's own title" in pages[UNCACHED_ID]


def serve_always(server: HTTPServer, answer: Callable[[Request], Response]) -> None:
    """Every route (/works, /works/{doi}, /works/{doi}/agency) gets `answer`."""
    server.expect_request(re.compile(r"^/works")).respond_with_handler(answer)


def progress(*counts: int) -> list[str]:
    return [f"fetch: {n} of 3 DOIs done" for n in counts]


# --- answers that are HTTP errors ------------------------------------------------------------

def test_404_in_plain_text_everywhere_is_not_found_and_keeps_the_cache(
    cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    before = snapshot(cached_project.cache_dir)
    serve_always(httpserver, lambda _: replay("http404_10.1371_notarealdoi.json"))
    code, out, err = fetch(cached_project, httpserver.url_for("/"), capsys, monkeypatch,
                           "--refresh")
    assert (code, out) == (0, [
        "0 fetched, 0 already cached, 3 not found, 0 failed (7 requests)",
        f"not found in Crossref: {ALL_DOIS[0]} (no registration agency known)",
        f"not found in Crossref: {ALL_DOIS[1]} (no registration agency known){KEPT}",
        f"not found in Crossref: {ALL_DOIS[2]} (no registration agency known){KEPT}",
    ])
    assert err == progress(1, 2, 3)
    assert_cache_kept_and_site_built(cached_project, before, monkeypatch, capsys)


def test_404_in_json_on_the_list_route_falls_back_to_single_lookups(
    cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    before = snapshot(cached_project.cache_dir)
    serve_always(httpserver, lambda _: replay("http404_resource-failure_cursor-invalid.json"))
    code, out, _ = fetch(cached_project, httpserver.url_for("/"), capsys, monkeypatch,
                         "--refresh")
    assert (code, out[0]) == (0, "0 fetched, 0 already cached, 3 not found, 0 failed "
                                 "(7 requests)")
    assert [request.path for request, _ in httpserver.log][:2] == [
        "/works", f"/works/{ALL_DOIS[0]}"]
    assert_cache_kept_and_site_built(cached_project, before, monkeypatch, capsys)


def test_400_is_reported_with_crossref_s_reason_and_not_retried(
    cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    before = snapshot(cached_project.cache_dir)
    serve_always(httpserver, lambda _: replay("http400_validation-failure_query-on-doi-route.json"))
    code, out, _ = fetch(cached_project, httpserver.url_for("/"), capsys, monkeypatch,
                         "--refresh")
    reason = "Crossref: HTTP 400: This route does not support field query parameters"
    check = "check the DOI in its study record, then: livingreview fetch --doi"
    assert (code, out) == (1, [
        "0 fetched, 0 already cached, 0 not found, 3 failed (4 requests)",
        f"failed: {ALL_DOIS[0]}: {reason}; {check} {ALL_DOIS[0]}",
        f"failed: {ALL_DOIS[1]}: {reason}{KEPT}; {check} {ALL_DOIS[1]}",
        f"failed: {ALL_DOIS[2]}: {reason}{KEPT}; {check} {ALL_DOIS[2]}",
    ])
    assert len(httpserver.log) == 4  # one list request, then one single request per DOI
    assert_cache_kept_and_site_built(cached_project, before, monkeypatch, capsys)


def failed_lines(reason: str, requests: int) -> list[str]:
    """Each failure in one line: Crossref named, then the next step (for a server that kept
    failing: try again later); DOIs a stopped run did not ask for are listed without."""
    if reason == "not fetched: the run was stopped":
        return [f"0 fetched, 0 already cached, 0 not found, 3 failed ({requests} requests)",
                f"failed: {ALL_DOIS[0]}: {reason}",
                f"failed: {ALL_DOIS[1]}: {reason}{KEPT}",
                f"failed: {ALL_DOIS[2]}: {reason}{KEPT}"]
    later = "try again later: livingreview fetch --doi"
    return [f"0 fetched, 0 already cached, 0 not found, 3 failed ({requests} requests)",
            f"failed: {ALL_DOIS[0]}: Crossref: {reason}; {later} {ALL_DOIS[0]}",
            f"failed: {ALL_DOIS[1]}: Crossref: {reason}{KEPT}; {later} {ALL_DOIS[1]}",
            f"failed: {ALL_DOIS[2]}: Crossref: {reason}{KEPT}; {later} {ALL_DOIS[2]}"]


HTTP_FAULTS: dict[str, tuple[Callable[[Request], Response], str]] = {
    "429 without Retry-After (HTML)": (
        lambda _: replay("http429_too-many-requests_reported-2017.json"),
        "gave up after 2 tries: HTTP 429, not JSON (text/html)"),
    "500 with a stack trace in JSON": (
        lambda _: replay("http500_exception_works-cursor.json"),
        "gave up after 2 tries: HTTP 500: exception"),
    "500 with a stack trace in plain text": (
        lambda _: Response(STACK_TRACE, status=500, content_type="text/plain"),
        "gave up after 2 tries: HTTP 500, not JSON (text/plain)"),
    "200 with an HTML maintenance page": (
        lambda _: Response("<html><body><h1>Down for maintenance</h1></body></html>",
                           content_type="text/html"),
        "gave up after 2 tries: HTTP 200, not JSON (text/html)"),
    "200 with a JSON body cut short": (
        lambda _: Response(json.dumps(work_list([body(UNCACHED_FILE)["message"]]))[:900],
                           headers=json_headers()),
        "gave up after 2 tries: HTTP 200, not JSON (application/json)"),
    "200 with JSON that is not a work list (an error body)": (
        lambda _: Response(json.dumps({"status": "failed", "message-type": "exception",
                                       "message": {"stack": STACK_TRACE.splitlines()}}),
                           headers=json_headers()),
        "gave up after 2 tries: HTTP 200 but a 'exception' message, not 'work-list'"),
}


@pytest.mark.parametrize("fault", list(HTTP_FAULTS))
def test_a_failing_answer_is_retried_then_reported_and_never_cached(
    fault: str, cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    answer, reason = HTTP_FAULTS[fault]
    before = snapshot(cached_project.cache_dir)
    serve_always(httpserver, answer)
    code, out, err = fetch(cached_project, httpserver.url_for("/"), capsys, monkeypatch,
                           "--refresh")
    assert (code, out) == (1, failed_lines(reason, 2))
    assert err == progress(3)
    assert "clojure" not in "\n".join(out + err)  # a stack trace is never shown
    assert_cache_kept_and_site_built(cached_project, before, monkeypatch, capsys)


def test_429_with_a_long_retry_after_stops_the_run_at_once(
    cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    before = snapshot(cached_project.cache_dir)
    serve_always(httpserver, lambda _: replay("http429_too-many-requests_reported-2017.json",
                                              {"Retry-After": "3600"}))
    url = httpserver.url_for("/")
    code, out, _ = fetch(cached_project, url, capsys, monkeypatch, "--refresh")
    assert (code, out) == (1, [
        *failed_lines("not fetched: the run was stopped", 1),
        f"stopped: {url.rstrip('/')} asked to wait 3600 s before the next request "
        "(HTTP 429, Retry-After), longer than the 60 s a run waits; run fetch again later",
    ])
    assert len(httpserver.log) == 1  # no second request
    assert_cache_kept_and_site_built(cached_project, before, monkeypatch, capsys)


def test_429_with_retry_after_is_obeyed_and_the_work_is_cached(
    cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    before = snapshot(cached_project.cache_dir)
    httpserver.expect_ordered_request("/works").respond_with_response(
        replay("http429_too-many-requests_reported-2017.json", {"Retry-After": "0"}))
    httpserver.expect_ordered_request("/works").respond_with_response(Response(
        json.dumps(work_list([work(UNCACHED_FILE)])), headers=json_headers()))
    code, out, _ = fetch(cached_project, httpserver.url_for("/"), capsys, monkeypatch)
    assert (code, out) == (0, ["1 fetched, 2 already cached, 0 not found, 0 failed (2 requests)"])
    after = snapshot(cached_project.cache_dir)
    new = cache_path(cached_project.cache_dir, UNCACHED_DOI).name
    assert {k: v for k, v in after.items() if k != new} == before
    assert json.loads(after[new])["work"] == work(UNCACHED_FILE)  # exactly as received
    pages = builds_from_the_cache(cached_project, monkeypatch, capsys)
    assert "Citation from Crossref, retrieved" in pages[UNCACHED_ID]


# --- no usable HTTP answer at all: a raw socket server ----------------------------------------

@contextlib.contextmanager
def raw_server(on_connect: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that reads each request and then does `on_connect`."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            held.append(connection)
            connection.recv(65536)
            on_connect(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        listener.close()
        for connection in held:
            connection.close()
        thread.join(timeout=5)


def reset(connection: socket.socket) -> None:
    """Close with SO_LINGER 0: the kernel sends RST, as a crashed proxy does."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def never_answer(connection: socket.socket) -> None:
    """Keep the connection open and silent (closed when the server stops)."""


def cut_short(connection: socket.socket) -> None:
    """Promise 100,000 bytes, send 900, close: the connection ends mid-body."""
    text = json.dumps(work_list([work(UNCACHED_FILE)])).encode()[:900]
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 100000\r\n\r\n" + text)
    connection.close()


SOCKET_FAULTS: dict[str, tuple[Callable[[socket.socket], None], str]] = {
    "connection reset": (reset, "the connection was reset by the server"),
    "timeout": (never_answer, "no answer within 0.3 s (timed out)"),
    "body cut short": (cut_short, "the answer was cut short (the connection closed before the "
                                  "whole body came)"),
}


@pytest.mark.parametrize("fault", list(SOCKET_FAULTS))
def test_a_broken_connection_is_retried_then_reported_and_never_cached(
    fault: str, cached_project: Project, capsys, monkeypatch
) -> None:
    on_connect, reason = SOCKET_FAULTS[fault]
    before = snapshot(cached_project.cache_dir)
    with raw_server(on_connect) as url:
        code, out, err = fetch(cached_project, url, capsys, monkeypatch, "--refresh")
    assert (code, out) == (1, failed_lines(f"gave up after 2 tries: {reason}", 2))
    assert err == progress(3)
    assert_cache_kept_and_site_built(cached_project, before, monkeypatch, capsys)


def test_nothing_listening_is_reported_as_refused(cached_project: Project, capsys,
                                                  monkeypatch) -> None:
    """A server never reached in this run is not retried: the run stops at its first request."""
    before = snapshot(cached_project.cache_dir)
    code, out, _ = fetch(cached_project, "http://127.0.0.1:9/", capsys, monkeypatch, "--refresh")
    assert (code, out) == (1, [
        *failed_lines("not fetched: the run was stopped", 1),
        "stopped: Crossref could not be reached at http://127.0.0.1:9: connection refused "
        "(is the address right, and the server up?); check the network connection (and "
        "LIVINGREVIEW_CROSSREF_URL), then run fetch again"])
    assert_cache_kept_and_site_built(cached_project, before, monkeypatch, capsys)


@pytest.mark.parametrize(("name", "value"), [("LIVINGREVIEW_CROSSREF_TRIES", "0"),
                                             ("LIVINGREVIEW_CROSSREF_TIMEOUT", "soon"),
                                             ("LIVINGREVIEW_CROSSREF_BACKOFF", "-1")])
def test_a_bad_patience_setting_is_refused_before_any_request(
    name: str, value: str, cached_project: Project, capsys, monkeypatch
) -> None:
    monkeypatch.setenv(name, value)
    code, out, err = fetch(cached_project, "http://127.0.0.1:9/", capsys, monkeypatch)
    least = {"LIVINGREVIEW_CROSSREF_TRIES": "a whole number, at least 1",
             "LIVINGREVIEW_CROSSREF_TIMEOUT": "a number, at least 0.001",
             "LIVINGREVIEW_CROSSREF_BACKOFF": "a number, at least 0"}[name]
    assert (code, out, err) == (1, [], [f"error: {name}={value!r} is not allowed ({least})"])


# --- works with missing or oddly typed fields --------------------------------------------------

def odd(changes: dict[str, Any]) -> dict[str, Any]:
    """The real work of the uncached DOI with some fields replaced (None removes one)."""
    changed = {**work(UNCACHED_FILE), **changes}
    return {k: v for k, v in changed.items() if v is not None}


ODD_WORKS: dict[str, dict[str, Any]] = {
    "only a DOI": {"DOI": "10.1037/0003-066X.59.1.29"},
    "strings for lists": odd({"title": "A title given as text", "author": "Ray, D. C.",
                              "container-title": "American Psychologist",
                              "updated-by": "retraction", "license": "CC-BY"}),
    "numbers everywhere": odd({"title": 7, "author": 42, "volume": 59, "issue": 1.5,
                               "page": 29, "container-title": 3, "license": 3, "updated-by": 1,
                               "is-referenced-by-count": "many", "issued": 2004,
                               "published": "2004"}),
    "nulls and nesting": odd({"title": [None, ["nested"], "", "A title after odd items"],
                              "author": [None, "Ray", {"family": ["Ray"]},
                                         {"given": "Only given"}, {"family": "Ray",
                                                                   "given": {"x": 1}}],
                              "issued": {"date-parts": [[None]]},
                              "published": {"date-parts": [["2004", 1]]},
                              "published-print": {"date-parts": None},
                              "updated-by": [{"DOI": 5}, {"type": "retraction"}, None],
                              "license": [{"URL": None}, "x"]}),
}


@pytest.mark.parametrize("kind", list(ODD_WORKS))
def test_a_work_with_missing_or_odd_fields_is_cached_as_received_and_builds(
    kind: str, cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    odd_work = ODD_WORKS[kind]
    before = snapshot(cached_project.cache_dir)
    serve_always(httpserver, lambda _: Response(json.dumps(work_list([odd_work])),
                                                headers=json_headers()))
    code, out, _ = fetch(cached_project, httpserver.url_for("/"), capsys, monkeypatch)
    assert (code, out) == (0, ["1 fetched, 2 already cached, 0 not found, 0 failed (1 requests)"])
    after = snapshot(cached_project.cache_dir)
    new = cache_path(cached_project.cache_dir, UNCACHED_DOI).name
    assert {k: v for k, v in after.items() if k != new} == before
    assert json.loads(after[new])["work"] == odd_work

    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_URL", "http://127.0.0.1:9")
    assert main(["validate", "--project", str(cached_project.root)]) == 0
    title, table = ODD_OUTCOMES[kind]
    assert capsys.readouterr().out.splitlines() == ([
        f"warning: studies/ray2004.yaml:2: title: differs from the Crossref work cached for "
        f'{UNCACHED_DOI}: "{title}" (the site shows Crossref\'s title; correct the record or '
        "the DOI)", "3 study record(s) and review.yaml are valid, 1 warning(s)"] if title
        else ["3 study record(s) and review.yaml are valid"])
    page = builds_from_the_cache(cached_project, monkeypatch, capsys)[UNCACHED_ID]
    assert re.search(r"Citation from Crossref, retrieved \d{4}-\d\d-\d\d\.", page)
    assert citation_table(page) == table


NOT_CURATED = "not yet curated"
RECORD_TITLE = "The record's own title"
# What validate warns about (the title Crossref gives, when it gives one) and the citation table
# of the study page: odd values are passed over, the record's value stands in.
ODD_OUTCOMES: dict[str, tuple[str | None, dict[str, str]]] = {
    "only a DOI": (None, {
        "Authors": NOT_CURATED, "Year": "2004", "Title": RECORD_TITLE, "Journal": NOT_CURATED,
        "Volume": NOT_CURATED, "Issue": NOT_CURATED, "Pages": NOT_CURATED,
        "DOI": "10.1037/0003-066X.59.1.29"}),
    "strings for lists": ("A title given as text", {
        "Authors": NOT_CURATED, "Year": "2004", "Title": "A title given as text",
        "Journal": "American Psychologist", "Volume": "59", "Issue": "1", "Pages": "29-40",
        "DOI": UNCACHED_DOI, "Published": "2004"}),
    "numbers everywhere": (None, {
        "Authors": NOT_CURATED, "Year": "2004", "Title": RECORD_TITLE, "Journal": NOT_CURATED,
        "Volume": "59", "Issue": NOT_CURATED, "Pages": "29", "DOI": UNCACHED_DOI}),
    "nulls and nesting": ("A title after odd items", {
        "Authors": "Ray", "Year": "2004", "Title": "A title after odd items",
        "Journal": "American Psychologist", "Volume": "59", "Issue": "1", "Pages": "29-40",
        "DOI": UNCACHED_DOI}),
}


def citation_table(page: str) -> dict[str, str]:
    """The study page's citation table (unescaped page text), field by field."""
    table = page[page.index(">Citation<"):page.index("lr-provenance")]
    return {field: re.sub(r"<[^>]+>", "", value) for field, value in
            re.findall(r"<td>(\w+)</td>\s*<td>(.*?)</td>", table)}


@pytest.mark.parametrize("damage", ['{"doi": "10.1037/0003-066x.59.1.29", "retr',
                                    '{"doi": "10.1037/0003-066x.59.1.29", '
                                    '"retrieved": "2026-06-16", "work": ["not", "a", "work"]}'])
def test_a_damaged_cache_entry_counts_as_missing_and_is_fetched_again(
    damage: str, cached_project: Project, httpserver: HTTPServer, capsys, monkeypatch
) -> None:
    path = cache_path(cached_project.cache_dir, UNCACHED_DOI)
    path.write_text(damage, "utf-8")
    before = snapshot(cached_project.cache_dir)
    assert main(["validate", "--project", str(cached_project.root)]) == 0  # read as missing
    capsys.readouterr()
    serve_always(httpserver, lambda _: Response(json.dumps(work_list([work(UNCACHED_FILE)])),
                                                headers=json_headers()))
    code, out, _ = fetch(cached_project, httpserver.url_for("/"), capsys, monkeypatch)
    assert (code, out) == (0, ["1 fetched, 2 already cached, 0 not found, 0 failed (1 requests)"])
    after = snapshot(cached_project.cache_dir)
    assert {k: v for k, v in after.items() if k != path.name} == {
        k: v for k, v in before.items() if k != path.name}
    assert json.loads(after[path.name])["work"] == work(UNCACHED_FILE)
