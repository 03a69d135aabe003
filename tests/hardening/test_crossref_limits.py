"""Hardening, Crossref limits: a server on 127.0.0.1 that misbehaves on purpose (drips, never
ends, bombs, redirects away, nests, garbles, floods, storms) meets the real client with small
limits (ClientSettings), and every case ends quickly in one line that names what was refused.

The server speaks raw HTTP over a socket so it can break every rule; every body it sends is
SYNTHETIC (built here), never real metadata.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable

import pytest

from build_tools.core.errors import RequestFailed, RunStopped, Unreachable
from build_tools.crossref.client import ClientSettings, CrossrefClient
from tests.raw_http import Answer, Server, envelope, head, misbehaving, plain

pytestmark = pytest.mark.hardening

DOI = "10.5555/synthetic-limits-test"
SYNTHETIC_WORK = {"DOI": DOI, "type": "journal-article", "title": ["A synthetic test work"]}


def client(server: Server | str, **limits: float) -> CrossrefClient:
    url = server if isinstance(server, str) else server.url
    chosen: dict[str, float] = {"backoff_base": 0.0, "max_tries": 2, **limits}
    chosen["max_tries"] = int(chosen["max_tries"])
    return CrossrefClient(ClientSettings(base_url=url, mailto="c@example.org", **chosen))


def refused(server: Server, **limits: float) -> tuple[str, float]:
    """The one-line reason `work()` fails with, and how long it took."""
    start = time.monotonic()
    with pytest.raises(RequestFailed) as error:
        client(server, **limits).work(DOI)
    return str(error.value), time.monotonic() - start


# --- time ----------------------------------------------------------------------------------

def drip_body(connection: socket.socket, path: str, stop: threading.Event) -> None:
    """Headers at once, then one byte every 50 ms of a body that would take minutes."""
    connection.sendall(head("200 OK", "Content-Type: application/json",
                            "Content-Length: 100000"))
    while not stop.wait(0.05):
        connection.sendall(b" ")


def drip_headers(connection: socket.socket, path: str, stop: threading.Event) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    while not stop.wait(0.05):
        connection.sendall(b"X")


@pytest.mark.parametrize(("answer", "reason"), [
    (drip_body, "the answer did not finish within 0.5 s (timed out)"),
    (drip_headers, "no answer within 0.5 s (timed out)")])
def test_a_slow_drip_ends_at_the_deadline_of_the_whole_answer(answer: Answer,
                                                              reason: str) -> None:
    with misbehaving(answer) as server:
        message, took = refused(server, timeout=0.5)
    assert message == f"gave up after 2 tries: {reason}"
    assert took < 2.0  # two tries of 0.5 s, though every read got a byte within 50 ms


def test_the_run_limit_ends_a_run_whatever_each_request_may_take() -> None:
    with misbehaving(drip_body) as server:
        start = time.monotonic()
        with pytest.raises(RunStopped) as error:
            client(server, timeout=30, run_limit=0.4, max_tries=5).work(DOI)
    assert time.monotonic() - start < 1.5
    assert str(error.value) == (
        "stopped: the run took its limit of 0.4 s (LIVINGREVIEW_CROSSREF_RUN_LIMIT); the works "
        "fetched so far are cached: run fetch again to continue")


def test_cancel_breaks_off_a_request_in_flight_at_once() -> None:
    with misbehaving(drip_body) as server:
        crossref = client(server, timeout=30)
        threading.Timer(0.3, crossref.cancel).start()
        start = time.monotonic()
        with pytest.raises(RunStopped, match=r"^stopped: interrupted$"):
            crossref.work(DOI)
        assert time.monotonic() - start < 1.0
        with pytest.raises(RunStopped):  # and nothing more is sent
            crossref.work(DOI)
        assert len(server.paths) == 1


# --- size ----------------------------------------------------------------------------------

def endless_chunked(connection: socket.socket, path: str, stop: threading.Event) -> None:
    connection.sendall(head("200 OK", "Content-Type: application/json",
                            "Transfer-Encoding: chunked"))
    chunk = b" " * 65536
    while not stop.is_set():
        connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def gzip_bomb(megabytes: int, encoding: str = "gzip") -> Answer:
    """`megabytes` MB of spaces, gzipped to a few dozen kB."""
    packed = gzip.compress(b" " * (megabytes * 1_000_000), compresslevel=9)
    return plain(packed, "200 OK", f"Content-Encoding: {encoding}")


@pytest.mark.parametrize(("answer", "reason"), [
    (endless_chunked, "the answer is larger than 1 MB (read so far), refused"),
    (plain(b" " * 2_000_001), "the answer is larger than 1 MB (it announced 2,000,001 bytes), "
                              "refused"),
    (gzip_bomb(200), "the answer is larger than 1 MB (after gzip decompression), refused"),
    (gzip_bomb(1, "gzip, gzip"), "the answer is encoded as 'gzip, gzip', which we do not read "
                                 "(only gzip or deflate, once)"),
    (gzip_bomb(1, "br"), "the answer is encoded as 'br', which we do not read (only gzip or "
                         "deflate, once)")])
def test_a_body_past_the_size_cap_is_refused_and_not_asked_again(answer: Answer,
                                                                 reason: str) -> None:
    with misbehaving(answer) as server:
        message, took = refused(server, max_body_bytes=1_000_000)
    assert message == reason
    assert len(server.paths) == 1  # the same answer would come again: no retry
    assert took < 5


def test_a_gzipped_work_within_the_cap_is_read() -> None:
    body = gzip.compress(envelope(SYNTHETIC_WORK))
    with misbehaving(plain(body, "200 OK", "Content-Encoding: gzip")) as server:
        assert client(server).work(DOI) == SYNTHETIC_WORK


def test_a_work_past_the_per_work_cap_is_refused_with_what_to_do() -> None:
    big = {**SYNTHETIC_WORK, "abstract": "x" * 1_200_000}
    with misbehaving(plain(envelope(big))) as server, pytest.raises(RequestFailed) as error:
        client(server, max_work_bytes=1_000_000).work(DOI)
    assert str(error.value) == ("the work is 1.2 MB, more than the 1 MB a work may take "
                                "(LIVINGREVIEW_CROSSREF_MAX_WORK_MB); not cached")
    assert error.value.advice == ("fill in the study record's citation fields by hand, or raise "
                                  "LIVINGREVIEW_CROSSREF_MAX_WORK_MB and fetch it again")


def test_a_batch_leaves_out_a_work_past_the_per_work_cap() -> None:
    small = {**SYNTHETIC_WORK, "DOI": "10.5555/small"}
    big = {**SYNTHETIC_WORK, "abstract": "x" * 1_200_000}
    listing = envelope({"items": [small, big]}, kind="work-list")
    with misbehaving(plain(listing)) as server:
        found = client(server, max_work_bytes=1_000_000).works(["10.5555/small", DOI])
    assert list(found) == ["10.5555/small"]


# --- redirects -----------------------------------------------------------------------------

def redirect(location: Callable[[str], str], status: str = "302 Found") -> Answer:
    def answer(connection: socket.socket, path: str, stop: threading.Event) -> None:
        if path.startswith("/v1/"):
            plain(envelope(SYNTHETIC_WORK))(connection, path, stop)
            return
        connection.sendall(head(status, f"Location: {location(path)}", "Content-Length: 0"))
    return answer


def test_a_redirect_to_another_host_is_not_followed() -> None:
    with misbehaving(redirect(lambda path: f"http://crossref.example.invalid{path}")) as server:
        message, _ = refused(server)
    assert message == "HTTP 302 redirect to another host (crossref.example.invalid), not followed"
    assert len(server.paths) == 1


def test_a_redirect_on_the_same_host_is_followed() -> None:
    with misbehaving(redirect(lambda path: "/v1" + path, "301 Moved Permanently")) as server:
        assert client(server).work(DOI) == SYNTHETIC_WORK
    assert [p.split("?")[0] for p in server.paths] == [f"/works/{DOI}", f"/v1/works/{DOI}"]


def test_redirects_on_the_same_host_are_bounded() -> None:
    with misbehaving(redirect(lambda path: path)) as server:
        message, _ = refused(server, max_redirects=3)
    assert message == "more than 3 redirects, not followed"
    assert len(server.paths) == 4


# --- content -------------------------------------------------------------------------------

DEEP = b'{"status": "ok", "message-type": "work", "message": {"DOI": "x", "title":\n' \
       + b"[" * 2000 + b"]" * 2000 + b"}}"
BAD_UTF8 = envelope({**SYNTHETIC_WORK, "title": ["cafe"]}).replace(b"cafe", b"caf\xe9")
BAD_AT = BAD_UTF8.index(b"\xe9")


@pytest.mark.parametrize(("body", "reason"), [
    (DEEP, "nested deeper than 64 levels at line 2, column 63"),
    (BAD_UTF8, f"invalid UTF-8 at byte {BAD_AT:,}"),
    (envelope({**SYNTHETIC_WORK, "title": ["\ud800 lone"]}),
     "an unpaired surrogate (\\ud800-\\udfff escape) in message.title[0]"),
    (b'{"status": "ok", "message-type": "work", "message": {"score": NaN}}',
     "NaN is not a JSON value"),
    (b"[" + b"[]," * 600_000 + b"[]]", "more than 500,000 objects and arrays")])
def test_json_that_cannot_be_kept_faithfully_is_refused_where_it_goes_wrong(
        body: bytes, reason: str) -> None:
    with misbehaving(plain(body)) as server:
        message, _ = refused(server)
    assert message == f"HTTP 200, JSON refused: {reason}"
    assert len(server.paths) == 1  # a whole answer, refused: asking again gives the same


def header_flood(count: int, size: int) -> Answer:
    def answer(connection: socket.socket, path: str, stop: threading.Event) -> None:
        connection.sendall(head("200 OK", *(f"X-Flood-{n}: {'y' * size}" for n in range(count))))
    return answer


@pytest.mark.parametrize(("answer", "reason"), [
    (header_flood(5000, 10), "got more than 100 headers"),
    (header_flood(1, 70_000), "got more than 65536 bytes when reading header line")])
def test_a_header_flood_is_refused(answer: Answer, reason: str) -> None:
    with misbehaving(answer) as server:
        message, took = refused(server)
    assert message == f"the answer's headers were refused ({reason})"
    assert took < 5


# --- patience ------------------------------------------------------------------------------

def test_a_429_storm_stops_once_the_run_s_patience_is_spent() -> None:
    storm = plain(b"<html>Too Many Requests</html>", "429 Too Many Requests", "Retry-After: 1")
    lines: list[str] = []
    with misbehaving(storm) as server:
        settings = ClientSettings(base_url=server.url, mailto="c@example.org", max_tries=10,
                                  max_wait=2.5)
        start = time.monotonic()
        with pytest.raises(RunStopped) as error:
            CrossrefClient(settings, notify=lines.append).work(DOI)
    assert lines == ["waiting 1 s for Crossref (Retry-After) ..."] * 2
    assert str(error.value) == (
        "stopped: Crossref asked to wait 1 s more (Retry-After) after 2 s of waiting in this run, "
        "past the 2.5 s a run waits in all (LIVINGREVIEW_CROSSREF_MAX_WAIT); "
        "run fetch again later")
    assert len(server.paths) == 3 and time.monotonic() - start < 3.5


# --- no server at all ------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1:9", "connection refused (is the address right, and the server up?)"),
    ("http://api.crossref.invalid", "host lookup failed for api.crossref.invalid")])
def test_a_server_never_reached_stops_the_run_at_once(url: str, reason: str) -> None:
    start = time.monotonic()
    with pytest.raises(Unreachable) as error:
        client(url, max_tries=5, backoff_base=1.0).work(DOI)
    assert error.value.reason.startswith(reason)
    assert str(error.value).startswith(f"stopped: Crossref could not be reached at {url}: ")
    assert time.monotonic() - start < 10
