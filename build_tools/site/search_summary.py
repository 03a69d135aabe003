"""A search entry for a page kept out of the search parser: its title and `search_summary`.

Study pages say `search: {exclude: true}` and `search_summary: "authors · year · journal"` in
their front matter: parsing each page's whole HTML cost the search plugin ~5 ms a page, and
indexing it made the index ~1.4 KB a study. This one entry (~0.3 KB) keeps a study findable by
title, author, year and journal. It is added through the search plugin's own indexer, so it has
the form of every other entry.

This module imports nothing of living-review: the plugin calls `on_page_context`, and the
exported tree (`livingreview export-docs`) carries this file as a MkDocs hook, so a plain
`mkdocs build` of the export indexes the same entries.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

SUMMARY_KEY = "search_summary"  # the front-matter key
SUMMARY_BOOST = 0.5  # a study ranks below the review's own pages on the same words


@dataclass
class SummaryPage:
    """The little of a page a search indexer reads for one entry."""

    url: str
    title: str
    content: str
    toc: Any
    meta: dict[str, Any]


def search_indexer(config: Any) -> Any:
    """The search plugin's index (Material's or MkDocs' own; both add entries from a page),
    or None when no search plugin runs."""
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        index = getattr(plugin, "search_index", None)
        enabled = getattr(getattr(plugin, "config", None), "enabled", True)
        if index is not None and hasattr(index, "add_entry_from_context") and enabled:
            return index
    return None


def summary_page(url: str, title: str, summary: str, toc: Any) -> SummaryPage:
    """One section: the title as its heading, the summary as escaped text."""
    content = f'<h1 id="title">{html.escape(title)}</h1>\n<p>{html.escape(summary)}</p>'
    return SummaryPage(url, title, content, toc, {"search": {"boost": SUMMARY_BOOST}})


def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    """MkDocs' page_context event: add the page's summary entry, if it declares one."""
    summary = page.meta.get(SUMMARY_KEY)
    if isinstance(summary, str):
        indexer = search_indexer(config)
        if indexer is not None:
            indexer.add_entry_from_context(summary_page(page.url, str(page.title), summary,
                                                        page.toc))
    return context
