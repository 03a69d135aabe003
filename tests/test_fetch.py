"""`fetch` end to end: records → batched requests to a local Crossref-shaped server → cache."""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from build_tools.cli.main import main
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, read_cached_work, write_cached_work
from build_tools.crossref.client import ClientSettings, CrossrefClient
from build_tools.crossref.fetch import FetchSummary, fetch_works, make_progress, study_dois
from tests.crossref_fixtures import CrossrefLike, replay, work
from tests.hardening.test_crossref_limits import drip_body, misbehaving
from tests.signals import interruptible

KNOWN = ["10.1037/0003-066X.59.1.29", "10.1038/srep16696", "10.1136/jclinpath-2020-206745",
         "10.1371/journal.pone.0033693"]
UNKNOWN = "10.1371/notarealdoi"


def client_for(server: HTTPServer, **overrides: float) -> CrossrefClient:
    settings = ClientSettings(base_url=server.url_for("").rstrip("/"), mailto="c@example.org",
                              backoff_base=0.001, **overrides)
    return CrossrefClient(settings, sleep=lambda _: None)


def serve(server: HTTPServer, backend: CrossrefLike) -> None:
    server.expect_request("/works").respond_with_handler(backend)
    server.expect_request(f"/works/{UNKNOWN}").respond_with_handler(backend)
    server.expect_request(f"/works/{UNKNOWN}/agency").respond_with_handler(backend)


def test_fetch_batches_then_checks_the_missing_doi_once(httpserver: HTTPServer,
                                                        tmp_path: Path) -> None:
    backend = CrossrefLike()
    serve(httpserver, backend)
    summary = fetch_works(tmp_path, [*KNOWN, UNKNOWN], client_for(httpserver),
                          clock=lambda: "2026-11-20T10:00:00Z")
    assert [r.path for r in backend.requests] == [
        "/works", f"/works/{UNKNOWN}", f"/works/{UNKNOWN}/agency"]
    assert summary.lines() == [
        "4 fetched, 0 already cached, 1 not found, 0 failed (3 requests)",
        "not found in Crossref: 10.1371/notarealdoi (no registration agency known)",
    ]
    cached = read_cached_work(tmp_path, "10.1037/0003-066X.59.1.29")
    assert cached is not None
    assert cached.work == work("10.1037_0003-066x.59.1.29.json")  # exactly as received
    assert cached.retrieved == "2026-11-20T10:00:00Z"


def test_a_second_run_asks_only_for_what_is_missing(httpserver: HTTPServer,
                                                     tmp_path: Path) -> None:
    backend = CrossrefLike()
    serve(httpserver, backend)
    fetch_works(tmp_path, KNOWN[:2], client_for(httpserver))
    summary = fetch_works(tmp_path, KNOWN, client_for(httpserver))
    assert (summary.fetched, summary.cached) == (sorted(k.lower() for k in KNOWN[2:]),
                                                 [k.lower() for k in KNOWN[:2]])
    assert [len(r.args["filter"].split(",")) for r in backend.requests] == [2, 2]
    refreshed = fetch_works(tmp_path, KNOWN, client_for(httpserver), refresh=True)
    assert len(refreshed.fetched) == 4 and refreshed.cached == []


def test_a_failed_batch_falls_back_to_single_lookups(httpserver: HTTPServer,
                                                     tmp_path: Path) -> None:
    backend = CrossrefLike()
    httpserver.expect_request("/works").respond_with_response(
        replay("http400_validation-failure_query-on-doi-route.json"))
    for doi in KNOWN[:2]:
        httpserver.expect_request(f"/works/{doi.lower()}").respond_with_handler(backend)
    summary = fetch_works(tmp_path, KNOWN[:2], client_for(httpserver))
    assert summary.fetched == [k.lower() for k in KNOWN[:2]]
    assert summary.ok


