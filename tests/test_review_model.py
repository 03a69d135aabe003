"""The typed review model: built once from review.yaml, the only reader of the raw document, and
templates that fail on a name they do not know (StrictUndefined)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from build_tools.core.project import Project
from build_tools.evidence.review import (
    Protocol,
    Review,
    SearchRound,
    Source,
    build_review,
    review_from_data,
)
from build_tools.pages.generate import generate_site
from build_tools.pages.render import make_environment
from build_tools.records.load import load_records
from tests.conftest import REPO

PACKAGE = REPO / "build_tools"
BUILDER = PACKAGE / "evidence" / "review.py"
# The release snapshot keeps review.yaml's own format, so these read `Review.document`.
SNAPSHOT_READERS = {PACKAGE / "versions" / "versioning.py", PACKAGE / "release" / "release.py"}


def test_the_shipped_shape_builds_typed_values(project: Project) -> None:
    records = load_records(project)
    assert records.review is not None
    review = build_review(records.review)
    assert isinstance(review, Review)
    assert dataclasses.is_dataclass(review)
    with pytest.raises(dataclasses.FrozenInstanceError):
        review.title = "changed"  # type: ignore[misc]
    assert review.title and isinstance(review.title, str)
    assert isinstance(review.protocol, Protocol) and review.protocol.registry
    assert all(isinstance(s, Source) for s in review.sources.values())
    assert all(isinstance(r, SearchRound) for r in review.search_rounds)
    assert review.themes and all(t.subthemes for t in review.themes)
    assert review.appraisal_tool is not None and review.appraisal_tool.questions
    assert review.expected_count == review.included_studies.count  # type: ignore[union-attr]


def test_absent_optional_blocks_are_explicit_none_or_empty() -> None:
    review = review_from_data({"title": "Only a title"})
    assert review.title == "Only a title"
    for name in ("short_title", "question", "protocol", "source_review", "included_studies",
                 "living", "appraisal_tool", "citation"):
        assert getattr(review, name) is None, name
    for name in ("methods", "search_rounds", "reported_characteristics", "key_findings",
                 "themes", "findings"):
        assert getattr(review, name) == (), name
    assert review.sources == {} and review.expected_count is None


def test_values_keep_their_text_and_order() -> None:
    """Text fields may be written as numbers or dates in YAML; PRISMA counts keep their order."""
    import datetime as dt

    review = review_from_data({
        "title": 2024,
        "source_review": {"published_online": dt.date(2024, 7, 29), "doi": "10.5555/x"},
        "search_rounds": [{"id": "r1", "prisma": {"studies_included": 3,
                                                  "records_screened": None}}],
        "findings": [{"id": "f", "subtheme": "s", "confidence": "low",
                      "confidence_explanation": "why"}],
        "sources": {"a": {"title": None}},
    })
    assert review.title == "2024"
    assert review.source_review is not None
    assert review.source_review.published_online == "2024-07-29"
    assert review.search_rounds[0].prisma == (("studies_included", 3), ("records_screened", None))
    assert review.search_rounds[0].count("studies_included") == 3
    assert review.findings[0].judgement("confidence") == "low"
    assert review.findings[0].judgement("coherence") is None
    assert review.sources["a"].title == "a"  # a source without a title is named by its key


def test_odd_data_never_raises_in_the_builder() -> None:
    """`livingreview docs` builds the model from review.yaml it has not validated."""
    for data in (None, [], "text", {"title": None, "methods": "x", "sources": [1],
                                    "search_rounds": [None, 3], "citation": {"authors": 5},
                                    "appraisal_tool": {"questions": [{"number": "1"}]}}):
        review = review_from_data(data)
        assert review.methods == () and review.search_rounds == ()


def _raw_readers(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == BUILDER:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(package.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr == "data" and \
                    isinstance(node.value, ast.Attribute) and node.value.attr == "review":
                found.append(f"{where}: .review.data")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "get" and _names_review(node.func.value):
                found.append(f"{where}: review.get(")
            if isinstance(node, ast.Attribute) and node.attr == "document" and \
                    _names_review(node.value) and path not in SNAPSHOT_READERS:
                found.append(f"{where}: review.document outside the release snapshot")
    return found


def _names_review(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "review") or \
        (isinstance(node, ast.Attribute) and node.attr == "review")


def test_no_module_reads_the_raw_review_document_but_the_builder() -> None:
    assert _raw_readers() == []


def test_the_scan_finds_a_raw_read(tmp_path: Path) -> None:
    """The scan above can fail: a module that reads the raw dict is reported."""
    package = tmp_path / "build_tools"
    package.mkdir()
    (package / "bad.py").write_text(
        "def f(records, review):\n    return records.review.data, review.get('title')\n")
    assert len(_raw_readers(package)) == 2


def test_a_typo_in_a_template_is_an_error_not_a_blank() -> None:
    review = review_from_data({"title": "A title"})
    environment = make_environment()
    assert environment.from_string("# {{ review.title }}").render(review=review) == "# A title"
    with pytest.raises(UndefinedError):
        environment.from_string("# {{ review.titel }}").render(review=review)
    with pytest.raises(UndefinedError):
        environment.from_string("{% if revew %}x{% endif %}").render(review=review)


def test_every_template_renders_a_review_with_only_a_title(project: Project) -> None:
    """Strict templates still render when every optional block of review.yaml is absent."""
    text = project.review_file.read_text("utf-8")
    themes = text[text.index("\nthemes:"):]
    themes = themes[:themes.index("\nkey_findings:")] if "\nkey_findings:" in themes else themes
    project.review_file.write_text("title: Only a title and themes\n" + themes + "\n", "utf-8")
    site = generate_site(project)
    pages = {page.path: page.content for page in site.pages}
    assert "# Only a title and themes" in str(pages["index.md"])
    assert "None" not in str(pages["methods.md"])
