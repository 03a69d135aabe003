"""The Crossref cache: a bounded file name for any DOI; damaged entries count as missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_tools.crossref.cache import (
    MAX_NAME,
    CachedWork,
    cache_path,
    read_cached_work,
    write_cached_work,
)

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
