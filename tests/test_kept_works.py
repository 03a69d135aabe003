"""Crossref works as a build reads them, kept between builds (crossref.kept_works): the same
works as reading the cache, whatever its entries hold and whatever was kept before."""

from __future__ import annotations

import json
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.core.output_cache import OutputCache
from build_tools.crossref import kept_works
from build_tools.crossref.cache import (
    CachedWork,
    cache_path,
    read_cached_works,
    write_cached_work,
)
from build_tools.crossref.kept_works import KIND, read_works_kept
from build_tools.crossref.works import BUILD_FIELDS
from tests import cache_rows
from tests.crossref_fixtures import WORK_FILES, work

RETRIEVED = "2026-06-16T13:35:00Z"
DOIS = ["10.1234/a", "10.1234/b", "10.1234/C"]
SHARED_ROOT = Path(tempfile.mkdtemp(prefix="lr-test-kept-works-"))  # across examples

entry_bytes = st.one_of(
    st.binary(max_size=120),
    st.sampled_from(WORK_FILES).map(
        lambda name: json.dumps({"doi": work(name)["DOI"], "retrieved": RETRIEVED,
                                 "work": work(name)}).encode()),
    st.fixed_dictionaries({"doi": st.text(max_size=5), "retrieved": st.text(max_size=5),
                           "work": st.dictionaries(st.sampled_from(["title", "reference", "x"]),
                                                   st.text(max_size=5), max_size=3)}
                          ).map(lambda value: json.dumps(value).encode()),
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.one_of(st.none(), entry_bytes), min_size=3, max_size=3),
       fields=st.sampled_from([None, BUILD_FIELDS]))
def test_kept_works_are_the_works_read_from_the_cache(
        tmp_path_factory: pytest.TempPathFactory, entries: list[bytes | None],
        fields: frozenset[str] | None) -> None:
    folder = tmp_path_factory.mktemp("crossref")
    for doi, raw in zip(DOIS, entries, strict=True):
        if raw is not None:
            cache_path(folder, doi).write_bytes(raw)
    expected = read_cached_works(folder, DOIS, fields)
    kept = OutputCache(SHARED_ROOT, KIND)
    assert read_works_kept(folder, DOIS, fields, kept) == expected  # cold, or kept by another
    assert read_works_kept(folder, DOIS, fields, kept) == expected  # warm


def test_a_rebuild_reads_only_the_entry_that_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, root = tmp_path / "crossref", tmp_path / "kept"
    for doi in DOIS:
        write_cached_work(folder, CachedWork(doi, RETRIEVED, {"title": [doi]}))
    parsed: list[bytes] = []
    real = kept_works.work_from_bytes

    def counting(raw: bytes, fields: frozenset[str] | None = None) -> CachedWork | None:
        parsed.append(raw)
        return real(raw, fields)

    monkeypatch.setattr(kept_works, "work_from_bytes", counting)
    kept = OutputCache(root, KIND)
    first = read_works_kept(folder, DOIS, BUILD_FIELDS, kept)
    assert len(parsed) == 3
    assert read_works_kept(folder, DOIS, BUILD_FIELDS, kept) == first
    assert len(parsed) == 3  # nothing read again
    write_cached_work(folder, CachedWork(DOIS[1], RETRIEVED, {"title": ["Changed"]}))
    again = read_works_kept(folder, DOIS, BUILD_FIELDS, kept)
    assert len(parsed) == 4
    assert again == read_cached_works(folder, DOIS, BUILD_FIELDS)
    assert again["10.1234/b"].work == {"title": ["Changed"]}


@pytest.mark.parametrize("damage", [b"", b"not zlib", zlib.compress(b"[1, 2]"),
                                    zlib.compress(b'{"doi": 1, "retrieved": "", "work": {}}'),
                                    zlib.compress(b'{"doi": "x"}')])
def test_a_damaged_kept_entry_is_read_again(tmp_path: Path, damage: bytes) -> None:
    folder, root = tmp_path / "crossref", tmp_path / "kept"
    write_cached_work(folder, CachedWork(DOIS[0], RETRIEVED, {"title": ["A title"]}))
    kept = OutputCache(root, KIND)
    expected = read_works_kept(folder, DOIS[:1], BUILD_FIELDS, kept)
    (key,) = cache_rows.rows(root, KIND)
    cache_rows.store_raw(root, KIND, key, damage)
    assert read_works_kept(folder, DOIS[:1], BUILD_FIELDS, kept) == expected
