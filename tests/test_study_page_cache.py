"""Study pages kept between builds (pages/study_pages.py): the pages are byte for byte those of
a build without the cache, after a study or a review-level input changed; only what changed is
rendered again; and the cache is really read (a control)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import UndefinedError

from build_tools.core.project import Project
from build_tools.pages import study_pages
from build_tools.pages.generate import generate_site
from build_tools.pages.render import make_environment
from tests import cache_rows
from tests.factories import make_project

SCENARIO = "synthetic-meta-ethnography"  # studies that support subthemes, in their own wording


def study_page_texts(project: Project, cache: Path | None) -> dict[str, str]:
    return {p.path: p.content for p in generate_site(project, output_cache=cache).pages
            if p.path.startswith("studies/") and p.path != "studies/index.md"}


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the study pages rendered (not read from the cache) from now on."""
    seen: list[str] = []
    real = study_pages.study_page_text

    def recording(render, view, study):  # type: ignore[no-untyped-def]
        seen.append(study.id)
        return real(render, view, study)

    monkeypatch.setattr(study_pages, "study_page_text", recording)
    return seen


def test_no_cold_and_warm_cache_give_the_same_pages(tmp_path: Path, rendered: list[str]) -> None:
    project = make_project(tmp_path / "review", SCENARIO)
    cache = tmp_path / "cache"
    plain = study_page_texts(project, None)
    assert study_page_texts(project, cache) == plain
    assert len(cache_rows.rows(cache, "study-pages")) == len(plain) > 2
    rendered.clear()
    assert study_page_texts(project, cache) == plain
    assert rendered == []


# Which study pages each edit must render again: those it shows on (and only those).
SUPPORTING = ["synthetic-ethnography-01", "synthetic-ethnography-02"]  # support being-noticed
EDITS = {
    "subtheme title": ("title: Being noticed", "title: Being seen", SUPPORTING),
    "wording": ("study: ethnography", "study: fieldwork", "all"),
    "review question": ("describe belonging?", "describe being at home?", []),
}


@pytest.mark.parametrize("edit", ["study", *EDITS])
def test_after_a_change_the_pages_are_those_of_a_build_without_cache(
        tmp_path: Path, rendered: list[str], edit: str) -> None:
    project = make_project(tmp_path / "review", SCENARIO)
    cache = tmp_path / "cache"
    study_page_texts(project, cache)
    first = sorted(project.studies_dir.glob("*.yaml"))[0]
    review = project.root / "review.yaml"
    if edit == "study":
        first.write_text(first.read_text("utf-8").replace(
            "Made-up contribution.", "Made-up contribution, revised.", 1), "utf-8")
        expected: object = [first.stem]
    else:
        old, new, expected = EDITS[edit]
        text = review.read_text("utf-8")
        assert old in text
        review.write_text(text.replace(old, new, 1), "utf-8")
    rendered.clear()
    warm = study_page_texts(project, cache)
    rendered_again = sorted(rendered)
    assert warm == study_page_texts(project, None)
    if expected == "all":
        assert len(rendered_again) == len(warm)
    else:
        assert rendered_again == expected


def test_a_kept_page_is_what_a_warm_build_shows(tmp_path: Path) -> None:
    """Control: the cache is really read (byte identity alone could pass with it unread)."""
    project = make_project(tmp_path / "review", SCENARIO)
    cache = tmp_path / "cache"
    study_page_texts(project, cache)
    for key in cache_rows.rows(cache, "study-pages"):
        cache_rows.store_bytes(cache, "study-pages", key, b"Changed in the cache.\n")
    assert set(study_page_texts(project, cache).values()) == {"Changed in the cache.\n"}


def test_the_template_sees_only_the_view(tmp_path: Path) -> None:
    """Reading anything of the review beyond the view is an error, never a page the key
    does not cover."""
    project = make_project(tmp_path / "review", SCENARIO)
    evidence = generate_site(project).evidence
    view = study_pages.study_page_view(evidence)
    template = make_environment().from_string("{{ evidence.studies }}")
    with pytest.raises(UndefinedError):
        template.render(evidence=view)
