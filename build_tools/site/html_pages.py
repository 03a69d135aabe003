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


class RawHtmlPage(Page):
    """An MkDocs page whose source is raw HTML under front matter: its HTML is its body, with
    the anchors MkDocs would have found in it and no table of contents (raw HTML adds none).
    Its title is its front matter's."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("the page's source has not been read")
        self.content = markdown_output(self.markdown)
        self.toc = get_toc([])
        self.present_anchor_ids = anchor_ids(self.content)


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
