"""The caches of written BibTeX entries and of parsed study files (core.output_cache): a rebuild
reads them, and the output is the same with no cache, a cold cache, a warm one and a damaged one.
All records here are synthetic or the scenarios' own (tests/scenarios)."""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.core.errors import YamlProblem
from build_tools.core.output_cache import MAX_ENTRY_BYTES, OutputCache, text_key
from build_tools.formats import exports, references
from build_tools.formats.references import cite_studies
from build_tools.pages.generate import generate_site
from build_tools.records import load, yaml_cache
from build_tools.records.load import load_records
from build_tools.records.yaml_cache import parse_yaml_cached
from build_tools.records.yaml_source import MAX_DEPTH, YamlDocument, parse_yaml
from build_tools.site.build import build_site
from tests import cache_rows
from tests.factories import make_project
from tests.refdata import hostile_study, scenario_studies

PATH = "studies/synthetic-one.yaml"
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(autouse=True)
def _fresh_entry_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no BibTeX entry remembered in this process (else a cold build
    would find them there and never reach the cache)."""
    monkeypatch.setattr(exports, "_entry_texts", {})


def entries(root: Path, kind: str) -> list[str]:
    """The keys kept for `kind` (tests/cache_rows.py reads the cache's database)."""
    return sorted(cache_rows.rows(root, kind))


def replace_value(root: Path, kind: str, key: str, data: bytes) -> None:
    cache_rows.store_bytes(root, kind, key, data)


def assert_identical(left: Any, right: Any, where: str = "data") -> None:
    """Equal and of the same type all the way down: 1, 1.0 and True differ, a date is not a
    date-time, NaN equals NaN only with the same bits, mappings keep their order."""
    assert type(left) is type(right), f"{where}: {type(left).__name__} vs {type(right).__name__}"
    if isinstance(left, float):
        assert left.hex() == right.hex() or (math.isnan(left) and math.isnan(right)
                                             and math.copysign(1, left) == math.copysign(1, right)
                                             ), f"{where}: {left!r} vs {right!r}"
    elif isinstance(left, dt.datetime):
        assert (left, left.isoformat(), left.utcoffset()) == (
            right, right.isoformat(), right.utcoffset()), where
    elif isinstance(left, list):
        assert len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_identical(a, b, f"{where}[{index}]")
    elif isinstance(left, dict):
        assert list(left) == list(right), where
        for name in left:
            assert_identical(left[name], right[name], f"{where}.{name}")
    else:
        assert left == right, where


def assert_same_document(left: YamlDocument, right: YamlDocument) -> None:
    assert left.path == right.path
    assert_identical(left.data, right.data)
    assert list(left.lines.items()) == list(right.lines.items())


def outcome(raw: bytes, cache: OutputCache | None) -> YamlDocument | list[str]:
    try:
        return parse_yaml_cached(raw, PATH, cache)
    except YamlProblem as problem:
        return [str(p) for p in problem.problems]


def assert_same_outcome(fresh: YamlDocument | list[str], cached: YamlDocument | list[str]) -> None:
    if isinstance(fresh, YamlDocument):
        assert isinstance(cached, YamlDocument), cached
        assert_same_document(fresh, cached)
    else:
        assert cached == fresh


# -- The whole site ---------------------------------------------------------------------------

def test_the_site_is_byte_identical_with_no_cold_and_warm_caches(tmp_path: Path,
                                                                 monkeypatch) -> None:
    project = make_project(tmp_path / "review")
    cache = tmp_path / "cache"
    # every reference through citeproc-py and its cache (journal articles are otherwise written
    # directly and not kept: formats/apa_articles.py)
    monkeypatch.setattr(references, "article_entry", lambda item: None)
    plain = [(p.path, p.content) for p in generate_site(project).pages]
    monkeypatch.setattr(exports, "_entry_texts", {})
    cold = [(p.path, p.content) for p in generate_site(project, output_cache=cache).pages]
    studies = len(list(project.studies_dir.glob("*.yaml")))
    assert len(entries(cache, "parsed-yaml")) == studies > 0
    assert len(entries(cache, "bibtex")) == studies
    assert len(entries(cache, "references")) == studies
    assert len(entries(cache, "citations")) == studies
    assert entries(cache, "csv")  # parts of the Downloads' tables

    parsed: list[str] = []
    written: list[str] = []
    real_parse, real_write = load.parse_yaml, exports._written_entry
    monkeypatch.setattr(load, "parse_yaml",
                        lambda raw, path: parsed.append(path) or real_parse(raw, path))
    monkeypatch.setattr(exports, "_written_entry",
                        lambda item: written.append(item) or real_write(item))
    monkeypatch.setattr(exports, "_entry_texts", {})
    warm = [(p.path, p.content) for p in generate_site(project, output_cache=cache).pages]
    assert not [path for path in parsed if path.startswith("studies/")]  # all read back
    assert written == []
    assert cold == plain
    assert warm == plain


def test_a_changed_study_is_parsed_again_and_only_it(tmp_path: Path, monkeypatch) -> None:
    project = make_project(tmp_path / "review")
    cache = tmp_path / "cache"
    load_records(project, output_cache=cache)
    changed = sorted(project.studies_dir.glob("*.yaml"))[0]
    changed.write_text(changed.read_text("utf-8") + "# one more line\n", "utf-8")
    parsed: list[str] = []
    real_parse = load.parse_yaml
    monkeypatch.setattr(load, "parse_yaml",
                        lambda raw, path: parsed.append(path) or real_parse(raw, path))
    records = load_records(project, output_cache=cache)
    assert [p for p in parsed if p.startswith("studies/")] == [project.display(changed)]
    plain = load_records(project)
    assert len(records.studies) == len(plain.studies)
    for cached, fresh in zip(records.studies, plain.studies, strict=True):
        assert_same_document(fresh, cached)


def test_build_site_passes_its_cache_to_loading_and_bibtex(tmp_path: Path) -> None:
    project = make_project(tmp_path / "review", "tiny-review")
    cache = tmp_path / "cache"
    build_site(project, output_cache=cache)
    assert entries(cache, "parsed-yaml")
    assert entries(cache, "bibtex")


# -- Parsed YAML ------------------------------------------------------------------------------

FRAGMENTS = [
    "id: synthetic-one", "title: A synthetic study", "year: 2020", "year: 2020.0", "ok: true",
    "ok: True", "none: ~", "none:", "n: 010", "n: 0x1F", "n: 0o17", "n: -0", "f: -0.0",
    "f: .nan", "f: -.inf", "f: .Inf", "f: 1e3", "f: 1.5e-300", "big: 9223372036854775807",
    "big: 9223372036854775808", "d: 2020-02-29", "d: 2021-02-29", "d: !!timestamp 2020-01-02",
    "t: !!timestamp 2001-12-14t21:59:43.10-05:00", "t: !!timestamp 2001-12-14 21:59:43.10",
    "t: !!timestamp 2001-12-14T21:59:43Z", "t: !!timestamp 2001-12-14T21:59:43+05:30",
    "s: !!str 2020-01-02", "f: !!float 1", "i: !!int '7'", "b: !!bool 'false'", "x: !!binary aGk=",
    "$date: 2020-01-02", "$dict: {a: 1}", "$float: '7ff8000000000000'", "list:", "- 1", "- a",
    "  - nested", "  key: value", "map:", "  $x: 1", "  inner: [1, 2.0, true, null, 2020-01-02]",
    '"quoted\\u00e9": "\\t tab"', "a: &anchor 1", "b: *anchor", "---", "  bad: indent", "a: b: c",
    "\tid: tab", "title: 'unclosed", "- item", "? complex", "key: {flow: [a, {b: c}]}",
    "# comment", "", "a: 1", "a: 2", "ünïcode: ✓", "$only: one",
]
yaml_texts = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12).map("\n".join)
scalars = st.one_of(st.text(max_size=12), st.integers(-(2**63) + 1, 2**63 - 1), st.floats(),
                    st.booleans(), st.none(), st.dates())
