"""Page titles written into front matter, so a build without our plugin shows the same titles.

The plugin pins every page's `meta.title` to `mdtext.plain_title(page.title)` after MkDocs has
rendered it. Without the plugin, the title must already be in the page's front matter, so this
module works out the title MkDocs would give the page, in MkDocs' own order: the navigation's
title, the front matter's `title`, the page's first-element `# ` heading, "Home" for the home
page, else the file name.
"""

from __future__ import annotations

import math
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import markdown
import yaml
from mkdocs.utils.meta import get_data
from mkdocs.utils.rendering import get_heading_text

from build_tools.core.mdtext import plain_title

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")  # MkDocs' page suffixes
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def is_markdown(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def nav_titles(nav: Any) -> dict[str, str | None]:
    """Page path -> the title the navigation gives it (None: a bare path, titled by the page)."""
    titles: dict[str, str | None] = {}
    for title, target in _nav_entries(nav):
        titles.setdefault(target, title)
    return titles


def _nav_entries(nav: Any) -> Iterator[tuple[str | None, str]]:
    if isinstance(nav, str):
        yield None, nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_entries(item)
    elif isinstance(nav, dict):
        for title, target in nav.items():
            if isinstance(target, str):
                yield str(title), target
            else:
                yield from _nav_entries(target)


class TitleReader:
    """Finds a page's heading title as MkDocs does, with the project's Markdown extensions."""

    def __init__(self, extensions: list[Any], configs: dict[str, Any]) -> None:
        self._md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        self._found: list[str | None] = [None]
        self._md.treeprocessors.register(_FirstHeading(self._md, self._found),
                                         "living_review_title", 1)

    def heading(self, body: str) -> str | None:
        """The first element's h1 text; only the first block is rendered (one line, mostly)."""
        first = _BLANK_LINE.split(body.lstrip("\n"), maxsplit=1)[0]
        self._found[0] = None
        self._md.reset()
        self._md.convert(first)
        return self._found[0]


class _FirstHeading(markdown.treeprocessors.Treeprocessor):
    def __init__(self, md: markdown.Markdown, found: list[str | None]) -> None:
        super().__init__(md)
        self.found = found

    def run(self, root: ET.Element) -> None:
        for element in root:
            if element.tag == "h1":
                self.found[0] = get_heading_text(element, self.md)
            break


def page_title(path: str, meta: dict[str, Any], body: str, nav_title: str | None,
               reader: TitleReader) -> str:
    """The title MkDocs gives a page before any plugin changes it."""
    if nav_title is not None:
        return nav_title
    if "title" in meta:
        return str(meta["title"])
    heading = reader.heading(body)
    if heading:
        return heading
    if path in ("index.md", "README.md"):
        return "Home"
    stem = posixpath.splitext(posixpath.basename(path))[0]
    name = (stem if stem != "README" else "index").replace("-", " ").replace("_", " ")
    return name.capitalize() if name.lower() == name else name


def with_title(path: str, source: str, nav_title: str | None, reader: TitleReader) -> str:
    """`source` with front matter whose `title` is the plain title the plugin would pin."""
    body, meta = get_data(source)
    title = plain_title(page_title(path, meta, body, nav_title, reader))
    if meta.get("title") == title and source.startswith("---"):
        return source
    front = yaml.safe_dump({**meta, "title": title}, sort_keys=False, allow_unicode=True,
                           width=math.inf)
    return f"---\n{front}---\n\n{body}"
