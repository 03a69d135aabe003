"""One file of the site, with its place in the navigation: what every page producer returns."""

from __future__ import annotations

from dataclasses import dataclass

from mkdocs.utils import get_relative_url


@dataclass(frozen=True)
class Page:
    """One generated file. `nav` is its place in the navigation: `(title,)` at the top level,
    `(section, title)` inside a section, None out of the navigation (study pages, figures,
    downloads). `content` None marks a hand-written page of docs/ that is only placed (About).

    `body_html`: under its front matter the page is one block of raw HTML, which Markdown
    passes through unchanged, so the plugin hands it to MkDocs without converting it (the
    cost of thousands of study pages)."""

    path: str
    content: str | bytes | None
    nav: tuple[str, ...] | None = None
    body_html: bool = False

    @property
    def handwritten(self) -> bool:
        return self.content is None


def page_url(path: str, use_directory_urls: bool) -> str:
    """The address MkDocs gives the page at `path` (a docs-relative .md path)."""
    stem = path[:-3] if path.endswith(".md") else path
    if not use_directory_urls:
        return f"{stem}.html"
    if stem == "index":
        return "./"
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/"


def relative_url(source: str, target: str, use_directory_urls: bool) -> str:
    """The link from the page at `source` to the page at `target` (both .md paths, `target`
    maybe with a #fragment) as MkDocs writes the same Markdown link; for raw HTML, whose links
    MkDocs does not rewrite."""
    target_path, hash_mark, fragment = target.partition("#")
    link = get_relative_url(page_url(target_path, use_directory_urls),
                            page_url(source, use_directory_urls))
    return link + hash_mark + fragment