dumped = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(["$date", "$dict", "$x"])),
                    inner, max_size=4)), max_leaves=16).map(
    lambda value: yaml.safe_dump(value, allow_unicode=True, sort_keys=False))
yaml_bytes = st.one_of(yaml_texts.map(str.encode), dumped.map(str.encode),
                       st.binary(max_size=200), st.text(max_size=60).map(str.encode))


@pytest.mark.hardening
@SETTINGS
@given(raw=yaml_bytes)
def test_parsing_through_the_cache_gives_what_parsing_gives(raw: bytes) -> None:
    fresh = outcome(raw, None)
    with tempfile.TemporaryDirectory() as root:
        cache = OutputCache(Path(root), yaml_cache.KIND)
        cold = outcome(raw, cache)
        stored = entries(Path(root), yaml_cache.KIND)
        warm = outcome(raw, cache)
    assert_same_outcome(fresh, cold)
    assert_same_outcome(fresh, warm)
    if isinstance(fresh, list):
        assert stored == []  # a problem is never kept: it comes out again, located
    else:
        assert len(stored) == 1  # every document the loader accepts can be kept exactly


def test_what_is_kept_is_what_a_warm_parse_returns(tmp_path: Path) -> None:
    """Control: the entry is really read (a test of equal results alone could pass unread)."""
    cache = OutputCache(tmp_path, yaml_cache.KIND)
    raw = b"id: synthetic-one\nwhen: 2020-01-02\n"
    parse_yaml_cached(raw, PATH, cache)
    (key,) = entries(tmp_path, yaml_cache.KIND)
    stored = json.loads(cache_rows.texts(tmp_path, yaml_cache.KIND)[key])
    assert stored == {"data": {"id": "synthetic-one", "when": {"$date": "2020-01-02"}},
                      "lines": [[[], 1], [["id"], 1], [["when"], 2]]}
    stored["data"]["id"] = "changed-in-the-cache"
    replace_value(tmp_path, yaml_cache.KIND, key, json.dumps(stored).encode())
    assert parse_yaml_cached(raw, PATH, cache).data["id"] == "changed-in-the-cache"
    assert parse_yaml_cached(raw, "studies/other.yaml", cache).data["id"] == "synthetic-one"


