"""Real Crossref responses (tests/fixtures/crossref, copied unchanged; see SOURCES.md there),
and a Crossref-shaped handler for pytest-httpserver that serves them."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from werkzeug import Request, Response

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crossref"

WORK_FILES = (
    "10.1002_jor.1100150407.json",
    "10.1016_j.neurobiolaging.2010.03.024.json",
    "10.1037_0003-066x.59.1.29.json",
    "10.1038_srep16696.json",
    "10.1136_jclinpath-2020-206745.json",
    "10.1371_journal.pone.0033693.json",
    "10.3389_fgene.2017.00147.json",
    "10.7287_peerj.3819v0.1_reviews_2.json",
)
HOP_BY_HOP = {"transfer-encoding", "connection", "content-length"}


def body(name: str) -> dict[str, Any]:
    """A recorded response body (the {"status", "message-type", "message"} envelope)."""
    return json.loads((FIXTURES / name).read_text("utf-8"))


def work(name: str) -> dict[str, Any]:
    return body(name)["message"]


def works_by_doi() -> dict[str, dict[str, Any]]:
    """Every recorded single-work body, keyed by its lower-cased DOI."""
    return {work(name)["DOI"].lower(): body(name) for name in WORK_FILES}


def exchange(name: str) -> tuple[int, dict[str, str], str]:
    """(status, headers, body text) of a recorded exchange file, as Crossref sent them."""
    data = json.loads((FIXTURES / name).read_text("utf-8"))["response"]
    headers = {k: v for k, v in data["headers"].items() if k not in HOP_BY_HOP}
    return data["status"], headers, data["body"]


def replay(name: str, extra_headers: dict[str, str] | None = None) -> Response:
    status, headers, text = exchange(name)
    return Response(text, status=status, headers={**headers, **(extra_headers or {})})


def json_headers() -> dict[str, str]:
    """The real headers of a June 2026 Crossref answer (taken from the recorded 400), so served
    bodies carry the limits Crossref announces today."""
    _, headers, _ = exchange("http400_validation-failure_query-on-doi-route.json")
    return headers


def work_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A `work-list` envelope in the shape of the recorded lists, holding real work bodies.

    No recording of `filter=doi:…` was found (SOURCES.md), so this envelope is built here; the
    items inside are the recorded works, unedited."""
    return {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
            "message": {"facets": {}, "total-results": len(items), "items": items,
                        "items-per-page": len(items),
                        "query": {"start-index": 0, "search-terms": None}}}


def requested_dois(request: Request) -> list[str]:
    """The DOIs of a `filter=doi:A,doi:B` list request, as the server decodes them."""
    text = request.args.get("filter", "")
    return [part[4:] for part in text.split(",") if part.startswith("doi:")]


def single_doi(request: Request) -> str:
    return unquote(request.path.removeprefix("/works/")).removesuffix("/agency")


class CrossrefLike:
    """Answers /works?filter=doi:…, /works/{doi} and /works/{doi}/agency from recorded bodies,
    shuffling list items as Crossref does; unknown DOIs get the recorded plain-text 404."""

    def __init__(self, works: dict[str, dict[str, Any]] | None = None, seed: int = 7) -> None:
        self.works = works_by_doi() if works is None else works
        self.random = random.Random(seed)
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if request.path == "/works":
            items = [self.works[d.lower()]["message"] for d in requested_dois(request)
                     if d.lower() in self.works]
            self.random.shuffle(items)
            return Response(json.dumps(work_list(items)), headers=json_headers())
        doi = single_doi(request).lower()
        if request.path.endswith("/agency") or doi not in self.works:
            return replay("http404_10.1371_notarealdoi.json")
        return Response(json.dumps(self.works[doi]), headers=json_headers())
