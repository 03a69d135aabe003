"""Pages whose body is raw HTML (Page.body_html) reach MkDocs without Markdown.

Python-Markdown passes one block of raw HTML through unchanged (it is set aside whole and put
back, stripped of the blank lines around it), so handing MkDocs that HTML directly gives the
same page at a fraction of the cost: a study page took ~10 ms to convert, a one-paragraph page
0.5 ms. tests/test_html_pages.py checks the equality against Markdown itself, and the exported
tree, which plain MkDocs builds with Markdown, gives the same site (tests/test_docs_tree.py).
The plugin makes such a page a `RawHtmlPage`, which does not even set Python-Markdown up (MkDocs
makes a converter with every extension for each page: ~2 ms).
"""

from __future__ import annotations

import html
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.meta import get_data


class RawHtmlPage(Page):
    """An MkDocs page whose source is raw HTML under front matter: its HTML is its body, with
    the anchors MkDocs would have found in it and no table of contents (raw HTML adds none).
    Its title is its front matter's.

    The anchors are found when first asked for: MkDocs asks only for a page that another
    page links to with an anchor, and scanning each of 10,000 study pages cost ~0.3 ms. A page
    that passes through unread (site/passing.py) finds them in its source the same way."""

    _rendered_html: str | None = None  # the body as rendered, where its anchors are found
    _unread_source: str | None = None  # the source of a page that is never read or rendered
    _anchor_ids: set[str] | None = None

    def pass_unread(self, source: str) -> None:
        """This page is not read or rendered in this build (its output is kept): links to its
        anchors are still checked, against `source`."""
        self._unread_source = source

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("the page's source has not been read")
        self.content = self._rendered_html = markdown_output(self.markdown)
        self._anchor_ids = self._unread_source = None
        self.toc = get_toc([])

    @property
    def present_anchor_ids(self) -> set[str] | None:
        if self._anchor_ids is None and self._rendered_html is None \
                and self._unread_source is not None:
            self._rendered_html = markdown_output(get_data(self._unread_source)[0])
        if self._anchor_ids is None and self._rendered_html is not None:
            self._anchor_ids = anchor_ids(self._rendered_html)
        return self._anchor_ids

    @present_anchor_ids.setter
    def present_anchor_ids(self, value: set[str] | None) -> None:
        self._anchor_ids, self._rendered_html, self._unread_source = value, None, None


def markdown_output(body: str) -> str:
    """What Python-Markdown makes of a body that is one block of raw HTML."""
    return body.strip()


_ID = re.compile(r"""<[A-Za-z][^<>]*?\sid=(?:"([^"]*)"|'([^']*)')""")
_NAME = re.compile(r"""<a\s[^<>]*?\bname=(?:"([^"]*)"|'([^']*)')""")


def anchor_ids(body: str) -> set[str]:
    """The ids a link may point to (MkDocs checks links to anchors against them), found as
    MkDocs' own raw-HTML scan finds them: every `id`, and `name` on <a>. Record text cannot
    add one: its quotes are numeric references."""
    found = set()
    for pattern in (_ID, _NAME):
        for match in pattern.finditer(body):
            found.add(html.unescape(match.group(1) if match.group(1) is not None
                                    else match.group(2)))
    return found
