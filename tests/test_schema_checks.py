"""The schema's declarations about the studies table name real fields, or say where not."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools.core.errors import Code
from build_tools.evidence.checks import check_project
from tests.factories import make_project

COLUMNS = "x-table-columns: [perspective, intervention_length]"


@pytest.mark.parametrize(("declaration", "field"), [
    ("x-table-columns: [perspectiv, intervention_length]", "x-table-columns[0]"),
    (COLUMNS + "\n    x-table-filters: [year, nothing]", "x-table-filters[1]"),
    (COLUMNS + "\n    x-charts: [country, {field: nope, id: n}]", "x-charts[1]"),
    (COLUMNS + "\n    x-matrix-split: perspectve", "x-matrix-split"),
])
def test_a_declaration_naming_no_field_is_a_located_problem(tmp_path: Path, declaration: str,
                                                            field: str) -> None:
    project = make_project(tmp_path / "review", "tiny-review")
    text = project.schema_file.read_text("utf-8")
    assert COLUMNS in text
    project.schema_file.write_text(text.replace(COLUMNS, declaration), "utf-8")
    problems = [p for p in check_project(project).problems if p.code is Code.UNKNOWN_FIELD]
    assert [(p.file, p.field) for p in problems] == [("schema/datapackage.yaml", field)]
    assert problems[0].line > 20 and "one of:" in problems[0].allowed


def test_declarations_of_real_fields_pass(tmp_path: Path) -> None:
    project = make_project(tmp_path / "review", "tiny-review")
    text = project.schema_file.read_text("utf-8")
    declared = COLUMNS + "\n    x-charts: [country, {field: year}]\n    x-matrix-split: perspective"
    project.schema_file.write_text(text.replace(COLUMNS, declared), "utf-8")
    assert check_project(project).ok


def test_a_split_by_a_field_without_an_enum_is_a_located_problem(tmp_path: Path) -> None:
    """The matrix has a column per allowed value: a split needs a closed list of them."""
    project = make_project(tmp_path / "review", "tiny-review")
    text = project.schema_file.read_text("utf-8")
    project.schema_file.write_text(
        text.replace(COLUMNS, COLUMNS + "\n    x-matrix-split: participants"), "utf-8")
    checked = check_project(project)
    assert not checked.ok
    [problem] = [p for p in checked.problems if p.code is Code.NOT_ALLOWED]
    assert (problem.file, problem.field) == ("schema/datapackage.yaml", "x-matrix-split")
    line = project.schema_file.read_text("utf-8").splitlines()[problem.line - 1]
    assert line.strip() == "x-matrix-split: participants"
    assert "'participants' has no enum" in problem.message
    assert problem.allowed == "a field with an enum, one of: curation_status, perspective"
    assert [p for p in checked.problems if p.severity == "error"] == [problem]
