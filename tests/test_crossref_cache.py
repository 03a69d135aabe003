"""The Crossref cache: a bounded file name for any DOI; damaged entries count as missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.crossref.cache import (
    MAX_NAME,
    CachedWork,
    cache_path,
    read_cached_work,
    write_cached_work,
)
from build_tools.crossref.works import BUILD_FIELDS, Citation, citation_from_work, work_years
from tests.crossref_fixtures import WORK_FILES, work

RETRIEVED = "2026-06-16T13:35:00Z"


def test_cache_path_keeps_the_readable_names_of_existing_entries(tmp_path: Path) -> None:
    assert cache_path(tmp_path, "10.1037/0003-066X.59.1.29").name == (
        "10.1037%2F0003-066x.59.1.29.json")
    assert cache_path(tmp_path, "https://doi.org/10.1234/A<B>;C").name == (
        "10.1234%2Fa%3Cb%3E%3Bc.json")


@pytest.mark.hardening
@pytest.mark.parametrize("tail", ["a" * 300, "\u00e9" * 300, "a%" * 200])
def test_a_very_long_doi_gets_a_bounded_unique_name_and_round_trips(
    tail: str, tmp_path: Path
) -> None:
    doi = "10.1234/" + tail
    path = cache_path(tmp_path, doi)
    assert len(path.name.encode()) <= MAX_NAME + len(".json")
    assert path.name.startswith("10.1234%2F")
    assert path != cache_path(tmp_path, doi + "b")
    write_cached_work(tmp_path, CachedWork(doi, RETRIEVED, {"title": ["A synthetic work"]}))
    assert read_cached_work(tmp_path, doi) == CachedWork(doi, RETRIEVED,
                                                         {"title": ["A synthetic work"]})


@pytest.mark.hardening
@pytest.mark.parametrize("content", [
    b'{"doi": "10.1234/x", "retrieved": "r", "work": {"title": ' + b"[" * 2000 + b"]" * 2000
    + b"}}",
    b'{"doi": "10.1234/x", "retrieved": "r", "work": {"title": ' + b"[" * 100 + b"]" * 100
    + b"}}",
    b"\xff\xfe{",
    b'{"doi": "10.1234/x", "retrieved": "r", "work": {"volume": ' + b"9" * 5000 + b"}}",
])
def test_a_too_deep_or_unreadable_entry_counts_as_missing(content: bytes, tmp_path: Path) -> None:
    cache_path(tmp_path, "10.1234/x").write_bytes(content)
    assert read_cached_work(tmp_path, "10.1234/x") is None


@pytest.mark.hardening
def test_crossref_text_is_neutralised_when_read_and_kept_as_received_on_disk(
    tmp_path: Path
) -> None:
    work = {"title": ["a\x00b\u202ec\ud800d"], "x\x1b": 1}
    path = write_cached_work(tmp_path, CachedWork("10.1234/x", RETRIEVED, work))
    assert json.loads(path.read_text("utf-8"))["work"] == work
    assert read_cached_work(tmp_path, "10.1234/x") == CachedWork(
        "10.1234/x", RETRIEVED, {"title": ["abc\ufffdd"], "x": 1})


@pytest.mark.hardening
def test_a_cache_entry_that_is_a_link_is_never_read_through(tmp_path: Path) -> None:
    """`fetch` and `new` read the cache without validating the folder first: a link planted in a
    pull request must not make them read (and then rewrite into the cache) a file elsewhere."""
    outside = tmp_path / "outside.json"
    entry = CachedWork("10.1234/linked", RETRIEVED, {"title": ["A synthetic work"]})
    outside.write_text(json.dumps(entry.to_dict()), "utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    cache_path(cache, entry.doi).symlink_to(outside)
    assert read_cached_work(cache, entry.doi) is None
    cache_path(cache, entry.doi).unlink()
    write_cached_work(cache, entry)  # control: the same entry as a regular file is read
    assert read_cached_work(cache, entry.doi) == entry


@pytest.mark.hardening
def test_an_oversized_cache_entry_counts_as_missing(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    entry = CachedWork("10.1234/big", RETRIEVED, {"title": ["x" * 200]})
    write_cached_work(tmp_path, entry)
    assert read_cached_work(tmp_path, entry.doi) == entry
    monkeypatch.setattr("build_tools.crossref.cache.MAX_ENTRY_BYTES", 100)
    assert read_cached_work(tmp_path, entry.doi) is None


# --- a build reads only the fields it uses (works.BUILD_FIELDS) --------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=12)
odd_names = ["reference", "abstract", "title\u200b", "ti\u0000tle", "Title", "author "]
field_names = (st.sampled_from(sorted(BUILD_FIELDS)) | st.sampled_from(odd_names)
               | st.text(max_size=8))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(field_names, json_values, max_size=8))
def test_a_work_read_with_build_fields_is_the_whole_work_with_only_those(
        tmp_path: Path, work_fields: dict[str, Any]) -> None:
    entry = CachedWork("10.1234/x", RETRIEVED, work_fields)
    write_cached_work(tmp_path, entry)
    whole = read_cached_work(tmp_path, entry.doi)
    assert whole is not None
    assert read_cached_work(tmp_path, entry.doi, BUILD_FIELDS) == CachedWork(
        whole.doi, whole.retrieved,
        {name: value for name, value in whole.work.items() if name in BUILD_FIELDS})


@pytest.mark.parametrize("fixture", WORK_FILES)
def test_a_citation_from_build_fields_is_the_citation_from_the_whole_work(
        tmp_path: Path, fixture: str) -> None:
    """Real Crossref answers: nothing citation_from_work reads is outside BUILD_FIELDS."""
    message = work(fixture)
    write_cached_work(tmp_path, CachedWork(message["DOI"], RETRIEVED, message))
    record = Citation(title="Record title", authors=(), first_author=None, year=2000,
                      journal=None, volume=None, issue=None, pages=None, doi=message["DOI"],
                      origin="record")
    whole = read_cached_work(tmp_path, message["DOI"])
    kept = read_cached_work(tmp_path, message["DOI"], BUILD_FIELDS)
    assert whole is not None and kept is not None
    assert citation_from_work(kept, record) == citation_from_work(whole, record)
    assert work_years(kept.work) == work_years(whole.work)