def test_a_document_nested_as_deep_as_allowed_is_kept(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path, yaml_cache.KIND)
    raw = ("[" * MAX_DEPTH + "2020-01-02" + "]" * MAX_DEPTH).encode()
    fresh = parse_yaml(raw, PATH)
    parse_yaml_cached(raw, PATH, cache)
    assert len(entries(tmp_path, yaml_cache.KIND)) == 1
    assert_same_document(fresh, parse_yaml_cached(raw, PATH, cache))


def test_a_problem_is_located_again_from_a_warm_cache(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path, yaml_cache.KIND)
    raw = b"id: synthetic-one\ntitle: a: b\n"
    first, second = outcome(raw, cache), outcome(raw, cache)
    assert first == second == outcome(raw, None)
    assert isinstance(first, list) and first[0].startswith(f"{PATH}:2: title: ")
    assert entries(tmp_path, yaml_cache.KIND) == []


RAW = b"id: synthetic-one\nyear: 2020\nwhen: 2020-01-02\nscore: .nan\nlist: [1, 2.0, true]\n"
WRONG_SHAPES: list[Any] = [
    None, [], "text", 1, {"data": {}}, {"data": {}, "lines": [], "more": 1},
    {"data": {"id": "x"}, "lines": {}}, {"data": {"id": "x"}, "lines": [[["id"], True]]},
    {"data": {"id": "x"}, "lines": [[["id"], 0]]}, {"data": {"id": "x"}, "lines": [[[1.5], 1]]},
    {"data": {"id": "x"}, "lines": [[["id"], 1, 2]]}, {"data": {"id": "x"}, "lines": [["id", 1]]},
    {"data": {"when": {"$date": 20200102}}, "lines": []},
    {"data": {"when": {"$date": "not a date"}}, "lines": []},
    {"data": {"when": {"$datetime": "2020-13-01T00:00"}}, "lines": []},
    {"data": {"score": {"$float": "3ff0000000000000"}}, "lines": []},  # 1.0: never tagged
    {"data": {"score": {"$float": "zz"}}, "lines": []},
    {"data": {"x": {"$unknown": "1"}}, "lines": []},
    {"data": {"x": {"$dict": [1]}}, "lines": []},
    {"data": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
     "lines": []},
]


