"""What readers see is declared by the review (review.yaml and the schema), not assumed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from build_tools.core import mdtext
from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.pages.generate import generate_site
from build_tools.pages.registry import produce_pages
from build_tools.versions.versioning import build_version, version_data
from tests.conftest import REPO


def _pages(project: Project) -> dict[str, str]:
    site = generate_site(project)
    built = build_version(project, site, None)
    pages = produce_pages(site.inputs(version_data(built)))
    return {p.path: p.content if isinstance(p.content, str) else p.content.decode("utf-8")
            for p in pages}


def _declare(project: Project, text: str) -> None:
    review = project.review_file.read_text("utf-8")
    title_line = next(line for line in review.splitlines() if line.startswith("title:"))
    project.review_file.write_text(review.replace(title_line, title_line + "\n" + text), "utf-8")


@pytest.mark.scenario("tiny-review")
def test_a_bibliography_is_worded_as_one(project: Project) -> None:
    _declare(project, "kind: bibliography")
    pages = _pages(project)
    seen = pages["index.md"] + pages["feed.xml"] + pages["cite.md"] + pages["studies/index.md"]
    assert "living bibliography" in pages["index.md"]
    assert "living bibliography" in pages["feed.xml"] and "Living bibliography" in pages["cite.md"]
    assert "included papers curated so far" in pages["index.md"]
    assert "systematic review" not in seen.lower()


@pytest.mark.scenario("tiny-review")
def test_declared_wording_wins_over_the_kind(project: Project) -> None:
    _declare(project, "kind: quantitative\nwording: {studies: trials, study: trial}")
    pages = _pages(project)
    assert "included trials curated so far" in pages["index.md"]
    assert "A living systematic review," in pages["index.md"]


@pytest.mark.scenario("tiny-review")
def test_an_unknown_kind_is_refused_where_it_is(project: Project) -> None:
    _declare(project, "kind: meta-analysis")
    problems = [p for p in check_project(project).problems if p.field == "kind"]
    assert [(p.code, p.line) for p in problems] == [("not-allowed", 3)]


@pytest.mark.scenario("tiny-review")
def test_absent_protocol_source_and_summaries_leave_no_empty_row_or_none(project: Project) -> None:
    pages = _pages(project)  # the tiny review has no protocol, source review or summaries
    assert "| Protocol |" not in pages["index.md"]
    assert "Based on" not in pages["index.md"]
    for path, text in pages.items():
        if path.endswith(".md"):
            assert "\nNone\n" not in text, path


@pytest.mark.scenario("tiny-review")
def test_without_a_declared_split_the_matrix_counts_every_study_once(project: Project,
                                                                     write_study) -> None:
    write_study("synth2020", contributions=[{"subtheme": "small-wins"}])
    pages = _pages(project)
    matrix = pages["evidence/matrix.md"]
    assert "<tr><th>Study</th><th style" in matrix  # no split column
    row = next(line for line in matrix.splitlines() if ">Small wins</a></td>" in line)
    assert row.endswith("<td style=\"text-align: right;\"><strong>2</strong></td></tr>")
    assert row.count("<td") == 2  # synthetic-one and synth2020, summed over no split
    lead = re.search(r'<p class="lr-lead">(.*?)</p>', pages["studies/synth2020.md"])
    assert lead and "perspective" not in lead.group(1).lower()


@pytest.mark.scenario("tiny-review")
def test_charts_are_drawn_only_for_declared_fields(project: Project) -> None:
    assert not any(path.startswith("evidence/chart") for path in _pages(project))
    schema = project.schema_file.read_text("utf-8")
    project.schema_file.write_text(schema.replace(
        "    x-rows: {from: studies}\n",
        "    x-rows: {from: studies}\n    x-charts: [intervention_length]\n", 1), "utf-8")
    pages = _pages(project)
    assert [p for p in pages if p.startswith("evidence/chart")] == [
        "evidence/charts.md", "evidence/chart-intervention_length.svg"]
    assert "by intervention length &#40;weeks&#41;. Values" in pages["evidence/charts.md"]


APPRAISAL_TOOLS = REPO / "build_tools" / "assets" / "appraisal"


@pytest.mark.scenario("tiny-review")
@pytest.mark.parametrize("name", ["casp-qualitative", "jbi-qualitative", "rob2"])
def test_each_shipped_appraisal_tool_declares_a_working_appraisal(
        project: Project, write_study, name: str) -> None:
    declared = yaml.safe_load((APPRAISAL_TOOLS / f"{name}.yaml").read_text("utf-8"))
    review = yaml.safe_load(project.review_file.read_text("utf-8"))
    review["sources"].update(declared["sources"])
    review["appraisal_tool"] = declared["appraisal_tool"]
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")
    scale = [j["value"] for j in declared["appraisal_tool"]["scale"]]
    schema = project.schema_file.read_text("utf-8")
    project.schema_file.write_text(schema.replace(
        """enum: ["yes", "no", "can't tell"]""", "enum: " + json.dumps(scale)), "utf-8")
    write_study("synth2020", appraisal=[{"question": n + 1, "answer": value}
                                        for n, value in enumerate(scale)])
    assert check_project(project).ok
    page = _pages(project)["evidence/appraisal.md"]
    colours = {"green": "yes", "red": "no", "amber": "some", "grey": "unclear"}
    for judgement in declared["appraisal_tool"]["scale"]:
        assert f'lr-answer--{colours[judgement["colour"]]}">' in page
    assert mdtext.text(declared["appraisal_tool"]["name"]) in page
    assert "No score is" in page  # none of the three proposes a total


@pytest.mark.scenario("tiny-review")
def test_without_an_appraisal_tool_or_search_rounds_there_is_no_empty_page(
        project: Project) -> None:
    pages = _pages(project)  # the tiny review declares neither
    assert "evidence/appraisal.md" not in pages and "evidence/prisma.md" not in pages


FRAMEWORKS = REPO / "build_tools" / "assets" / "findings"


@pytest.mark.scenario("tiny-review")
@pytest.mark.parametrize("name", ["grade-cerqual", "grade"])
def test_each_shipped_findings_framework_declares_a_findings_page(project: Project,
                                                                  name: str) -> None:
    assert "evidence/findings.md" not in _pages(project)  # no framework declared: no page
    table = yaml.safe_load((FRAMEWORKS / f"{name}.yaml").read_text("utf-8"))
    schema = yaml.safe_load(project.schema_file.read_text("utf-8"))
    schema["resources"].append(table)
    project.schema_file.write_text(yaml.safe_dump(schema, sort_keys=False), "utf-8")
    declared = table["x-findings"]
    fields = {f["name"]: f for f in table["schema"]["fields"]}
    finding: dict = {"id": "wins", "subtheme": "small-wins", "source": "made-up"}
    for judged in (*declared["components"], declared["overall"]):
        finding[judged] = fields[judged]["constraints"]["enum"][0]
        finding[f"{judged}_explanation"] = "Synthetic explanation for the test."
    review = yaml.safe_load(project.review_file.read_text("utf-8"))
    review["findings"] = [finding]
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")
    assert check_project(project).ok
    page = _pages(project)["evidence/findings.md"]
    assert f"\n<h1>{mdtext.text(declared['title'])}</h1>\n" in page
    for judged in declared["components"]:
        assert f"{mdtext.text(fields[judged]['title'])}: <strong>" in page
    assert "not assessed" not in page.split(">Small wins</a>")[1].split("\n")[0]


# Words that belong to one review or one tool. They may appear only in the shipped
# declarations (data files).
REVIEW_SPECIFIC = re.compile(r"perspective|casp|cerqual", re.IGNORECASE)
DECLARATIONS = (REPO / "build_tools" / "assets" / "appraisal", FRAMEWORKS)


def _naming(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*")):
        if path.suffix not in (".py", ".j2", ".html") or \
                any(folder in path.parents for folder in DECLARATIONS):
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if REVIEW_SPECIFIC.search(line):
                found.append(f"{path.relative_to(package.parent)}:{number}: {line.strip()}")
    return found


def test_no_module_or_template_names_one_review_or_tool() -> None:
    assert _naming(REPO / "build_tools") == []


def test_the_word_scan_can_fail(tmp_path: Path) -> None:
    (tmp_path / "build_tools").mkdir()
    (tmp_path / "build_tools" / "page.md.j2").write_text("{{ study.perspective }}\n")
    assert _naming(tmp_path / "build_tools") == [
        "build_tools/page.md.j2:1: {{ study.perspective }}"]


def _three_levels(project: Project) -> None:
    """The tiny review's schema lets a theme name its parent and a study attach to a theme; its
    review gets a third level: momentum > pacing-tree > (subthemes early, late)."""
    schema = yaml.safe_load(project.schema_file.read_text("utf-8"))
    tables = {t["name"]: t for t in schema["resources"]}
    tables["themes"]["schema"]["fields"].append({"name": "parent", "type": "string"})
    links = tables["study_subthemes"]["schema"]
    next(f for f in links["fields"] if f["name"] == "subtheme")["constraints"] = {}
    links["fields"].append({"name": "theme", "type": "string"})
    links["foreignKeys"].append({"fields": ["theme"],
                                 "reference": {"resource": "themes", "fields": ["id"]}})
    project.schema_file.write_text(yaml.safe_dump(schema, sort_keys=False), "utf-8")
    review = yaml.safe_load(project.review_file.read_text("utf-8"))
    review["themes"].append({"id": "pacing-tree", "title": "Pacing over time",
                             "parent": "momentum", "source": "made-up", "subthemes": [
                                 {"id": "early", "title": "Early days", "source": "made-up"},
                                 {"id": "late", "title": "Later on", "source": "made-up"}]})
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")


@pytest.mark.scenario("tiny-review")
def test_themes_of_any_depth_count_each_study_once_per_node(project: Project,
                                                             write_study) -> None:
    _three_levels(project)
    write_study("synth2020", title="SYNTHETIC first paper",
                contributions=[{"subtheme": "early"}, {"subtheme": "late"}])
    write_study("synth2021", title="SYNTHETIC second paper", contributions=[{"theme": "momentum"}])
    assert check_project(project).ok
    site = generate_site(project)
    momentum = next(t for t in site.evidence.themes if t.id == "momentum")
    assert [t.id for t in site.evidence.themes] == ["belonging", "momentum"]  # roots only
    nodes = {s.id: s for s in momentum.subthemes}
    assert (nodes["pacing-tree"].depth, nodes["early"].depth) == (1, 2)
    assert nodes["pacing-tree"].total == 1  # synth2020 under two children counts once
    assert (nodes["early"].total, nodes["late"].total) == (1, 1)
    assert {s.id for s in momentum.studies} == {"synthetic-one", "synth2020", "synth2021"}
    pages = {p.path: str(p.content) for p in site.pages}
    page = pages["themes/momentum.md"]
    assert "\n### Early days {: #early }" in page and "\n## Pacing over time" in page
    assert "SYNTHETIC second paper" in page and "SYNTHETIC first paper" in page
    assert "1 curated study in all, counting the themes below it once each." in page
    assert "    - **Early days**: 1 curated study" in pages["index.md"]


@pytest.mark.scenario("tiny-review")
def test_a_theme_tree_with_an_unknown_parent_or_a_cycle_is_refused(project: Project) -> None:
    _three_levels(project)
    text = project.review_file.read_text("utf-8")
    project.review_file.write_text(text.replace("parent: momentum", "parent: nowhere"), "utf-8")
    codes = {p.code for p in check_project(project).problems if p.field == "themes[2].parent"}
    assert codes == {"undefined-reference"}
    review = yaml.safe_load(text)
    review["themes"][1]["parent"] = "pacing-tree"  # momentum <-> pacing-tree
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")
    codes = {p.code for p in check_project(project).problems if p.field.endswith(".parent")}
    assert codes == {"conflicting-fields"}
