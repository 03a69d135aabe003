"""The page registry: every page from one ordered list of producers, each page with its place in
the navigation; producers with nothing to show give no page; adding a page is one producer."""

from __future__ import annotations

import datetime as dt

from build_tools.core.project import Project
from build_tools.pages.generate import AssembledSite, assemble_site
from build_tools.pages.page import Page
from build_tools.pages.registry import (
    PRODUCERS,
    Handwritten,
    SiteInputs,
    build_nav,
    produce_pages,
)
from build_tools.versions.versioning import build_version, version_data

DATE = dt.date(2030, 5, 6)


def _inputs(project: Project, site: AssembledSite, **extra) -> SiteInputs:
    version = version_data(build_version(project, site, None, DATE))
    return site.inputs(version, "https://example.org/lr/", **extra)


def test_navigation_follows_the_producers_order(project: Project) -> None:
    site = assemble_site(project)
    handwritten = (Handwritten("notes.md", "Notes"), Handwritten("index.md", "Replaced"))
    pages = produce_pages(_inputs(project, site, handwritten=handwritten))
    top = [next(iter(entry)) for entry in build_nav(pages)]
    assert top == ["Home", "Methods", "Themes", "Studies", "References", "Evidence",
                   "Downloads", "What changed", "Cite this version", "About"]
    assert build_nav(pages)[-1] == {"About": [{"Notes": "notes.md"}]}  # index.md is generated
    paths = [page.path for page in pages]
    assert len(paths) == len(set(paths))
    for path in ("feed.xml", "cite/living-review-development.bib",
                 "cite/living-review-development.ris", "cite/living-review-development.json",
                 "downloads/references.bib"):
        assert path in paths and next(p for p in pages if p.path == path).nav is None


def test_producers_with_nothing_to_show_give_no_page(project: Project) -> None:
    site = assemble_site(project)
    paths = {page.path for page in produce_pages(site.inputs())}  # no version, no docs/
    assert "index.md" in paths and "downloads/index.md" in paths
    assert not paths & {"changelog.md", "cite.md", "feed.xml"}
    assert not any(path.startswith(("cite/", "release/")) for path in paths)
    assert all(not page.handwritten for page in produce_pages(site.inputs()))


def test_adding_a_page_is_one_producer(project: Project) -> None:
    site = assemble_site(project)

    def glossary(inputs: SiteInputs) -> list[Page]:
        return [Page("glossary.md", f"# Glossary of {len(inputs.evidence.themes)} themes\n",
                     ("Glossary",))]

    producers = list(PRODUCERS)
    producers.insert(producers.index(next(p for p in PRODUCERS if p.__name__ == "downloads")),
                     glossary)
    pages = produce_pages(_inputs(project, site), producers)
    top = [next(iter(entry)) for entry in build_nav(pages)]
    assert top[top.index("Glossary") + 1] == "Downloads"
    assert next(p for p in pages if p.path == "glossary.md").content.startswith("# Glossary")