@pytest.mark.hardening
@pytest.mark.parametrize("value", WRONG_SHAPES, ids=lambda v: json.dumps(v)[:40])
def test_an_entry_of_the_wrong_shape_is_a_miss(tmp_path: Path, value: Any) -> None:
    cache = OutputCache(tmp_path, yaml_cache.KIND)
    parse_yaml_cached(RAW, PATH, cache)
    (key,) = entries(tmp_path, yaml_cache.KIND)
    replace_value(tmp_path, yaml_cache.KIND, key, json.dumps(value).encode())
    assert_same_document(parse_yaml(RAW, PATH), parse_yaml_cached(RAW, PATH, cache))


@pytest.mark.hardening
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.one_of(
    st.binary(max_size=200),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
                 | st.sampled_from(["$date", "$datetime", "$float", "$dict", "2020-01-02"]),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                     st.sampled_from(["data", "lines", "id", "$date", "$float", "$dict", "x"]),
                     inner, max_size=3), max_leaves=10).map(lambda v: json.dumps(v).encode())))
def test_any_damaged_entry_is_a_miss_or_a_document(tmp_path_factory: pytest.TempPathFactory,
                                                   damage: bytes) -> None:
    root = tmp_path_factory.mktemp("cache")
    cache = OutputCache(root, yaml_cache.KIND)
    parse_yaml_cached(RAW, PATH, cache)
    (key,) = entries(root, yaml_cache.KIND)
    replace_value(root, yaml_cache.KIND, key, damage)
    document = parse_yaml_cached(RAW, PATH, cache)  # never a traceback
    try:
        value = json.loads(damage)
    except ValueError:
        value = None
    if not (isinstance(value, dict) and set(value) == {"data", "lines"}):
        assert_same_document(parse_yaml(RAW, PATH), document)


@pytest.mark.hardening
def test_an_oversized_entry_is_a_miss(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path, yaml_cache.KIND)
    parse_yaml_cached(RAW, PATH, cache)
    (key,) = entries(tmp_path, yaml_cache.KIND)
    replace_value(tmp_path, yaml_cache.KIND, key,
                  json.dumps({"data": {"id": "x" * MAX_ENTRY_BYTES}, "lines": []}).encode())
    assert_same_document(parse_yaml(RAW, PATH), parse_yaml_cached(RAW, PATH, cache))


