"""Kept pages that pass through a build: taken out of MkDocs' run and written from the page store.

MkDocs builds every page, its context, template, plugins' handlers and file (~1 ms a page, most
of what MkDocs spent on a rebuild at 10,000 studies), even when the page store holds the page's
finished HTML. A page that passes through has its file written from the store when the build
plans (page_store.plan_reuse) and is marked excluded, so MkDocs' loops skip it: before MkDocs
reads any page when every title of the navigation is known without reading (the page is then
never read; links to its anchors are checked against its source, html_pages.RawHtmlPage), else
once every page is read. The plugin does the rest of what the loops would have done that shows
in the site: the page's search entries, kept with it, added at its place in the index (before
the next page MkDocs builds is indexed, the rest at the end), and its line in the sitemap.
tests/test_page_store.py compares every byte of sites built with and without the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from build_tools.site import search_summary
from build_tools.site.page_store import PageStore, SearchEntries


def may_pass(page: Page) -> bool:
    """Whether a page's search entries can be made without building it: one indexer makes
    them, so they keep their order. Material's search leaves the page out (`search: exclude`)
    and ours adds its summary, or Material indexes it and it declares no summary."""
    search = page.meta.get("search")
    left_out = isinstance(search, dict) and bool(search.get("exclude"))
    return left_out or not isinstance(page.meta.get(search_summary.SUMMARY_KEY), str)


@dataclass
class Passing:
    """The pages that pass through this build, in MkDocs' order, and what to do for them."""

    store: PageStore
    pages: list[Page]
    positions: dict[str, int]  # each documentation page's place in MkDocs' order
    documentation_pages: Sequence[File]  # what the sitemap lists, as MkDocs would list it
    indexed: int = 0  # how many of `pages` have their search entries

    def index_before(self, src_uri: str, config: MkDocsConfig) -> None:
        """Index the passing pages that come before the page MkDocs is about to index."""
        position = self.positions.get(src_uri)
        if position is None:
            return
        end = self.indexed
        while end < len(self.pages) and self.positions[self.pages[end].file.src_uri] < position:
            end += 1
        self._index_up_to(end, config)

    def finish(self, config: MkDocsConfig) -> None:
        """The search entries of the passing pages after the last page built."""
        self._index_up_to(len(self.pages), config)

    def _index_up_to(self, end: int, config: MkDocsConfig) -> None:
        """The entries the pages before `end` added when they were kept (page_store)."""
        indexer = search_summary.search_indexer(config)
        for page in self.pages[self.indexed:end]:
            if indexer is not None:
                indexer.entries.extend(self.store.passing[page.file.src_uri])
        self.indexed = max(self.indexed, end)


def take_out(store: PageStore, files: Files, inclusion: Callable[[InclusionLevel], bool]
             ) -> Passing:
    """Mark the pages the store lets pass as excluded: MkDocs' loop over `inclusion`'s pages
    (and its sitemap, which this build then gets from the plugin) skips them."""
    sitemap = files.documentation_pages()  # before any page is taken out
    order = files.documentation_pages(inclusion=inclusion)
    pages = [file.page for file in order if file.src_uri in store.passing and file.page]
    for page in pages:
        page.file.inclusion = InclusionLevel.EXCLUDED
    return Passing(store, pages, {file.src_uri: n for n, file in enumerate(order)}, sitemap)


def indexed_so_far(config: MkDocsConfig) -> int | None:
    """How many entries the search index holds (None without a search plugin): a page's own
    entries are those added after this count, while it is built."""
    indexer = search_summary.search_indexer(config)
    return None if indexer is None else len(indexer.entries)


def entries_since(config: MkDocsConfig, count: int | None) -> SearchEntries:
    """The entries added since `indexed_so_far` gave `count`."""
    indexer = search_summary.search_indexer(config)
    if indexer is None or count is None:
        return []
    return list(indexer.entries[count:])
