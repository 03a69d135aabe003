"""Frictionless's verdict kept between builds (records.frictionless_kept) never changes a report.

Differential: generated tables, with values of the right and the wrong kinds, duplicates,
blanks and dangling references, are checked by Frictionless on every row and through the cache;
the problems must be the same, however the cache was filled by earlier examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from build_tools.core.output_cache import OutputCache
from build_tools.records import frictionless_kept
from build_tools.records.frictionless_kept import KIND, run_frictionless_kept
from build_tools.records.frictionless_run import run_frictionless
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row
from build_tools.records.yaml_source import YamlDocument

DESCRIPTOR: dict[str, Any] = {"resources": [
    {"name": "items", "schema": {
        "fields": [
            {"name": "id", "type": "string",
             "constraints": {"required": True, "unique": True, "pattern": "^[a-z]+$"}},
            {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "group", "type": "string"},
        ],
        "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["group"], "reference": {"resource": "", "fields": ["id"]}}],
    }},
    {"name": "links", "x-rows": {"path": ["links"]}, "schema": {
        "fields": [
            {"name": "item", "type": "string", "constraints": {"required": True}},
            {"name": "other", "type": "integer"},
        ],
        "primaryKey": ["item", "other"],
        "foreignKeys": [{"fields": "item", "reference": {"resource": "items", "fields": "id"}}],
    }},
]}
SCHEMA = PackageSchema.from_document(YamlDocument("schema/datapackage.yaml", DESCRIPTOR))



def mostly(good: list[Any], bad: list[Any]) -> st.SearchStrategy[Any]:
    """Good values nine times in ten: a clean table is where the cache answers alone, so the
    examples must often be clean but for one odd value."""
    return st.sampled_from(good * max(1, 9 * len(bad) // len(good)) + bad)


ids = mostly(["a", "b", "c", "d", "e", "f"], ["A", "", 1, None])
counts = mostly([0, 1, 2, 3], [-1, None, "2", 1.5, True, "x"])
items = st.fixed_dictionaries({"id": ids, "n": counts,
                               "group": mostly([None, "a", "b"], ["zz", 2])})
links = st.fixed_dictionaries({"item": mostly(["a", "b", "c"], ["zz", None, 1]),
                               "other": mostly([1, 2], ["1", "2", 1.0, True, None])})
files = st.lists(st.tuples(items, st.lists(links, max_size=2)), max_size=6)


def tables_of(generated: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> dict[str, list[Row]]:
    """The rows of each table, each file a document of its own."""
    tables: dict[str, list[Row]] = {"items": [], "links": []}
    for number, (item, item_links) in enumerate(generated):
        document = YamlDocument(f"studies/s{number}.yaml", {**item, "links": item_links})
        tables["items"].append(Row(item, document, ()))
        tables["links"] += [Row(link, document, ("links", index))
                            for index, link in enumerate(item_links)]
    return tables


@pytest.fixture(scope="module")
def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for every example: entries kept by one example meet the tables of the next
    (under pytest's own temporary folder, which it removes)."""
    return tmp_path_factory.mktemp("frictionless-kept")


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files)
# Cases a clean table hides well: equal only once Frictionless casts, or blank in part.
@example([({"id": "a", "n": 1, "group": None}, [{"item": "a", "other": 1},
                                                 {"item": "a", "other": "1"}])])
@example([({"id": "a", "n": 1, "group": None}, [{"item": "a", "other": 1}]),
          ({"id": "a", "n": 2, "group": "a"}, [])])
@example([({"id": "a", "n": 1, "group": None}, [{"item": None, "other": 1}])])
@example([({"id": "a", "n": 1, "group": "b"}, [{"item": "a", "other": 2}])])
@example([({"id": "a", "n": 1, "group": None}, [{"item": "a", "other": True}])])
def test_the_cache_never_changes_what_frictionless_reports(
        shared_root: Path, generated: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    tables = tables_of(generated)
    expected = run_frictionless(SCHEMA, tables)
    cache = OutputCache(shared_root, KIND)
    assert run_frictionless_kept(SCHEMA, tables, frozenset(), cache) == expected
    assert run_frictionless_kept(SCHEMA, tables, frozenset(), cache) == expected


def clean_files(count: int) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    names = ["a", "b", "c", "d", "e", "f"][:count]
    return [({"id": name, "n": 1, "group": "a"}, [{"item": name, "other": 1}])
            for name in names]


def test_a_rebuild_has_frictionless_check_only_the_changed_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[int] = []
    real_report = frictionless_kept.frictionless_report

    def counting_report(schema: PackageSchema, tables: dict[str, list[Row]], describe: Any) -> Any:
        checked.append(sum(len(rows) for rows in tables.values()))
        return real_report(schema, tables, describe)

    monkeypatch.setattr(frictionless_kept, "frictionless_report", counting_report)
    cache = OutputCache(tmp_path, KIND)
    generated = clean_files(5)
    assert run_frictionless_kept(SCHEMA, tables_of(generated), frozenset(), cache) == []
    assert run_frictionless_kept(SCHEMA, tables_of(generated), frozenset(), cache) == []
    generated[2][0]["n"] = 3
    assert run_frictionless_kept(SCHEMA, tables_of(generated), frozenset(), cache) == []
    assert checked == [10, 0, 2]  # every row, none, the changed file's item and link


def test_a_problem_is_reported_from_a_warm_cache_as_from_none(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path, KIND)
    generated = clean_files(4)
    assert run_frictionless_kept(SCHEMA, tables_of(generated), frozenset(), cache) == []
    generated[3][0]["id"] = "a"  # a duplicate id, in a file whose other rows were kept
    generated[1][1].append({"item": "zz", "other": 2})  # a link to nothing
    tables = tables_of(generated)
    found = run_frictionless_kept(SCHEMA, tables, frozenset(), cache)
    assert found == run_frictionless(SCHEMA, tables)
    assert {p.code.name for p in found} >= {"DUPLICATE_VALUE", "UNDEFINED_REFERENCE"}
