"""The navigation sidebar that pages out of the navigation share, rendered once per build.

Material renders the whole navigation into every page: ~3.5 ms a page with a review's few dozen
entries, as much as the rest of a study page. A raw HTML page (html_pages.RawHtmlPage: no table
of contents) that is not in the navigation gets exactly the sidebar of any other such page with
the same folder and the same `hide` settings: no entry in it is active and every link in it
is relative to its folder. The theme override (assets/theme/main.html) renders it for the first
such page and reuses it for the others. Without the plugin (an exported tree built by plain
MkDocs) no key is set and every page renders its own: tests/test_docs_tree.py compares both.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from build_tools.site.html_pages import RawHtmlPage

CONTEXT_KEY = "lr_shared_nav"  # the page's key (absent: render its own sidebar)


class SharedNav:
    """The sidebars rendered so far in this build, by key."""

    def __init__(self) -> None:
        self._rendered: dict[str, Markup] = {}

    def install(self, environment: Environment) -> None:
        """Start a build: forget the last build's sidebars and give the theme the two calls."""
        self._rendered.clear()
        environment.globals["lr_shared_nav_get"] = self._rendered.get
        environment.globals["lr_shared_nav_put"] = self._put

    def _put(self, key: str, rendered: str) -> Markup:
        self._rendered[key] = Markup(rendered)
        return self._rendered[key]


def add_key(context: dict[str, Any], page: Any, nav: Any) -> None:
    """Give a page that can share its sidebar the key of the sidebar it shares: pages in the
    same folder (`studies/a/` and `studies/b/`) get the same relative links to every page
    outside their own folders, which holds every navigation entry that is not inside them."""
    if not isinstance(page, RawHtmlPage) or nav is None:
        return
    if any(entry is page for entry in nav.pages):
        return  # in the navigation: its own entry is active
    url = str(page.url)
    if url.endswith("/") and any(str(entry.url).startswith(url) for entry in nav.pages):
        return  # a navigation entry inside its folder: its link differs from page to page
    hide = page.meta.get("hide") or []
    settings = sorted(str(item) for item in hide) if isinstance(hide, list) else [str(hide)]
    folder = posixpath.dirname(url.rstrip("/"))
    context[CONTEXT_KEY] = json.dumps([folder, str(context.get("base_url")), settings])