def test_a_cache_that_cannot_be_written_is_not_used(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", "utf-8")
    cache = OutputCache(blocked, yaml_cache.KIND)
    assert_same_document(parse_yaml(RAW, PATH), parse_yaml_cached(RAW, PATH, cache))


# -- BibTeX -----------------------------------------------------------------------------------

def bib_items() -> list[dict[str, Any]]:
    return exports.csl_items([*scenario_studies(), hostile_study()])


def texts_of(items: list[dict[str, Any]]) -> list[str]:
    return [exports.bibtex_text([item]) for item in items]


def test_cached_bibtex_entries_equal_fresh_ones(tmp_path: Path, monkeypatch) -> None:
    items = bib_items()
    fresh = texts_of(items)
    cache = OutputCache(tmp_path, "bibtex")
    monkeypatch.setattr(exports, "_entry_texts", {})
    exports.prepare_bibtex_entries(items, cache)  # cold: writes and keeps
    assert len(entries(tmp_path, "bibtex")) == len(items)
    assert texts_of(items) == fresh

    written: list[str] = []
    real_write = exports._written_entry
    monkeypatch.setattr(exports, "_written_entry",
                        lambda item: written.append(item) or real_write(item))
    monkeypatch.setattr(exports, "_entry_texts", {})
    exports.prepare_bibtex_entries(items, cache)  # warm: reads
    assert texts_of(items) == fresh
    assert written == []
    assert exports.bibtex_text(items) == "\n".join(fresh)


def test_cite_studies_says_the_same_with_and_without_the_bibtex_cache(tmp_path: Path,
                                                                        monkeypatch) -> None:
    studies = [*scenario_studies(), hostile_study()]
    plain = {k: (v.bibtex, v.ris, v.apa.text) for k, v in cite_studies(studies).items()}
    for _ in ("cold", "warm"):
        monkeypatch.setattr(exports, "_entry_texts", {})
        cited = cite_studies(studies, None, OutputCache(tmp_path, "bibtex"))
        assert {k: (v.bibtex, v.ris, v.apa.text) for k, v in cited.items()} == plain
    assert entries(tmp_path, "bibtex")


def test_a_kept_bibtex_entry_is_what_a_warm_build_shows(tmp_path: Path, monkeypatch) -> None:
    """Control: the cache is really read."""
    items = bib_items()
    cache = OutputCache(tmp_path, "bibtex")
    exports.prepare_bibtex_entries(items, cache)
    for key in entries(tmp_path, "bibtex"):
        replace_value(tmp_path, "bibtex", key, json.dumps({"entry": "@misc{changed}\n"}).encode())
    monkeypatch.setattr(exports, "_entry_texts", {})
    exports.prepare_bibtex_entries(items, cache)
    assert set(texts_of(items)) == {"@misc{changed}\n"}


@pytest.mark.hardening
@pytest.mark.parametrize("damage", [b"", b"{", b"null", b"[]", b'{"entry": 1}', b'{"text": "x"}',
                                    b'{"entry": ["@misc{x}"]}', b"\xff\xfe"])
def test_a_damaged_bibtex_entry_is_a_miss(tmp_path: Path, monkeypatch, damage: bytes) -> None:
    items = bib_items()
    fresh = texts_of(items)
    cache = OutputCache(tmp_path, "bibtex")
    monkeypatch.setattr(exports, "_entry_texts", {})
    exports.prepare_bibtex_entries(items, cache)
    for number, key in enumerate(entries(tmp_path, "bibtex")):
        if number % 2:
            replace_value(tmp_path, "bibtex", key, damage)
        else:
            cache_rows.store_raw(tmp_path, "bibtex", key, damage)  # not even compressed
    monkeypatch.setattr(exports, "_entry_texts", {})
    exports.prepare_bibtex_entries(items, cache)
    assert texts_of(items) == fresh


@pytest.mark.hardening
def test_an_oversized_bibtex_entry_is_a_miss(tmp_path: Path, monkeypatch) -> None:
    items = bib_items()
    fresh = texts_of(items)
    cache = OutputCache(tmp_path / "cache", "bibtex")
    monkeypatch.setattr(exports, "_entry_texts", {})
    exports.prepare_bibtex_entries(items, cache)
    for key in entries(tmp_path / "cache", "bibtex"):
        replace_value(tmp_path / "cache", "bibtex", key,
                      json.dumps({"entry": "x" * MAX_ENTRY_BYTES}).encode())
    monkeypatch.setattr(exports, "_entry_texts", {})
    exports.prepare_bibtex_entries(items, cache)
    assert texts_of(items) == fresh


# -- Keys of text parts -------------------------------------------------------------------------

_TEXTS = st.lists(st.text(), max_size=4)


@settings(max_examples=300)
@given(first=_TEXTS, second=_TEXTS)
def test_text_keys_are_equal_exactly_when_the_parts_are(first: list[str],
                                                        second: list[str]) -> None:
    """No two sequences of parts share a key (a part's end is never taken for the next one's
    start), and a lone surrogate does not stop a key from being made."""
    assert (text_key(*first) == text_key(*second)) == (first == second)


def test_text_keys_tell_apart_parts_joined_differently() -> None:
    assert len({text_key("ab", "c"), text_key("a", "bc"), text_key("abc"), text_key("abc", ""),
                text_key("\ud800"), text_key("\udc00")}) == 6
