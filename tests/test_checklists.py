"""Reporting checklists computed from data: the shipped guidelines are well-formed data, an item
is reported exactly when its data is present and its page built, declarations that name unknown
guidelines, items or rules are located problems, and no declaration means no page."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from build_tools.core.project import Project
from build_tools.evidence.assemble import ChildTable
from build_tools.evidence.checks import check_project
from build_tools.evidence.review import ItemReporting, Method, Question, Reporting
from build_tools.pages.checklists import FINDERS, evaluate
from build_tools.pages.generate import AssembledSite, generate_site
from build_tools.pages.registry import produce_pages
from build_tools.records.reporting_guidelines import (
    GUIDELINE_FILES,
    RULES,
    Guideline,
    GuidelineItem,
    guideline_document,
    guideline_problems,
    shipped_guideline,
)
from build_tools.records.yaml_source import parse_yaml
from build_tools.site.build import build_site
from build_tools.versions.versioning import build_version, version_data
from tests.test_site import page_text

# Items each guideline has, as its source states them (PRISMA 2020: 27 numbered items, some in
# parts; PRISMA-LSR: what this project could confirm, see its `checked`).
ITEM_COUNTS = {"emerge": 19, "entreq": 21, "prisma-2020": 27}
DECLARE = ("reporting:\n  guidelines: [emerge, prisma-2020]\n  items:\n"
           "    emerge-2: {where: ['methods:synthesis'], note: Stated with the method.}\n")


def _guideline(*items: GuidelineItem) -> Guideline:
    """A SYNTHETIC guideline made by the test."""
    return Guideline("synthetic", "SYNTHETIC guideline", "SYNTHETIC", "Made up for tests.",
                     None, "https://example.org/synthetic", None, None, items)


def _item(number: str, *rules: str) -> GuidelineItem:
    return GuidelineItem(number, None, f"Item {number}", "Made up.", rules)


def _site(project: Project) -> AssembledSite:
    return generate_site(project)


def _pages(site: AssembledSite, project: Project) -> dict[str, str]:
    pages = produce_pages(site.inputs(version_data(build_version(project, site, None))))
    return {p.path: p.content for p in pages if isinstance(p.content, str)}


def _declare(project: Project, text: str) -> None:
    with project.review_file.open("a", encoding="utf-8") as review:
        review.write("\n" + text)


@pytest.mark.parametrize("guideline_id", GUIDELINE_FILES)
def test_shipped_guideline_validates(guideline_id: str) -> None:
    assert guideline_problems(guideline_document(guideline_id)) == []
    guideline = shipped_guideline(guideline_id)
    assert guideline.id == guideline_id and guideline.citation and (guideline.doi or guideline.url)
    assert guideline.checked  # says what was checked against the source
    for item in guideline.items:
        assert item.number and item.name and item.text.strip(), item
        assert item.text != item.name
    numbers = {re.match(r"L?\d+", i.number).group() for i in guideline.items}  # type: ignore[union-attr]
    if guideline_id in ITEM_COUNTS:
        assert len(numbers) == ITEM_COUNTS[guideline_id]


def test_every_rule_has_a_finder() -> None:
    assert set(FINDERS) == set(RULES)


def test_guideline_problems_are_located() -> None:
    document = parse_yaml(b"id: x\nname: X\ncitation: C\nurl: https://example.org\nitems:\n"
                          b"  - {number: '1', name: A, text: T, reported_by: [nonsense]}\n"
                          b"  - {number: '1', name: B, reported_by: [question], extra: 1}\n",
                          "x.yaml")
    found = sorted((p.line, p.field, p.code) for p in guideline_problems(document))
    assert found == [(6, "items[0].reported_by[0]", "not-allowed"),
                     (7, "items[1].extra", "unknown-field"),
                     (7, "items[1].number", "duplicate-value"),
                     (7, "items[1].text", "missing-field")]


@pytest.mark.scenario("tiny-review")
def test_an_item_is_reported_exactly_when_its_data_is_present(project: Project) -> None:
    evidence = _site(project).evidence
    guideline = _guideline(_item("1", "question"), _item("2", "protocol"),
                           _item("3", "line_of_argument", "translations", "excerpts"))
    first, second, third = evaluate(guideline, evidence, {"index.md"})
    assert [(w.path, w.anchor) for w in first.where] == [("index.md", "review-question")]
    assert not second.reported and not third.reported  # no protocol, no such data (yet)
    no_question = dataclasses.replace(evidence, review=dataclasses.replace(
        evidence.review, question=Question(None, None)))
    assert not evaluate(guideline, no_question, {"index.md"})[0].reported
    assert not evaluate(guideline, evidence, set())[0].reported  # its page was not built


@pytest.mark.scenario("tiny-review")
def test_methods_rules_and_declared_items_follow_the_data(project: Project) -> None:
    evidence = _site(project).evidence
    review = dataclasses.replace(
        evidence.review,
        methods=(Method("searching", "How we searched", "SYNTHETIC text.", None),
                 Method("empty", "Nothing yet", None, None)),
        reporting=Reporting(("synthetic",), {"synthetic-2": ItemReporting(
            ("methods:searching",), "A SYNTHETIC note.")}))
    evidence = dataclasses.replace(evidence, review=review)
    guideline = _guideline(_item("1", "methods:empty", "methods:searching"),
                           _item("2", "question"))
    first, second = evaluate(guideline, evidence, {"methods.md", "index.md"})
    assert [(w.label, w.path, w.anchor) for w in first.where] == [
        ("Methods: How we searched", "methods.md", "searching")]
    assert second.declared and second.note == "A SYNTHETIC note."
    assert [w.anchor for w in second.where] == ["searching"]  # instead of the question


@pytest.mark.scenario("tiny-review")
def test_a_study_child_table_reports_through_the_study_page(project: Project) -> None:
    evidence = _site(project).evidence
    first = evidence.studies[0]
    table = ChildTable("translations", "SYNTHETIC", "", (), ({"concept": "SYNTHETIC"},))
    evidence = dataclasses.replace(evidence, studies=(
        dataclasses.replace(first, extra_tables=(table,)), *evidence.studies[1:]))
    guideline = _guideline(_item("1", "translations"), _item("2", "excerpts"))
    built = {f"studies/{first.id}.md"}
    translated, excerpted = evaluate(guideline, evidence, built)
    assert [w.path for w in translated.where] == [f"studies/{first.id}.md"]
    assert not excerpted.reported


@pytest.mark.scenario("tiny-review")
def test_no_declaration_no_reporting_page(project: Project) -> None:
    site = _site(project)
    assert site.evidence.review.reporting is None
    assert not [p for p in _pages(site, project) if p.startswith("reporting/")]


@pytest.mark.scenario("tiny-review")
def test_declared_guidelines_each_get_a_page_in_the_reporting_section(project: Project) -> None:
    _declare(project, "methods:\n  - {id: synthesis, title: Synthesis, text: SYNTHETIC.}\n"
             + DECLARE)
    pages = produce_pages(_site(project).inputs())
    reporting = [(p.path, p.nav) for p in pages if p.path.startswith("reporting/")]
    assert reporting == [("reporting/index.md", ("Reporting", "Reporting checklists")),
                         ("reporting/emerge.md", ("Reporting", "eMERGe")),
                         ("reporting/prisma-2020.md", ("Reporting", "PRISMA 2020"))]
    emerge = next(p.content for p in pages if p.path == "reporting/emerge.md")
    assert isinstance(emerge, str)
    assert "[Methods&#58; Synthesis](../methods.md#synthesis)<br>Stated with the method" in emerge
    assert "not reported" in emerge and "France, E&#46; F&#46;" in emerge


@pytest.mark.scenario("tiny-review")
def test_unknown_guidelines_items_and_rules_are_located_problems(project: Project) -> None:
    _declare(project, "reporting:\n  guidelines: [emerge, strobe]\n  items:\n"
             "    emerge-99: {where: [question]}\n    emerge-3: {where: [guesswork]}\n"
             "    emerge-4: {wher: [question]}\n    emerge-5: {where: ['methods:serches']}\n")
    problems = [p for p in check_project(project).problems if p.field.startswith("reporting")]
    found = [(p.line, p.field, p.code) for p in problems]
    assert (37, "reporting.guidelines[1]", "undefined-reference") in found
    assert (39, "reporting.items.emerge-99", "undefined-reference") in found
    assert (40, "reporting.items.emerge-3.where[0]", "not-allowed") in found
    assert (41, "reporting.items.emerge-4.wher", "unknown-field") in found
    assert (42, "reporting.items.emerge-5.where[0]", "undefined-reference") in found
    assert len(found) == 5
    strobe = next(p for p in problems if p.field == "reporting.guidelines[1]")
    assert strobe.allowed == "one of: " + ", ".join(GUIDELINE_FILES)
    assert all(p.file == "review.yaml" for p in problems)


def test_strict_build_links_every_reported_item(project: Project, tmp_path: Path) -> None:
    """The scenario review, declaring all four guidelines, builds strictly: MkDocs checks every
    link and anchor the checklists write."""
    _declare(project, "reporting:\n  guidelines: [" + ", ".join(GUIDELINE_FILES) + "]\n")
    site = build_site(project, strict=True)
    for guideline_id in GUIDELINE_FILES:
        text = page_text(site, f"reporting/{guideline_id}/index.html")
        assert "not reported" in text
    emerge = page_text(site, "reporting/emerge/index.html")
    assert "Flow of studies" in emerge and "Methods: Searches" in emerge
    index = page_text(site, "reporting/index.html")
    assert "Reporting checklists" in index
