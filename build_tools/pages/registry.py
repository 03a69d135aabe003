"""The page registry: every page of the site comes from one producer in `PRODUCERS`.

A producer is a function from `SiteInputs` to pages. Each page carries its navigation place
(`Page.nav`: a title, or a section and a title); the navigation's order is the order of
`PRODUCERS`, then each producer's own order. Adding a page is adding one producer here.
Producers with nothing to show (no version data, no hand-written pages) return no pages.

Everything a producer needs arrives as data in `SiteInputs`: the evidence and tables, and,
gathered at the edge by the caller, the version being built and the hand-written pages of
docs/. No producer reads a file, git or the environment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from build_tools.core.mdtext import plain_title
from build_tools.core.output_cache import OutputCache
from build_tools.core.timings import stage
from build_tools.evidence.assemble import Evidence
from build_tools.pages.checklists import checklist_pages
from build_tools.pages.downloads import download_pages
from build_tools.pages.feed import feed_page
from build_tools.pages.line_of_argument import line_of_argument_pages
from build_tools.pages.page import Page
from build_tools.pages.render import (
    Renderer,
    home_pages,
    methods_pages,
    reference_pages,
    studies_table_page,
    theme_pages,
)
from build_tools.pages.study_pages import each_study_page
from build_tools.pages.synthesis import translation_pages
from build_tools.pages.version_pages import (
    VersionData,
    changelog_pages,
    cite_pages,
    snapshot_pages,
)
from build_tools.pages.views import evidence_pages
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row

ABOUT_SECTION = "About"


@dataclass(frozen=True)
class Handwritten:
    """A page of docs/ written by hand: its path and its `# ` heading (None: none found)."""

    path: str
    heading: str | None


@dataclass(frozen=True)
class SiteInputs:
    """What the producers read. `version` None: no version pages (and no feed)."""

    evidence: Evidence
    schema: PackageSchema
    tables: Mapping[str, Sequence[Row]]
    version: VersionData | None = None
    site_url: str | None = None
    handwritten: tuple[Handwritten, ...] = ()
    output_cache: Path | None = None  # per-study outputs kept between builds (never different)
    use_directory_urls: bool = True  # the site's address style, for links in raw HTML

    @cached_property
    def render(self) -> Renderer:
        """One Jinja environment and page context for the review's own pages."""
        root = self.output_cache
        return Renderer(self.evidence, OutputCache(root, "references") if root else None,
                        self.use_directory_urls,
                        bibtex_cache=OutputCache(root, "bibtex") if root else None,
                        row_cache=OutputCache(root, "rows") if root else None,
                        citation_cache=OutputCache(root, "citations") if root else None)


Producer = Callable[[SiteInputs], list[Page]]


def home(site: SiteInputs) -> list[Page]:
    return home_pages(site.render)


def methods(site: SiteInputs) -> list[Page]:
    return methods_pages(site.render)


def themes(site: SiteInputs) -> list[Page]:
    return theme_pages(site.render)


def translations(site: SiteInputs) -> list[Page]:
    """The translation table of a meta-ethnography, in the Themes section (none: no page)."""
    return translation_pages(site.evidence, site.render.page)


def line_of_argument(site: SiteInputs) -> list[Page]:
    """The line-of-argument model declared in review.yaml, after the translation table (none
    declared: no page)."""
    return line_of_argument_pages(site.evidence, site.render.page)


def studies(site: SiteInputs) -> list[Page]:
    """The studies table (in the navigation) and one page per study (out of it)."""
    root = site.output_cache
    return [studies_table_page(site.render),
            *each_study_page(site.render, OutputCache(root, "study-pages") if root else None)]


def references(site: SiteInputs) -> list[Page]:
    return reference_pages(site.render)


def evidence(site: SiteInputs) -> list[Page]:
    return evidence_pages(site.evidence, site.render.page, site.render.rows)


def downloads(site: SiteInputs) -> list[Page]:
    root = site.output_cache
    return download_pages(site.evidence, site.schema, site.tables, site.render.citations,
                          site.render.environment, OutputCache(root, "csv") if root else None)


def changelog(site: SiteInputs) -> list[Page]:
    if site.version is None:
        return []
    return changelog_pages(site.version, site.evidence, site.render.environment,
                           site.use_directory_urls)


def cite(site: SiteInputs) -> list[Page]:
    if site.version is None:
        return []
    return cite_pages(site.version, site.evidence, site.site_url, site.render.environment)


def release_data(site: SiteInputs) -> list[Page]:
    return snapshot_pages(site.version) if site.version else []


def feed(site: SiteInputs) -> list[Page]:
    """The updates feed; without recorded releases, one entry for this build."""
    if site.version is None:
        return []
    return [feed_page(site.evidence, site.version.date, site.version.feed)]


def reporting(site: SiteInputs, pages: Sequence[Page] = ()) -> list[Page]:
    """The reporting checklists: they link to the pages built before them (READS_PAGES)."""
    return checklist_pages(site.evidence, {page.path for page in pages}, site.render.page)


def about(site: SiteInputs) -> list[Page]:
    return about_pages(site.handwritten)


def about_pages(handwritten: Sequence[Handwritten]) -> list[Page]:
    """Hand-written docs/*.md pages under "About", titled by their `# ` heading (else the file
    name): placed only, their content stays in docs/."""
    return [Page(h.path, None, (ABOUT_SECTION, h.heading or PurePosixPath(h.path).stem))
            for h in handwritten]


PRODUCERS: tuple[Producer, ...] = (
    home, methods, themes, translations, line_of_argument, studies, references, evidence, downloads,
    changelog, cite, release_data, feed,
    reporting,
    about,
)
# Producers that also read the pages made before them (in PRODUCERS' order).
READS_PAGES: dict[Producer, Callable[[SiteInputs, Sequence[Page]], list[Page]]] = {
    reporting: reporting}


def produce_pages(site: SiteInputs,
                  producers: Sequence[Producer] = PRODUCERS) -> tuple[Page, ...]:
    """Every page, in navigation order. A generated page replaces a hand-written one of the
    same path (as the MkDocs plugin does with the file), so that one is not placed twice."""
    with stage("pages"):
        pages: list[Page] = []
        for produce in producers:
            reader = READS_PAGES.get(produce)
            pages += reader(site, tuple(pages)) if reader else produce(site)
    generated = {page.path for page in pages if not page.handwritten}
    return tuple(page for page in pages if not (page.handwritten and page.path in generated))


def build_nav(pages: Sequence[Page]) -> list[Any]:
    """The MkDocs navigation from the pages' places, in their order; sections gather their
    pages at the place of the section's first page."""
    nav: list[Any] = []
    sections: dict[str, list[Any]] = {}
    for page in pages:
        if not page.nav:
            continue
        if len(page.nav) == 1:
            nav.append({plain_title(page.nav[0]): page.path})
            continue
        section, title = plain_title(page.nav[0]), plain_title(page.nav[-1])
        if section not in sections:
            sections[section] = []
            nav.append({section: sections[section]})
        sections[section].append({title: page.path})
    return nav
