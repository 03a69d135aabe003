"""Hand-written docs pages join the generated navigation under "About"."""

from __future__ import annotations

from pathlib import Path

from build_tools.core.project import Project
from build_tools.pages.page import Page
from build_tools.site.build import build_site
from build_tools.site.plugin import about_section


def test_handwritten_pages_are_listed_under_about_by_their_heading(tmp_path: Path) -> None:
    (tmp_path / "guide").mkdir()
    (tmp_path / "performance.md").write_text("Intro\n# Build performance\n", "utf-8")
    (tmp_path / "guide" / "no-heading.md").write_text("text only\n", "utf-8")
    (tmp_path / "index.md").write_text("# Replaced by a generated page\n", "utf-8")
    pages = (Page("index.md", "# Home", ("Home",)),)
    assert about_section(tmp_path, pages) == [
        {"About": [{"no-heading": "guide/no-heading.md"},
                   {"Build performance": "performance.md"}]}]


def test_no_handwritten_pages_means_no_about_section(tmp_path: Path) -> None:
    assert about_section(tmp_path / "missing", ()) == []


def test_the_built_site_links_the_handwritten_page(project: Project, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    (project.root / "docs" / "notes.md").write_text("# Notes for readers\n\nHello.\n", "utf-8")
    site = build_site(project)
    home = (site / "index.html").read_text("utf-8")
    assert 'href="notes/"' in home
    assert "Notes for readers" in home
