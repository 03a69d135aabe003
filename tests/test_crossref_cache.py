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
