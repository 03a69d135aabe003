"""Benchmark: peak memory of the Crossref client against answers built to exhaust it.

A raw-socket server on 127.0.0.1 sends, per case, an endless chunked body, a gzip bomb (1 GB of
spaces in about 1 MB), a 10 MB work, a 15 MB list of 100 works, and 16 MB of empty arrays. The
client runs with its DEFAULT limits (16 MB per answer, 4 MB per work). Each case runs in its own
process so its peak resident memory (getrusage maxrss) is its own; tracemalloc's peak is shown too.
Every body is SYNTHETIC (made up here), never real metadata. Prints figures; fails (exit 1) when a
case goes past 500 MB.

Run: .venv/bin/python benchmarks/crossref_limits.py
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package, run as a script

from build_tools.core.errors import CrossrefError
from build_tools.crossref.client import ClientSettings, CrossrefClient
from tests.raw_http import Answer, envelope, head, misbehaving, plain

LIMIT_MB = 500
DOI = "10.5555/synthetic-benchmark"
JSON = "Content-Type: application/json"



def endless(connection: socket.socket, path: str, stop: threading.Event) -> None:
    connection.sendall(head("200 OK", JSON, "Transfer-Encoding: chunked"))
    chunk = b" " * 65536
    while not stop.is_set():
        connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def bomb(connection: socket.socket, path: str, stop: threading.Event) -> None:
    """1 GB of spaces, gzip-compressed on the fly (about 1 MB on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * 1_000_000
    packed = b"".join(packer.compress(block) for _ in range(1000)) + packer.flush()
    connection.sendall(head("200 OK", JSON, "Content-Encoding: gzip",
                           f"Content-Length: {len(packed)}") + packed)


def synthetic_work(number: int, size: int) -> dict:
    return {"DOI": f"{DOI}-{number}", "type": "journal-article",
            "title": [f"Synthetic benchmark work {number} (not a real study)"],
            "reference": [{"key": f"ref{n}", "unstructured": "x" * 200}
                          for n in range(size // 230)]}


CASES: dict[str, tuple[str, Callable[[], Answer]]] = {
    "endless": ("work", lambda: endless),
    "bomb": ("work", lambda: bomb),
    "large work (10 MB)": ("work", lambda: plain(envelope(synthetic_work(0, 10_000_000),
                                                          "work"))),
    "large list (15 MB, 100 works)": ("works", lambda: plain(envelope(
        {"items": [synthetic_work(n, 150_000) for n in range(100)]}, "work-list"))),
    "empty arrays (16 MB)": ("work", lambda: plain(b"[" + b"[]," * 5_300_000 + b"[]]")),
}


def run_case(name: str) -> dict:
    """One case in this process: what the client said, how long, and the memory peaks."""
    route, make = CASES[name]
    answer = make()
    tracemalloc.start()
    start = time.monotonic()
    with misbehaving(answer) as server:
        client = CrossrefClient(ClientSettings(base_url=server.url, max_tries=1))
        try:
            result = client.work(DOI) if route == "work" else client.works([DOI])
            outcome = f"accepted ({len(result) if isinstance(result, dict) else 0} keys)"
        except CrossrefError as error:
            outcome = str(error)
    seconds = time.monotonic() - start
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"case": name, "seconds": round(seconds, 2), "outcome": outcome,
            "traced_peak_mb": round(traced / 1e6, 1),
            "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=list(CASES), help="run one case in this process")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return 0
    failed = False
    print(f"{'case':<32} {'seconds':>8} {'maxrss MB':>10} {'traced MB':>10}  outcome")
    for name in CASES:
        done = subprocess.run([sys.executable, __file__, "--case", name], check=True,
                              capture_output=True, text=True)
        row = json.loads(done.stdout)
        over = row["maxrss_mb"] >= LIMIT_MB
        failed |= over
        print(f"{name:<32} {row['seconds']:>8} {row['maxrss_mb']:>10} "
              f"{row['traced_peak_mb']:>10}  {row['outcome'][:90]}{'  OVER' if over else ''}")
    print(f"peak memory limit: {LIMIT_MB} MB per case: {'EXCEEDED' if failed else 'kept'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
