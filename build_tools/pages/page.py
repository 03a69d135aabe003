"""One file of the site, with its place in the navigation: what every page producer returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One generated file. `nav` is its place in the navigation: `(title,)` at the top level,
    `(section, title)` inside a section, None out of the navigation (study pages, figures,
    downloads). `content` None marks a hand-written page of docs/ that is only placed (About)."""

    path: str
    content: str | bytes | None
    nav: tuple[str, ...] | None = None

    @property
    def handwritten(self) -> bool:
        return self.content is None
