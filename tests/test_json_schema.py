"""The JSON Schema for editors: made from the Frictionless schema, committed, and in agreement
with `livingreview validate` on good and bad records."""

from __future__ import annotations

import json

import pytest
import yaml
from jsonschema import Draft202012Validator

from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.formats.json_schema import json_schema_path, render_json_schema, schema_modeline
from build_tools.records.load import load_records
from build_tools.records.schema import PackageSchema
from tests.conftest import REPO


def editor_errors(project: Project, record: dict) -> list[str]:
    schema = json.loads(json_schema_path(project).read_text("utf-8"))
    return [e.message for e in Draft202012Validator(schema).iter_errors(record)]


def test_committed_json_schema_is_up_to_date() -> None:
    project = Project.at(REPO)
    schema = PackageSchema.from_document(load_records(project, only=set()).schema)
    assert json_schema_path(project).read_text("utf-8") == render_json_schema(schema), (
        "schema/study.schema.json is out of date: run `livingreview docs`")


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(json.loads(json_schema_path(Project.at(REPO)).read_text()))


def test_scenario_studies_pass_the_json_schema(project) -> None:
    for path in sorted(project.studies_dir.glob("*.yaml")):
        assert editor_errors(project, yaml.safe_load(path.read_text("utf-8"))) == [], path


def test_every_scenario_study_starts_with_the_schema_line(project) -> None:
    expected = schema_modeline(project)
    assert expected == "# yaml-language-server: $schema=../schema/study.schema.json"
    for path in sorted(project.studies_dir.glob("*.yaml")):
        assert path.read_text("utf-8").splitlines()[0] == expected, path


@pytest.mark.parametrize(("override", "editor_message"), [
    ({"perspective": "clients"}, "'clients' is not one of ['client', 'therapist', 'both']"),
    ({"year": "2020"}, "'2020' is not of type 'integer', 'null'"),
    ({"countri": "Ireland"}, "Additional properties are not allowed ('countri' was unexpected)"),
    ({"id": "Smith 2020"}, "'Smith 2020' does not match '^(?:[a-z0-9][a-z0-9_-]{0,63})$'"),
    ({"doi": "https://doi.org/10.1/x"}, "'https://doi.org/10.1/x' does not match "
                                        "'^10\\\\.\\\\d{4,9}/\\\\S+$'"),
    ({"sources": []}, "[] should be non-empty"),
    ({"sources": [{"description": "x", "url": "javascript:alert(1)"}]},
     "'javascript:alert(1)' does not match '^https?://'"),
])
def test_json_schema_and_validate_reject_the_same_record(project, write_study, override,
                                                         editor_message) -> None:
    record = {"id": "smith2020", "title": "A synthetic study for tests", "perspective": "client",
              "sources": [{"description": "Test fixture, not a real study"}], **override}
    assert editor_errors(project, record) == [editor_message]
    write_study("smith2020", **override)
    checked = check_project(project)
    validation = checked.validation
    assert not validation.ok


def test_json_schema_needs_doi_or_title(project) -> None:
    record = {"id": "smith2020", "perspective": "client",
              "sources": [{"description": "Test fixture, not a real study"}]}
    assert editor_errors(project, record) == [
        "{'id': 'smith2020', 'perspective': 'client', 'sources': [{'description': "
        "'Test fixture, not a real study'}]} is not valid under any of the given schemas"]
