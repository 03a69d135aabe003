"""Any child table the schema declares is shown on its study page, with its declared columns."""

from __future__ import annotations

from pathlib import Path

import yaml

from build_tools.core.project import Project
from build_tools.pages.generate import generate_site
from tests.factories import make_project

EFFECTS_TABLE = {
    "name": "effects",
    "title": "Effect sizes",
    "description": "Synthetic effects declared only by this test.",
    "x-rows": {"from": "studies", "path": ["effects"], "parent": {"study": "id"}},
    "schema": {
        "fields": [
            {"name": "study", "type": "string", "constraints": {"required": True}},
            {"name": "outcome", "title": "Outcome", "type": "string",
             "constraints": {"required": True}},
            {"name": "measure", "title": "Measure", "type": "string"},
            {"name": "value", "title": "Estimate", "type": "number"},
        ],
        "foreignKeys": [{"fields": ["study"], "reference": {"resource": "studies",
                                                            "fields": ["id"]}}],
    },
}


def with_effects(tmp_path: Path, rows: list[dict[str, object]]) -> Project:
    project = make_project(tmp_path / "review", "tiny-review")
    schema = yaml.safe_load(project.schema_file.read_text("utf-8"))
    schema["resources"].append(EFFECTS_TABLE)
    project.schema_file.write_text(yaml.safe_dump(schema, sort_keys=False), "utf-8")
    study_file = project.studies_dir / "synthetic-one.yaml"
    study = yaml.safe_load(study_file.read_text("utf-8"))
    study["effects"] = rows
    study_file.write_text(yaml.safe_dump(study, sort_keys=False), "utf-8")
    return project


def study_page(project: Project) -> str:
    pages = {p.path: p.content for p in generate_site(project).pages}
    content = pages["studies/synthetic-one.md"]
    assert isinstance(content, str)
    return content


def test_a_declared_child_table_is_a_table_on_the_study_page(tmp_path: Path) -> None:
    page = study_page(with_effects(tmp_path, [
        {"outcome": "Suicidal ideation", "measure": "SMD", "value": -0.42},
        {"outcome": "Hope"},
    ]))
    assert '<h2 id="effect-sizes">Effect sizes<a class="headerlink"' in page
    assert "<th>Outcome</th><th>Measure</th><th>Estimate</th>" in page
    assert "<td>Suicidal ideation</td><td>SMD</td><td>&#45;0&#46;42</td>" in page
    # the link column is left out, and a value not given says so
    assert "<th>study</th>" not in page.lower()
    assert '<td>Hope</td><td><span class="lr-missing">' in page


def test_a_study_without_rows_of_it_shows_no_empty_table(tmp_path: Path) -> None:
    page = study_page(with_effects(tmp_path, []))
    assert "Effect sizes" not in page


def test_child_table_text_is_inert(tmp_path: Path) -> None:
    page = study_page(with_effects(tmp_path, [
        {"outcome": "<script>alert(1)</script> [x](javascript:alert(1)) {{ 7*7 }}"}]))
    assert "<script" not in page
    assert "](javascript" not in page
    assert "{{" not in page and "49" not in page
