"""HTTP for the Crossref client, with limits a misbehaving server cannot get past.

`requests` bounds each socket read, not the whole answer: a server dripping a byte a second, an
endless chunked body or a gzip bomb would hold a run for ever or fill memory. Here every exchange
runs in its own thread while the caller waits on a wall clock (host lookup included); at the
deadline, or on `cancel()` (Ctrl-C), the caller leaves at once and the socket is shut down so the
thread ends too. Bodies are read raw in chunks and decompressed by us, never past a size cap.
Redirects are followed only on the same host, a few times.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from build_tools.core.errors import Interrupted, TransportError

CHUNK = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class HttpLimits:
    """How long and how much one exchange may take."""

    deadline: float  # seconds from the start to the last byte, host lookup and redirects included
    connect_timeout: float  # seconds until the connection is open (host lookup included)
    max_body_bytes: int  # after decompression
    max_redirects: int = 3


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: bytes

    @property
    def text(self) -> str:
        """For messages only: the body as text, undecodable bytes replaced."""
        return self.body.decode("utf-8", "replace")


Transport = Callable[[str, Mapping[str, str], HttpLimits], HttpResponse]
_local = threading.local()


class _Exchange:
    """One request in flight: its connection (to shut down) and how it ended."""

    def __init__(self) -> None:
        self.connected = threading.Event()  # set once the connection is open, or it ended
        self.done = threading.Event()
        self.response: HttpResponse | None = None
        self.error: TransportError | None = None
        self.headers_seen = False
        self.abandoned = False
        self.cancelled = False
        self._connection: Any = None
        self._lock = threading.Lock()

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection
            abandoned = self.abandoned
        if abandoned:
            _shut(connection)

    def reached(self) -> None:
        self.connected.set()
        if self.abandoned:
            _shut(self._connection)

    def finish(self) -> None:
        self.connected.set()
        self.done.set()

    def abandon(self, cancelled: bool = False) -> None:
        """Stop waiting for this exchange and break its connection, from any thread."""
        with self._lock:
            self.abandoned = True
            self.cancelled = self.cancelled or cancelled
            connection = self._connection
        if connection is not None:
            _shut(connection)
        if cancelled:
            self.finish()


def _shut(connection: Any) -> None:
    """Shut the socket down: wakes the thread blocked reading it (close() alone may not)."""
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the raw socket, under any TLS layer


def _tracked_pools() -> dict[str, type]:
    """urllib3 pools whose connections report themselves to the current exchange."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Tracked:
        def connect(self) -> None:
            exchange = getattr(_local, "exchange", None)
            if exchange is not None:
                exchange.attach(self)
            super().connect()  # type: ignore[misc]
            if exchange is not None:
                exchange.reached()

        def request(self, *args: Any, **kwargs: Any) -> Any:
            exchange = getattr(_local, "exchange", None)
            if exchange is not None:
                exchange.attach(self)
                if getattr(self, "sock", None) is not None:  # a kept-alive connection
                    exchange.reached()
            return super().request(*args, **kwargs)  # type: ignore[misc]

    class TrackedHTTP(Tracked, HTTPConnection):
        pass

    class TrackedHTTPS(Tracked, HTTPSConnection):
        pass

    class TrackedHTTPPool(HTTPConnectionPool):
        ConnectionCls = TrackedHTTP

    class TrackedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = TrackedHTTPS

    return {"http": TrackedHTTPPool, "https": TrackedHTTPSPool}


def _session() -> Any:
    import requests
    from requests.adapters import HTTPAdapter

    pools = _tracked_pools()

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = dict(pools)

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **kwargs)
            if not proxy.lower().startswith("socks"):
                manager.pool_classes_by_scheme = dict(pools)
            return manager

    session = requests.Session()
    session.mount("http://", Adapter())
    session.mount("https://", Adapter())
    return session


class RequestsTransport:
    """The default transport (`requests`), bounded in time and size; `cancel()` from any thread."""

    def __init__(self) -> None:
        self._session: Any = None
        self._live: set[_Exchange] = set()
        self._lock = threading.Lock()
        self._cancelled = False

    def cancel(self) -> None:
        """Abandon every request in flight and refuse new ones: callers raise Interrupted."""
        with self._lock:
            self._cancelled = True
            live = list(self._live)
        for exchange in live:
            exchange.abandon(cancelled=True)

    def __call__(self, url: str, headers: Mapping[str, str], limits: HttpLimits) -> HttpResponse:
        exchange = _Exchange()
        with self._lock:
            if self._cancelled:
                raise Interrupted()
            if self._session is None:
                self._session = _session()
            self._live.add(exchange)
        worker = threading.Thread(target=self._exchange, args=(exchange, url, headers, limits),
                                  name="crossref-http", daemon=True)
        start = time.monotonic()
        try:
            worker.start()
            if not exchange.connected.wait(min(limits.connect_timeout, limits.deadline)):
                raise TransportError(
                    f"no connection to {urlsplit(url).hostname} within "
                    f"{min(limits.connect_timeout, limits.deadline):g} s (host lookup or "
                    "connection timed out)", unreachable=True)
            if not exchange.done.wait(max(0.0, limits.deadline - (time.monotonic() - start))):
                if exchange.headers_seen:
                    raise TransportError(f"the answer did not finish within {limits.deadline:g} s "
                                         "(timed out)")
                raise TransportError(f"no answer within {limits.deadline:g} s (timed out)")
        except BaseException:
            exchange.abandon()  # deadline, Ctrl-C in this thread: break the connection
            raise
        finally:
            with self._lock:
                self._live.discard(exchange)
        if exchange.cancelled:
            raise Interrupted()
        if exchange.error is not None:
            raise exchange.error
        assert exchange.response is not None
        return exchange.response

    def _exchange(self, exchange: _Exchange, url: str, headers: Mapping[str, str],
                  limits: HttpLimits) -> None:
        import requests

        _local.exchange = exchange
        try:
            exchange.response = self._follow(exchange, url, headers, limits)
        except TransportError as error:
            exchange.error = error
        except requests.ConnectTimeout:
            exchange.error = TransportError(
                f"no connection to {urlsplit(url).hostname} within {limits.connect_timeout:g} s "
                "(connection timed out)", retryable=False, unreachable=True)
        except requests.ReadTimeout:
            exchange.error = TransportError(f"no answer within {limits.deadline:g} s (timed out)")
        except Exception as error:  # requests', urllib3's or the socket's: never a traceback
            message, retryable, unreachable = connection_problem(error, url)
            exchange.error = TransportError(message, retryable, unreachable)
        finally:
            _local.exchange = None
            exchange.finish()

    def _follow(self, exchange: _Exchange, url: str, headers: Mapping[str, str],
                limits: HttpLimits) -> HttpResponse:
        current = url
        for _ in range(limits.max_redirects + 1):
            response = self._session.get(current, headers=dict(headers), stream=True,
                                         allow_redirects=False,
                                         timeout=(limits.connect_timeout, limits.deadline))
            try:
                exchange.headers_seen = True
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    target = urljoin(current, location)
                    if not same_host(url, target):
                        raise TransportError(
                            f"HTTP {response.status_code} redirect to another host "
                            f"({urlsplit(target).hostname}), not followed", retryable=False)
                    current = target
                    continue
                body = read_body(response, exchange, limits.max_body_bytes)
                return HttpResponse(response.status_code,
                                    {k.lower(): v for k, v in response.headers.items()}, body)
            finally:
                response.close()
        raise TransportError(f"more than {limits.max_redirects} redirects, not followed",
                             retryable=False)