def test_fetch_stops_the_run_at_ten_percent_failures(httpserver: HTTPServer,
                                                     tmp_path: Path) -> None:
    httpserver.expect_request("/works").respond_with_response(
        replay("http500_exception_works-cursor.json"))
    dois = [f"10.5555/synthetic-{n}" for n in range(80)]  # made-up DOIs; the server always fails
    client = client_for(httpserver, max_tries=2, max_url_bytes=200)
    summary = fetch_works(tmp_path, dois, client)
    assert summary.stopped is not None and summary.stopped.startswith("stopped: 20 of 20 requests")
    assert len(summary.failed) == 80 and summary.fetched == []
    assert 20 <= len(httpserver.log) <= 22  # 20, and at most 2 already in flight (3 at once)
    assert not summary.ok
    assert list(tmp_path.iterdir()) == []


def test_plain_progress_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    update, close = make_progress(4, stream)
    for _ in range(4):
        update(1)
    close()
    assert stream.getvalue().splitlines() == [
        "fetch: 1 of 4 DOIs done", "fetch: 2 of 4 DOIs done", "fetch: 3 of 4 DOIs done",
        "fetch: 4 of 4 DOIs done"]


def test_summary_names_the_agency_and_failures() -> None:
    summary = FetchSummary(not_found=[("10.5061/x", "DataCite")], failed=[("10.1/y", "HTTP 400")])
    assert summary.lines()[1:] == ["not found in Crossref: 10.5061/x (registered with DataCite)",
                                   "failed: 10.1/y: Crossref: HTTP 400; check the DOI in its "
                                   "study record, then: livingreview fetch --doi 10.1/y"]


def test_study_dois_are_read_from_the_records(project: Project, write_study) -> None:
    write_study("xu2020", doi="https://doi.org/10.1136/JCLINPATH-2020-206745")
    assert "10.1136/jclinpath-2020-206745" in study_dois(project)


