"""The published data package: CSV per table, a valid descriptor, formulas defused."""

from __future__ import annotations

import csv
import io
import json

from frictionless import validate

from build_tools.evidence.checks import check_project
from build_tools.formats.datapackage import csv_cell, data_package_files, defuse_formula


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
