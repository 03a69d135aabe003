"""Long lists are split into parts that link to each other; a short list keeps its one page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_tools.pages import render, views
from build_tools.pages.paging import numbered_paths, split_into_parts
from build_tools.site.build import build_site
from tests.factories import make_project, synthetic_record, write_record

path_of = numbered_paths("list")


def test_numbered_paths_keep_the_first_part_at_the_lists_address() -> None:
    assert [path_of(n) for n in (1, 2, 10)] == ["list.md", "list-2.md", "list-10.md"]
    assert numbered_paths("evidence/matrix")(3) == "evidence/matrix-3.md"


def test_parts_hold_at_most_per_page_items_in_order() -> None:
    parts = split_into_parts(list(range(7)), 3, path_of, lambda chunk: f"{chunk[0]}–{chunk[-1]}")
    assert [p.items for p in parts] == [(0, 1, 2), (3, 4, 5), (6,)]
    assert [p.path for p in parts] == ["list.md", "list-2.md", "list-3.md"]
    assert [link.label for link in parts[1].parts] == ["0–2", "3–5", "6–6"]
    assert all(p.split and p.count == 3 for p in parts)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_list_that_fits_keeps_its_one_unlabelled_page(count: int) -> None:
    (part,) = split_into_parts(list(range(count)), 3, path_of, lambda chunk: "never")
    assert (part.path, part.label, part.split) == ("list.md", "", False)


def test_parts_must_share_a_folder() -> None:
    with pytest.raises(ValueError, match="share a folder"):
        split_into_parts([1, 2], 1, lambda n: "a.md" if n == 1 else "b/a.md", str)


def test_split_references_link_each_other_and_build_strictly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "REFERENCES_PER_PAGE", 3)
    project = make_project(tmp_path / "review")  # four studies: parts of 3 and 1
    site = build_site(project, strict=True)
    first = (site / "references" / "index.html").read_text("utf-8")
    second = (site / "references-2" / "index.html").read_text("utf-8")
    for page, other in ((first, "../references-2/"), (second, "../references/")):
        assert "Part" in page and f'href="{other}"' in page
        assert "The 4 included studies" in page
    assert len(re.findall(r'class="lr-reference"', first)) == 3
    assert len(re.findall(r'class="lr-reference"', second)) == 1
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>', first, re.S)
    assert nav is not None and "references-2" not in nav.group()


def test_split_matrix_and_appraisal_link_their_parts_and_build_strictly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "rows_per_page", lambda columns: 1)
    project = make_project(tmp_path / "review")  # one study per part
    for number in (1, 2):  # synthetic: mapped to a subtheme and appraised
        write_record(project.studies_dir, synthetic_record(
            number, contributions=[{"subtheme": "human-connection"}],
            appraisal=[{"question": 1, "answer": "yes"}]))
    site = build_site(project, strict=True)
    for name in ("matrix", "appraisal"):
        first = (site / "evidence" / name / "index.html").read_text("utf-8")
        second = (site / "evidence" / f"{name}-2" / "index.html").read_text("utf-8")
        assert f'href="../{name}-2/"' in first and f'href="../{name}/"' in second
        body = second.split('class="md-content"')[1]
        assert body.count("../../studies/") >= 1
        # the summaries (unmapped or unappraised list, counts, questions) only on part 1
        assert ("The questions" in first) == (name == "appraisal")
        assert "The questions" not in second and "per subtheme" not in second


def test_rows_per_page_keeps_wide_tables_short_and_small_reviews_on_one_page() -> None:
    assert views.rows_per_page(1) == 1000
    assert views.rows_per_page(10) < views.rows_per_page(5) < 1000
    assert views.rows_per_page(500) == 100


def test_a_long_list_of_a_theme_moves_to_pages_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "THEME_LIST_LIMIT", 1)
    monkeypatch.setattr(render, "LIST_PART_SIZE", 1)
    project = make_project(tmp_path / "review")
    for number in (1, 2):
        write_record(project.studies_dir, synthetic_record(
            number, contributions=[{"subtheme": "human-connection", "note": "Synthetic note."}]))
    site = build_site(project, strict=True)
    theme = next(p for p in (site / "themes").iterdir() if "--" not in p.name and p.is_dir())
    page = (theme / "index.html").read_text("utf-8")
    listed = sorted(p.name for p in (site / "themes").iterdir() if "--human-connection" in p.name)
    assert len(listed) == 2  # two parts of one study each
    assert f'href="../{listed[0]}/"' in page and "The list of all 2" in page
    first = (site / "themes" / listed[0] / "index.html").read_text("utf-8")
    assert f'href="../{listed[1]}/"' in first and "../../studies/synthetic-" in first
    assert "Synthetic note" in first + (site / "themes" / listed[1] / "index.html").read_text()