@pytest.fixture
def fetched_project(project: Project, write_study, httpserver: HTTPServer,
                    monkeypatch: pytest.MonkeyPatch, capsys) -> Project:
    """The shipped project plus studies with recorded DOIs, fetched through the command line."""
    for path in project.studies_dir.iterdir():
        path.unlink()  # the shipped DOIs have no recorded response: start from a clean slate
    write_study("xu2020", doi=KNOWN[2], title="A different title", year=2019)
    write_study("sadasivan2012", doi=KNOWN[3], title=None)
    write_study("missing2020", doi=UNKNOWN)
    backend = CrossrefLike()
    serve(httpserver, backend)
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_URL", httpserver.url_for("/"))
    monkeypatch.setenv("LIVINGREVIEW_MAILTO", "curator@example.org")
    assert main(["fetch", "--project", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2 fetched, 0 already cached, 1 not found, 0 failed (3 requests)"
    assert backend.requests[0].args["mailto"] == "curator@example.org"
    return project


def test_fetch_then_build_offline(fetched_project: Project, httpserver: HTTPServer,
                                  monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    httpserver.clear()
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_URL", "http://127.0.0.1:9")  # nothing listens
    assert main(["build", "--project", str(fetched_project.root)]) == 0
    assert httpserver.log == []  # the build asked nobody
    site = fetched_project.site_dir
    xu = (site / "studies" / "xu2020" / "index.html").read_text("utf-8")
    assert "<i>KRAS</i>" in xu and "Citation from Crossref, retrieved" in xu
    sadasivan = (site / "studies" / "sadasivan2012" / "index.html").read_text("utf-8")
    assert "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda" in sadasivan
    missing = (site / "studies" / "missing2020" / "index.html").read_text("utf-8")
    assert "the record; not yet checked against Crossref" in missing
    home = (site / "index.html").read_text("utf-8")
    assert "Retractions and corrections" in home


def test_validate_warns_when_the_record_disagrees_with_crossref(fetched_project: Project,
                                                                capsys) -> None:
    assert main(["validate", "--project", str(fetched_project.root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        'warning: studies/xu2020.yaml:2: title: differs from the Crossref work cached for '
        '10.1136/jclinpath-2020-206745: "Construction of a reference material panel for '
        'detecting KRAS / NRAS / EGFR / BRAF / MET mutations in plasma ctDNA" (the site shows '
        "Crossref's title; correct the record or the DOI)",
        "warning: studies/xu2020.yaml:7: year: 2019 differs from the Crossref work cached for "
        "10.1136/jclinpath-2020-206745: 2020, 2021 (the site shows Crossref's year; correct the "
        "record or the DOI)",
    ]


def test_the_cache_holds_json_per_doi(fetched_project: Project) -> None:
    names = sorted(p.name for p in fetched_project.cache_dir.glob("*.json"))
    assert names == ["10.1136%2Fjclinpath-2020-206745.json",
                     "10.1371%2Fjournal.pone.0033693.json"]
    data = json.loads((fetched_project.cache_dir / names[0]).read_text("utf-8"))
    assert set(data) == {"doi", "retrieved", "work"}


# --- hardening: a run that is stopped leaves the cache whole ---------------------------------

@pytest.mark.hardening
def test_a_full_disk_stops_the_run_in_one_line_and_keeps_the_cache(
        httpserver: HTTPServer, tmp_path: Path) -> None:
    """Writes past RLIMIT_FSIZE fail as a full disk does (EFBIG instead of ENOSPC)."""
    backend = CrossrefLike()
    serve(httpserver, backend)
    fetch_works(tmp_path, KNOWN[:1], client_for(httpserver))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, hard))
    try:
        summary = fetch_works(tmp_path, KNOWN, client_for(httpserver))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    assert summary.stopped == (
        f"stopped: could not write the Crossref cache in {tmp_path} (File too large); the works "
        "cached before are intact: free some space (or fix the folder's permissions), then run "
        "fetch again")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no half file
    assert summary.failed == [(doi.lower(), "not fetched: the run was stopped")
                              for doi in sorted(KNOWN[1:], key=str.lower)]


INTERRUPTED = {
    "fetch": (["fetch", "--refresh"], "fetch interrupted: the works fetched so far are cached; "
                                      "run livingreview fetch again to continue\n"),
    "new": (["new", "--doi", "10.5555/synthetic-interrupt-new"],
            "new interrupted: no study record was written\n"),
}


@pytest.mark.hardening
@pytest.mark.parametrize("command", list(INTERRUPTED))
def test_ctrl_c_stops_within_a_second_in_one_line(command: str, project: Project,
                                                  write_study) -> None:
    """A real SIGINT to a real `livingreview fetch` (or `new`) whose server drips for ever."""
    for path in project.studies_dir.iterdir():
        path.unlink()
    for n in range(3):
        write_study(f"synthetic{n}", doi=f"10.5555/synthetic-interrupt-{n}")
    cached = CachedWork(KNOWN[1].lower(), "2026-11-20T10:00:00Z", work("10.1038_srep16696.json"))
    write_study("srep", doi=KNOWN[1])
    write_cached_work(project.cache_dir, cached)
    before = {p.name: p.read_bytes() for folder in (project.cache_dir, project.studies_dir)
              for p in folder.iterdir()}
    arguments, message = INTERRUPTED[command]
    with misbehaving(drip_body) as server:
        env = {**os.environ, "LIVINGREVIEW_CROSSREF_URL": server.url,
               "LIVINGREVIEW_CROSSREF_TIMEOUT": "60"}
        process = subprocess.Popen(
            [sys.executable, "-m", "build_tools", *arguments, "--project", str(project.root)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=interruptible)
        deadline = time.monotonic() + 30
        while not server.paths and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.paths, f"{command} never asked the server"
        time.sleep(0.2)
        start = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        took = time.monotonic() - start
    assert took < 1.0
    assert process.returncode == 130
    assert (out, err) == ("", message)
    assert {p.name: p.read_bytes() for folder in (project.cache_dir, project.studies_dir)
            for p in folder.iterdir()} == before