def same_host(origin: str, target: str) -> bool:
    """Same host and port; http→https on the same host (an upgrade) is allowed too."""
    a, b = urlsplit(origin), urlsplit(target)
    if (a.hostname or "").lower() != (b.hostname or "").lower():
        return False
    if a.scheme == b.scheme:
        return a.port == b.port
    return a.scheme == "http" and b.scheme == "https" and b.port in (None, 443)


def read_body(response: Any, exchange: _Exchange, cap: int) -> bytes:
    """The body, decompressed by us in bounded steps; refused past `cap` bytes."""
    encoding = response.headers.get("content-encoding", "").strip().lower() or "identity"
    length = response.headers.get("content-length", "").strip()
    if encoding == "identity" and length.isdigit() and int(length) > cap:
        raise _too_big(cap, f"it announced {int(length):,} bytes")
    decoder = _Decoder(encoding, cap)
    out = bytearray()
    for piece in response.raw.stream(CHUNK, decode_content=False):
        if exchange.abandoned:
            raise TransportError("abandoned")
        decoder.feed(piece, out)
    decoder.end(out)
    return bytes(out)


def _too_big(cap: int, detail: str) -> TransportError:
    return TransportError(f"the answer is larger than {cap / 1e6:g} MB ({detail}), refused",
                          retryable=False)


class _Decoder:
    """identity, gzip or deflate, one layer; never more than `cap` bytes out, whatever goes in."""

    def __init__(self, encoding: str, cap: int) -> None:
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise TransportError(f"the answer is encoded as {encoding!r}, which we do not read "
                                 "(only gzip or deflate, once)", retryable=False)
        self.encoding = encoding
        self.cap = cap
        self._inflate = None if encoding == "identity" else self._new()

    @staticmethod
    def _new() -> Any:
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected

    def feed(self, data: bytes, out: bytearray) -> None:
        if self._inflate is None:
            out += data
            self._check(out)
            return
        try:
            while data:
                out += self._inflate.decompress(data, self.cap - len(out) + 1)
                self._check(out)
                data = self._inflate.unconsumed_tail
                if self._inflate.eof and self._inflate.unused_data:
                    data, self._inflate = self._inflate.unused_data, self._new()  # next member
        except zlib.error as error:
            raise TransportError(f"the {self.encoding} answer could not be decompressed "
                                 f"({error})") from None

    def end(self, out: bytearray) -> None:
        if self._inflate is not None:
            out += self._inflate.flush()
            self._check(out)
            if not self._inflate.eof:
                raise TransportError(f"the {self.encoding} answer was cut short")

    def _check(self, out: bytearray) -> None:
        if len(out) > self.cap:
            raise _too_big(self.cap, "read so far" if self.encoding == "identity"
                           else f"after {self.encoding} decompression")


def connection_problem(error: BaseException, url: str = "") -> tuple[str, bool, bool]:
    """What broke, in words, from the chain of exceptions requests and urllib3 wrap it in;
    with whether to try again and whether the server was never reached."""
    import errno
    import http.client

    host = urlsplit(url).hostname or "the server"
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        cause = pending.pop(0)
        if not isinstance(cause, BaseException) or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return f"host lookup failed for {host} ({cause.strerror or cause})", False, True
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (is the address right, and the server up?)", False, True
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return f"no route to {host} ({cause.strerror})", False, True
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset by the server", True, False
        if isinstance(cause, http.client.RemoteDisconnected):
            return "the server closed the connection without an answer", True, False
        if isinstance(cause, http.client.IncompleteRead):
            return ("the answer was cut short (the connection closed before the whole body "
                    "came)"), True, False
        if isinstance(cause, http.client.HTTPException):
            return f"the answer's headers were refused ({cause})", False, False
        pending += [*cause.args, cause.__cause__, cause.__context__, getattr(cause, "reason", None)]
    return f"the connection failed ({type(error).__name__})", True, False
