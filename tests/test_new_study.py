"""`livingreview new --doi`: a record started from a recorded Crossref work."""

from __future__ import annotations

import time

import pytest
from pytest_httpserver import HTTPServer

from build_tools.cli.main import main
from build_tools.core.errors import NewStudyError
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, read_cached_work, write_cached_work
from build_tools.crossref.client import ClientSettings, CrossrefClient
from build_tools.crossref.new_study import new_study, suggested_id, unique_id
from build_tools.evidence.checks import check_project
from tests.crossref_fixtures import CrossrefLike, work

EXPECTED = """\
# yaml-language-server: $schema=../schema/study.schema.json
# Started by `livingreview new` from the Crossref work retrieved 2026-11-20.
# The citation fields below are a fallback: the site shows the cached Crossref work.
# Fill in the required fields at the end (remove the leading '# ').
id: ray2004
doi: 10.1037/0003-066x.59.1.29
title: How the Mind Hurts and Heals the Body.
authors:
- Ray, Oakley
year: 2004
journal: American Psychologist
volume: '59'
issue: '1'
pages: 29-40
# Required: Perspective (one of: client, therapist, both). Whose perspective the study reports.
# perspective:
# Required: Sources of study records, at least 1.
# sources:
#   - description:  # What the source is and what it supports.
#     url:  # Where the source can be read.
"""


def client_for(server: HTTPServer) -> CrossrefClient:
    return CrossrefClient(ClientSettings(base_url=server.url_for("").rstrip("/"),
                                         mailto="c@example.org"))


def cache(project: Project, doi: str, name: str) -> None:
    write_cached_work(project.cache_dir, CachedWork(doi, "2026-11-20T10:00:00Z", work(name)))


def test_a_record_from_the_cache(project: Project) -> None:
    cache(project, "10.1037/0003-066x.59.1.29", "10.1037_0003-066x.59.1.29.json")
    path = new_study(project, "https://doi.org/10.1037/0003-066X.59.1.29", client=None)
    assert path == project.studies_dir / "ray2004.yaml"
    assert path.read_text("utf-8") == EXPECTED


def test_the_new_record_needs_its_placeholders_filled(project: Project) -> None:
    cache(project, "10.1037/0003-066x.59.1.29", "10.1037_0003-066x.59.1.29.json")
    path = new_study(project, "10.1037/0003-066x.59.1.29", client=None)
    checked = check_project(project)
    validation = checked.validation
    assert validation is not None
    assert [(p.file, p.field) for p in validation.errors] == [
        ("studies/ray2004.yaml", "perspective"), ("studies/ray2004.yaml", "sources")]
    text = path.read_text("utf-8").replace("# perspective:", "perspective: client").replace(
        "# sources:\n#   - description:", "sources:\n  - description: test\n#")
    path.write_text(text, "utf-8")
    checked = check_project(project)
    validation = checked.validation
    assert validation is not None and validation.ok and validation.problems == ()


def test_a_record_from_crossref_is_cached_too(project: Project, httpserver: HTTPServer,
                                              capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    httpserver.expect_request("/works/10.1136/jclinpath-2020-206745").respond_with_handler(
        CrossrefLike())
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_URL", httpserver.url_for("/"))
    assert main(["new", "--doi", "10.1136/jclinpath-2020-206745",
                 "--project", str(project.root)]) == 0
    assert capsys.readouterr().out == (
        "Wrote studies/xu2020.yaml: fill in the fields marked Required, then run "
        "livingreview validate\n")
    text = (project.studies_dir / "xu2020.yaml").read_text("utf-8")
    assert "title: Construction of a reference material panel for detecting KRAS / NRAS" in text
    cached = read_cached_work(project.cache_dir, "10.1136/jclinpath-2020-206745")
    assert cached is not None and cached.work == work("10.1136_jclinpath-2020-206745.json")


def test_ids_are_made_unique(project: Project, write_study) -> None:
    write_study("ray2004")
    cache(project, "10.1037/0003-066x.59.1.29", "10.1037_0003-066x.59.1.29.json")
    assert new_study(project, "10.1037/0003-066x.59.1.29", None).name == "ray2004b.yaml"
    assert unique_id("ray2004", {"ray2004", "ray2004b"}) == "ray2004c"


def test_ids_from_accented_and_missing_first_authors() -> None:
    assert suggested_id(work("10.3389_fgene.2017.00147.json")) == "panek2017"
    assert suggested_id(work("10.7287_peerj.3819v0.1_reviews_2.json")) == "georgescu2017"


def test_refuses_to_overwrite(project: Project) -> None:
    cache(project, "10.1037/0003-066x.59.1.29", "10.1037_0003-066x.59.1.29.json")
    with pytest.raises(NewStudyError) as error:
        new_study(project, "10.1037/0003-066x.59.1.29", None, study_id="aherne-2018")
    assert str(error.value) == ("studies/aherne-2018.yaml already exists; "
                                "choose another id with --id")


def test_refuses_a_doi_already_recorded(project: Project) -> None:
    with pytest.raises(NewStudyError) as error:
        new_study(project, "10.1080/10503307.2017.1359428", None)
    assert str(error.value) == "10.1080/10503307.2017.1359428 is already recorded in " \
                               "studies/aherne-2018.yaml"


def test_an_unknown_doi_is_reported(project: Project, httpserver: HTTPServer, capsys) -> None:
    backend = CrossrefLike()
    httpserver.expect_request("/works/10.1371/notarealdoi").respond_with_handler(backend)
    httpserver.expect_request("/works/10.1371/notarealdoi/agency").respond_with_handler(backend)
    with pytest.raises(NewStudyError) as error:
        new_study(project, "10.1371/notarealdoi", client_for(httpserver))
    assert str(error.value) == "10.1371/notarealdoi was not found in Crossref"
    assert not (project.studies_dir / "study.yaml").exists()


def test_not_a_doi(project: Project) -> None:
    with pytest.raises(NewStudyError) as error:
        new_study(project, "smith 2020", None)
    assert str(error.value) == ("'smith 2020' is not a DOI "
                                "(a DOI looks like 10.1080/10503307.2017.1359428)")


@pytest.mark.hardening
@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1:9", "connection refused (is the address right, and the server up?)"),
    ("https://api.crossref.invalid", "host lookup failed for api.crossref.invalid")])
def test_without_a_network_the_record_is_written_and_the_next_step_named(
        url: str, reason: str, project: Project, capsys,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listens on port 9; `.invalid` names never resolve (RFC 6761)."""
    monkeypatch.setenv("LIVINGREVIEW_CROSSREF_URL", url)
    doi = "10.1037/0003-066x.59.1.29"
    start = time.monotonic()
    code = main(["new", "--doi", doi, "--project", str(project.root)])
    assert time.monotonic() - start < 10
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"error: Crossref could not be reached: {reason}")
    assert line.endswith("; wrote studies/0003-066x-59-1-29.yaml without its citation: fill in "
                         "the citation fields there by hand, or once Crossref can be reached "
                         f"run: livingreview fetch --doi {doi}")
    text = (project.studies_dir / "0003-066x-59-1-29.yaml").read_text("utf-8")
    assert f"doi: {doi}\n# Citation: Title (text).\n# title:\n" in text
    assert "# perspective:" in text
    assert read_cached_work(project.cache_dir, doi) is None
