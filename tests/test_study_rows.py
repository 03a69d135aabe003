"""Rows of the pages that list every study, kept between builds (pages/study_rows.py): the
pages are byte for byte those of a build without the cache, cold, warm and after a change; a
change renders again only the rows it shows in; and the cache is really read (a control)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from build_tools.core.project import Project
from build_tools.pages import render
from build_tools.pages.generate import generate_site
from tests import cache_rows
from tests.factories import make_project

KIND = "rows"
# alliance-review: real studies, a matrix split column; the meta-ethnography: matrix rows and
# theme lists in its own wording; the trials: the appraisal grid, without and with totals.
SCENARIOS = ["alliance-review", "synthetic-meta-ethnography", "synthetic-trials-review",
             "trials with totals"]
# Where each scenario shows rows (a study row, a list item) built without the cache.
SHOWN = {"alliance-review": ["studies/index.md"],
         "synthetic-meta-ethnography": ["evidence/matrix.md",
                                        "themes/made-up-belonging--being-noticed.md"],
         "synthetic-trials-review": ["evidence/appraisal.md"],
         "trials with totals": ["evidence/appraisal.md"]}


def scenario_project(target: Path, scenario: str) -> Project:
    if scenario != "trials with totals":
        return make_project(target, scenario)
    project = make_project(target, "synthetic-trials-review")
    review = project.root / "review.yaml"
    text = review.read_text("utf-8")
    for old, new in (("total: false", "total: true"),
                     ("colour: green", "colour: green\n    score: 2"),
                     ("colour: amber", "colour: amber\n    score: 1")):
        assert old in text
        text = text.replace(old, new, 1)
    review.write_text(text, "utf-8")
    return project
LIST_PAGES = ("studies/index.md", "evidence/matrix", "evidence/appraisal", "themes/")


@pytest.fixture(autouse=True)
def long_theme_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every theme's list of studies moves to pages of its own (as at 300 studies and more),
    in parts of two, so that its rows are kept too."""
    monkeypatch.setattr(render, "THEME_LIST_LIMIT", 1)
    monkeypatch.setattr(render, "LIST_PART_SIZE", 2)


def list_pages(project: Project, cache: Path | None) -> dict[str, str]:
    return {page.path: str(page.content)
            for page in generate_site(project, output_cache=cache).pages
            if page.path.startswith(LIST_PAGES) and isinstance(page.content, str)}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_cold_and_warm_cache_give_the_same_pages(tmp_path: Path, scenario: str) -> None:
    project = scenario_project(tmp_path / "review", scenario)
    cache = tmp_path / "cache"
    plain = list_pages(project, None)
    for path in SHOWN[scenario]:
        assert "<tr><td><a href=" in plain[path] or "<li>\n<p><a href=" in plain[path]
    if scenario == "trials with totals":
        assert '<td style="text-align: right;"><strong>' in plain["evidence/appraisal.md"]
    assert list_pages(project, cache) == plain
    kept = cache_rows.rows(cache, KIND)
    assert len(kept) >= len(list(project.studies_dir.glob("*.yaml")))  # the studies table
    assert list_pages(project, cache) == plain
    assert cache_rows.rows(cache, KIND).keys() == kept.keys()  # warm: nothing rendered again


# Edits of one study; each must render again at least one row, at most one per table the study
# is in (the studies table, the matrix, the appraisal grid, its theme lists).
STUDY_EDITS = {
    "title": lambda record: {**record, "title": f"Retitled {record.get('title')}"},
    "year": lambda record: {**record, "year": int(record.get("year") or 2000) - 1},
}


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("edit", sorted(STUDY_EDITS))
def test_after_a_change_to_one_study_its_rows_alone_are_rendered_again(
        tmp_path: Path, scenario: str, edit: str) -> None:
    project = scenario_project(tmp_path / "review", scenario)
    cache = tmp_path / "cache"
    list_pages(project, cache)
    before = set(cache_rows.rows(cache, KIND))
    study = sorted(project.studies_dir.glob("*.yaml"))[0]
    record = yaml.safe_load(study.read_text("utf-8"))
    study.write_text(yaml.safe_dump(STUDY_EDITS[edit](record), allow_unicode=True), "utf-8")
    warm = list_pages(project, cache)
    assert warm == list_pages(project, None)
    rendered_again = set(cache_rows.rows(cache, KIND)) - before
    themes = sum(1 for path in warm if path.startswith("themes/") and "--" in path)
    assert 1 <= len(rendered_again) <= 3 + themes


def test_a_change_to_a_column_renders_every_row_of_its_table(tmp_path: Path) -> None:
    """A subtheme's title is in every row of the matrix (the screen-reader text of a tick)."""
    project = make_project(tmp_path / "review", "synthetic-meta-ethnography")
    cache = tmp_path / "cache"
    list_pages(project, cache)
    review = project.root / "review.yaml"
    text = review.read_text("utf-8")
    assert "title: Being noticed" in text
    review.write_text(text.replace("title: Being noticed", "title: Being seen", 1), "utf-8")
    warm = list_pages(project, cache)
    assert warm == list_pages(project, None)
    assert "Being seen" in warm["evidence/matrix.md"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_kept_row_is_what_a_warm_build_shows(tmp_path: Path, scenario: str) -> None:
    """Control: the cache is really read (byte identity alone could pass with it unread)."""
    project = scenario_project(tmp_path / "review", scenario)
    cache = tmp_path / "cache"
    list_pages(project, cache)
    for key in cache_rows.rows(cache, KIND):
        cache_rows.store_bytes(cache, KIND, key, b"<tr><td>Changed in the cache.</td></tr>")
    warm = list_pages(project, cache)
    for path in SHOWN[scenario]:
        assert "<tr><td>Changed in the cache.</td></tr>" in warm[path]
