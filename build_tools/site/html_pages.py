"""Pages whose body is raw HTML (Page.body_html) reach MkDocs without Markdown.

Python-Markdown passes one block of raw HTML through unchanged (it is set aside whole and put
back, stripped of the blank lines around it), so handing MkDocs that HTML directly gives the
same page at a fraction of the cost: a study page took ~10 ms to convert, a one-paragraph page
0.5 ms. tests/test_html_pages.py checks the equality against Markdown itself, and the exported
tree, which plain MkDocs builds with Markdown, gives the same site (tests/test_docs_tree.py).
"""

from __future__ import annotations

import html
import re


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
