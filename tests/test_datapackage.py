"""The published data package: CSV per table, a valid descriptor, formulas defused."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from frictionless import validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.core.output_cache import OutputCache
from build_tools.evidence.checks import check_project
from build_tools.formats import datapackage
from build_tools.formats.datapackage import (
    csv_cell,
    data_package_files,
    defuse_formula,
    table_csv,
)
from build_tools.records.schema import FieldSpec, TableSpec
from build_tools.records.tables import Row
from build_tools.records.yaml_source import YamlDocument
from tests import cache_rows


def _files(project):
    checked = check_project(project)
    schema, validation = checked.schema, checked.validation
    assert validation.ok, validation.problems
    return data_package_files(schema, validation.tables)


def _write(files, folder):
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder / "datapackage.json"


def test_data_package_files_names_every_table(project):
    assert sorted(_files(project)) == [
        "appraisal_questions.csv", "appraisals.csv", "datapackage.json", "excerpts.csv",
        "findings.csv", "prisma_counts.csv", "roles.csv", "search_rounds.csv", "sources.csv",
        "studies.csv", "study_subthemes.csv", "subthemes.csv", "themes.csv", "translations.csv"]


def test_data_package_files_valid_by_frictionless(project, tmp_path):
    report = validate(str(_write(_files(project), tmp_path / "site")))
    assert report.valid, report.flatten(["type", "note"])
    assert report.stats["tasks"] == 13


def test_descriptor_has_paths_and_none_of_our_extensions(project):
    descriptor = json.loads(_files(project)["datapackage.json"])
    assert "x-" not in json.dumps(descriptor)
    studies = descriptor["resources"][0]
    assert {k: studies[k] for k in ("name", "path", "format", "mediatype", "encoding")} == {
        "name": "studies", "path": "studies.csv", "format": "csv", "mediatype": "text/csv",
        "encoding": "utf-8"}


def test_studies_csv_scenario_row(project):
    rows = list(csv.DictReader(io.StringIO(_files(project)["studies.csv"].decode("utf-8"))))
    assert [r["id"] for r in rows] == ["aherne-2018", "alonzo-2017", "awenat-psychosis-9-38",
                                       "fogarty-2021"]
    assert rows[0]["authors"] == '["Aherne, Cian", "Coughlan, Barry", "Surgenor, Paul"]'
    assert rows[2]["year"] == "" and rows[2]["first_author"] == "Awenat"


def test_data_package_files_deterministic(project):
    assert _files(project) == _files(project)


def test_hostile_cells_defused_and_package_still_valid(project, write_study, tmp_path):
    # Synthetic test record: formula-like values in text fields.
    write_study("evil2020", title="=HYPERLINK(\"http://x\",\"click\")", country="+1+1",
                setting="-2", participants="@SUM(A1)", journal="\tTab",
                notes="Line one\nLine two, with \"quotes\"")
    files = _files(project)
    rows = list(csv.DictReader(io.StringIO(files["studies.csv"].decode("utf-8"))))
    evil = next(r for r in rows if r["id"] == "evil2020")
    assert (evil["title"], evil["country"], evil["setting"], evil["participants"],
            evil["journal"]) == ("'=HYPERLINK(\"http://x\",\"click\")", "'+1+1", "'-2",
                                 "'@SUM(A1)", "'\tTab")
    assert evil["notes"] == "Line one\nLine two, with \"quotes\""
    assert validate(str(_write(files, tmp_path / "site"))).valid


def test_csv_cell_types():
    assert [csv_cell(v) for v in (None, 3, True, ["a", "=b"], "x", "-1")] == [
        "", "3", "true", '["a", "=b"]', "x", "'-1"]
    assert defuse_formula("10.1/x") == "10.1/x"


# Kept parts of a table's CSV (data_package_files' `cache`): the same bytes with no cache, a
# cold one, a warm one and after rows changed; only the parts holding a changed row are written.

_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=12), st.dates(), st.lists(st.text(max_size=4), max_size=3))
_ROWS = st.lists(st.fixed_dictionaries({"id": st.text(max_size=6), "x": _VALUES, "y": _VALUES}),
                 max_size=60)
_TABLE = TableSpec("t", "T", "studies", (), {}, 0, (),
                   tuple(FieldSpec(name, "any", name, "", {}) for name in ("id", "x", "y")))


def _rows(values: list[dict[str, Any]]) -> list[Row]:
    document = YamlDocument("studies/x.yaml", {}, {})
    return [Row(dict(v), document, ()) for v in values]


@pytest.fixture
def written_parts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each part written anew holds (datapackage._cells)."""
    counts: list[int] = []
    real = datapackage._cells

    def counting(names: Any, rows: Any) -> Any:
        counts.append(len(rows))
        return real(names, rows)

    monkeypatch.setattr(datapackage, "_cells", counting)
    return counts


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_ROWS, after=_ROWS, spread=st.sampled_from([1, 3, 256]))
def test_kept_csv_parts_give_the_same_bytes(tmp_path_factory, monkeypatch, before, after,
                                           spread):
    monkeypatch.setattr(datapackage, "PART_SPREAD", spread)
    kept = OutputCache(tmp_path_factory.mktemp("cache"), "csv")
    for values in (before, after, before):
        plain = table_csv(_TABLE, _rows(values))
        assert plain.startswith(b"id,x,y\r\n")
        assert table_csv(_TABLE, _rows(values), kept) == plain  # cold, or after a change
        assert table_csv(_TABLE, _rows(values), kept) == plain  # warm


def test_only_the_part_of_a_changed_row_is_written_again(tmp_path, written_parts):
    values = [{"id": f"s{n}", "x": n, "y": f"text {n}"} for n in range(2000)]
    kept = OutputCache(tmp_path, "csv")
    table_csv(_TABLE, _rows(values), kept)
    parts = len(written_parts)
    assert parts > 2  # the table is really cut in parts
    values[1000]["y"] = "changed"
    values.insert(10, {"id": "new", "x": None, "y": None})
    plain = table_csv(_TABLE, _rows(values))
    written_parts.clear()
    assert table_csv(_TABLE, _rows(values), kept) == plain
    assert 1 <= len(written_parts) <= 2 and sum(written_parts) < 2000
    written_parts.clear()
    table_csv(_TABLE, _rows(values), kept)
    assert written_parts == []


def test_a_kept_part_is_what_a_warm_build_writes(tmp_path):
    """Control: kept parts are really read (equality alone could pass unread)."""
    rows = _rows([{"id": "a", "x": 1, "y": "b"}])
    cold = table_csv(_TABLE, rows, OutputCache(tmp_path, "csv"))
    (key,) = cache_rows.texts(tmp_path, "csv")
    cache_rows.store_bytes(tmp_path, "csv", key, b"kept,part,\r\n")
    warm = table_csv(_TABLE, rows, OutputCache(tmp_path, "csv"))
    assert cold == b"id,x,y\r\na,1,b\r\n" and warm == b"id,x,y\r\nkept,part,\r\n"
