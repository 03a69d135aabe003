"""The reference cache (core.output_cache): rebuilds reuse formatted references, and the output
is byte for byte the same with no cache, a cold cache, a warm one and a damaged one.

The cache keeps what citeproc-py formats; journal articles written directly
(formats/apa_articles.py, tests/test_apa_articles.py) never reach it, so here every item goes
to citeproc-py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.core.output_cache import DATABASE_NAME, OutputCache, close_all
from build_tools.formats import references
from build_tools.formats.references import apa_references
from build_tools.pages.generate import generate_site
from tests import cache_rows
from tests.factories import make_project
from tests.refdata import hostile_study, scenario_studies, study_from

# Ties and near-ties the style's sort must break the same way from cached keys: same author and
# year, no year, no author, numbers in titles, case differences.
TRICKY = [
    study_from({"id": "s-b", "title": "Beta", "authors": ["Smith, Ann"], "year": 2019}),
    study_from({"id": "s-a", "title": "alpha", "authors": ["Smith, Ann"], "year": 2019}),
    study_from({"id": "s-c", "title": "10 things", "authors": ["smith, ann"], "year": 2019}),
    study_from({"id": "s-d", "title": "9 things", "authors": ["Smith, Ann"]}),
    study_from({"id": "s-e", "title": "No author at all", "year": 2001}),
    study_from({"id": "s-f", "title": "Zeta", "authors": ["Ångström, Bo", "Smith, Ann"],
                "year": 2020}),
]


@pytest.fixture(autouse=True)
def every_item_to_citeproc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(references, "article_entry", lambda item: None)


def studies() -> list:  # type: ignore[type-arg]
    return [*scenario_studies(), hostile_study(), *TRICKY]


def texts(references: list) -> list[tuple[str, str, str]]:  # type: ignore[type-arg]
    return [(r.study_id, r.text, str(r.markup)) for r in references]


def entry_keys(cache: OutputCache) -> list[str]:
    return sorted(cache_rows.rows(cache.root, cache.kind))


def test_no_cache_cold_cache_and_warm_cache_give_the_same_references(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path, "references")
    fresh = texts(apa_references(studies()))
    assert texts(apa_references(studies(), cache)) == fresh  # cold: formats and stores
    assert len(entry_keys(cache)) == len(studies())
    assert texts(apa_references(studies(), cache)) == fresh  # warm: reads
    assert texts(apa_references(list(reversed(studies())), cache)) == fresh  # order from keys


def test_a_stored_entry_is_what_a_warm_build_shows(tmp_path: Path) -> None:
    """Control: the cache is really read (a test of byte identity alone could pass unread)."""
    cache = OutputCache(tmp_path, "references")
    apa_references(studies(), cache)
    for key, text in cache_rows.texts(cache.root, cache.kind).items():
        value = json.loads(text)
        value["entry"] = "Changed in the cache."
        cache_rows.store_bytes(cache.root, cache.kind, key, json.dumps(value).encode())
    assert {r.text for r in apa_references(studies(), cache)} == {"Changed in the cache."}


def test_a_changed_study_is_formatted_again_and_only_it(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path, "references")
    apa_references(studies(), cache)
    before = set(entry_keys(cache))
    changed = [*studies()[:-1], study_from({"id": "s-f", "title": "Zeta, revised",
                                            "authors": ["Ångström, Bo"], "year": 2020})]
    references = apa_references(changed, cache)
    assert len(set(entry_keys(cache)) - before) == 1
    assert texts(references) == texts(apa_references(changed))


@pytest.mark.hardening
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.one_of(st.binary(max_size=200),
                        st.builds(lambda v: json.dumps(v).encode(), st.recursive(
                            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                            lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(st.sampled_from(["entry", "sort_keys", "x"]),
                                              inner, max_size=3),
                            max_leaves=8)),
                        st.builds(lambda e, k: json.dumps({"entry": e, "sort_keys": k}).encode(),
                                  st.text(max_size=30),
                                  st.lists(st.none() | st.integers() | st.text(max_size=5)
                                           | st.booleans() | st.floats(), max_size=6))))
def test_any_damaged_entry_counts_as_missing(tmp_path_factory: pytest.TempPathFactory,
                                             damage: bytes) -> None:
    root = tmp_path_factory.mktemp("cache")
    cache = OutputCache(root, "references")
    expected = texts(apa_references(TRICKY))
    apa_references(TRICKY, cache)
    for number, key in enumerate(entry_keys(cache)):
        if number % 2:
            cache_rows.store_bytes(root, cache.kind, key, damage)  # damaged text
        else:
            cache_rows.store_raw(root, cache.kind, key, damage)  # damaged storage
    try:
        value = json.loads(damage)
    except ValueError:
        value = None
    shaped = (isinstance(value, dict) and isinstance(value.get("entry"), str)
              and isinstance(value.get("sort_keys"), list))
    result = texts(apa_references(TRICKY, cache))  # never a traceback
    if not shaped:
        assert result == expected
    assert len(result) == len(expected)


@pytest.mark.hardening
def test_a_database_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    """The cache database swapped for a link to planted entries: the cache is not used."""
    planted = OutputCache(tmp_path / "planted", "references")
    apa_references(TRICKY, planted)
    for key, text in cache_rows.texts(planted.root, "references").items():
        cache_rows.store_bytes(planted.root, "references", key, json.dumps(
            {**json.loads(text), "entry": "Planted."}).encode())
    assert {r.text for r in apa_references(TRICKY, planted)} == {"Planted."}  # control
    cache = OutputCache(tmp_path / "cache", "references")
    cache.root.mkdir()
    (cache.root / DATABASE_NAME).symlink_to(planted.root / DATABASE_NAME)
    close_all()
    assert texts(apa_references(TRICKY, cache)) == texts(apa_references(TRICKY))


def test_the_generated_site_is_byte_identical_with_and_without_the_cache(tmp_path: Path) -> None:
    project = make_project(tmp_path / "review")
    cache = tmp_path / "cache"
    plain = generate_site(project).pages
    cold = generate_site(project, output_cache=cache).pages
    warm = generate_site(project, output_cache=cache).pages
    assert cache_rows.rows(cache, "references")
    assert [(p.path, p.content) for p in cold] == [(p.path, p.content) for p in plain]
    assert [(p.path, p.content) for p in warm] == [(p.path, p.content) for p in plain]


# Entries as a build leaves them: (key, tag, text, written to disk or still pending, damaged).
ENTRIES = st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from(["", "t1", "t2"]),
                             st.text(max_size=20), st.booleans(), st.booleans()), max_size=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=ENTRIES, wanted=st.dictionaries(st.sampled_from("abcdefghij"),
                                               st.sampled_from(["", "t1", "t2"])))
def test_reading_many_entries_at_once_is_reading_each(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        entries: list[tuple[str, str, str, bool, bool]], wanted: dict[str, str]) -> None:
    """`get_texts` (one query for many keys, in batches) answers what `get_text` answers key
    by key: written and pending entries, other tags, damaged values."""
    from build_tools.core import output_cache
    monkeypatch.setattr(output_cache, "READ_BATCH", 3)  # several batches in one call
    root = tmp_path_factory.mktemp("cache")
    cache = OutputCache(root, "kind")
    cache.put_text("z", "", "the database made", 1000)
    close_all()
    for key, tag, text, written, damaged in entries:
        if damaged:
            cache_rows.store_raw(root, "kind", key, b"not compressed", tag)
        else:
            cache.put_text(key, tag, text, 1000)
            if written:
                close_all()
    one_by_one = {key: cache.get_text(key, tag, 1000) for key, tag in wanted.items()}
    assert cache.get_texts(wanted, 1000) == {
        key: text for key, text in one_by_one.items() if text is not None}
    close_all()
