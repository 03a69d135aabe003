"""A raw-socket HTTP server on 127.0.0.1 that can break every rule of HTTP, for the Crossref
client's limits: the hardening tests and benchmarks/crossref_limits.py both use it.

`requests`-level mocks and well-behaved servers cannot drip bytes, send endless chunked bodies or
lie in their headers; this server reads each request and lets an `Answer` write whatever bytes it
likes. Bodies it sends are made up by the caller (synthetic, never real metadata).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

Answer = Callable[[socket.socket, str, threading.Event], None]


@dataclass
class Server:
    url: str
    paths: list[str] = field(default_factory=list)


def envelope(message: object, kind: str = "work") -> bytes:
    return json.dumps({"status": "ok", "message-type": kind, "message-version": "1.0.0",
                       "message": message}).encode()



def head(status: str = "200 OK", *headers: str) -> bytes:
    """The status line and headers; the server closes after each answer and says so."""
    lines = [f"HTTP/1.1 {status}", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def plain(body: bytes, status: str = "200 OK", *headers: str) -> Answer:
    """A well-formed answer carrying `body` (with the given extra headers)."""
    def answer(connection: socket.socket, path: str, stop: threading.Event) -> None:
        connection.sendall(head(status, "Content-Type: application/json",
                                f"Content-Length: {len(body)}", *headers) + body)
    return answer


@contextlib.contextmanager
def misbehaving(answer: Answer) -> Iterator[Server]:
    """A threaded raw-socket server on 127.0.0.1: reads each request line, then `answer`s."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    server = Server(f"http://127.0.0.1:{listener.getsockname()[1]}")

    def handle(connection: socket.socket) -> None:
        with connection:
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                path = request.split(b" ", 2)[1].decode()
                server.paths.append(path)
                answer(connection, path, stop)
            except OSError:
                pass  # the client broke the connection off: what we test for

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone does not
        listener.close()
        thread.join(timeout=5)
