"""Benchmark: fetch 1,000 DOIs from a local Crossref-like server that enforces the polite limits.

The server (127.0.0.1 only) enforces Crossref's polite-pool limits scaled up 10× so the run stays
short: 30 list requests/s, 100 single-DOI requests/s, 30 at once; it answers 429 past them, and
every answer takes 100 ms. The works it serves are SYNTHETIC (made up here, DOIs 10.5555/…),
never real metadata. Two clients fetch the same DOIs in one run:

* ours: `fetch_works` with `CrossrefClient` (batched `filter=doi:` list requests), told the
  limits are scaled 10×;
* naive: one `GET /works/{doi}` per DOI, one after another, the way common Crossref libraries
  fetch a list of DOIs; it waits a second after a 429.

Run: .venv/bin/python benchmarks/crossref_fetch.py [--dois 1000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import requests

from build_tools.crossref.client import ClientSettings, CrossrefClient
from build_tools.crossref.fetch import fetch_works

SCALE = 10
LIMITS = {"list": 3 * SCALE, "single": 10 * SCALE}
CONCURRENCY = 3 * SCALE
LATENCY = 0.100


def synthetic_work(doi: str) -> dict:
    return {"DOI": doi, "type": "journal-article",
            "title": [f"Synthetic benchmark work {doi.rsplit('.', 1)[-1]} (not a real study)"]}


class LimitedCrossref(ThreadingHTTPServer):
    """Counts requests, enforces rate and concurrency, and answers like Crossref."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.starts: dict[str, deque[float]] = {kind: deque() for kind in LIMITS}
        self.in_flight = 0
        self.requests = 0
        self.refused = 0

    def admit(self, kind: str) -> bool:
        now = time.monotonic()
        with self.lock:
            self.requests += 1
            starts = self.starts[kind]
            while starts and starts[0] <= now - 1.0:
                starts.popleft()
            if len(starts) >= LIMITS[kind] or self.in_flight >= CONCURRENCY:
                self.refused += 1
                return False
            starts.append(now)
            self.in_flight += 1
            return True

    def release(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def reset(self) -> None:
        with self.lock:
            self.requests = self.refused = 0


class Handler(BaseHTTPRequestHandler):
    server: LimitedCrossref
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        kind = "list" if url.path == "/works" else "single"
        if not self.server.admit(kind):
            self.reply(429, b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                       "text/html")
            return
        try:
            time.sleep(LATENCY)
            if kind == "list":
                text = parse_qs(url.query).get("filter", [""])[0]
                items = [synthetic_work(p[4:]) for p in text.split(",") if p.startswith("doi:")]
                message = {"items": items, "total-results": len(items)}
                body = {"status": "ok", "message-type": "work-list", "message": message}
            else:
                doi = unquote(url.path.removeprefix("/works/"))
                body = {"status": "ok", "message-type": "work", "message": synthetic_work(doi)}
            self.reply(200, json.dumps(body).encode(), "application/json")
        finally:
            self.server.release()

    def reply(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-rate-limit-limit", str(LIMITS["single"]))
        self.send_header("x-rate-limit-interval", "1s")
        self.send_header("x-concurrency-limit", str(CONCURRENCY))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def run_ours(base_url: str, dois: list[str]) -> int:
    settings = ClientSettings(base_url=base_url, mailto="benchmark@example.org",
                              limit_scale=SCALE)
    with tempfile.TemporaryDirectory() as cache:
        summary = fetch_works(Path(cache), dois, CrossrefClient(settings))
    return len(summary.fetched)


def run_naive(base_url: str, dois: list[str]) -> int:
    session = requests.Session()
    fetched = 0
    for doi in dois:
        for _ in range(5):
            response = session.get(f"{base_url}/works/{doi}",
                                   params={"mailto": "benchmark@example.org"}, timeout=30)
            if response.status_code != 429:
                break
            time.sleep(1.0)
        fetched += response.status_code == 200
    return fetched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=int, default=1000)
    args = parser.parse_args()
    dois = [f"10.5555/synthetic-benchmark.{n:06d}" for n in range(args.dois)]
    server = LimitedCrossref()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    results = {}
    for name, run in (("ours", run_ours), ("naive", run_naive)):
        server.reset()
        start = time.perf_counter()
        fetched = run(base_url, dois)
        results[name] = (time.perf_counter() - start, server.requests, server.refused, fetched)
    server.shutdown()
    print(f"{args.dois} synthetic DOIs; server: polite limits x{SCALE}, {LATENCY * 1000:.0f} ms "
          "latency")
    print(f"{'client':<8}{'fetched':>9}{'requests':>10}{'refused':>9}{'wall s':>9}")
    for name, (wall, requests_sent, refused, fetched) in results.items():
        print(f"{name:<8}{fetched:>9}{requests_sent:>10}{refused:>9}{wall:>9.2f}")
    ours, naive = results["ours"], results["naive"]
    print(f"ours is {naive[0] / ours[0]:.1f}x faster with {naive[1] / ours[1]:.1f}x fewer requests")


if __name__ == "__main__":
    main()
