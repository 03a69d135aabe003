"""Long lists split over several pages, so no page outgrows what a browser renders quickly.

At a few thousand studies one page per list (references, the appraisal grid, the evidence
matrix) passes several megabytes and takes a browser minutes; split pages keep every page small
and reachable without JavaScript: each part links to every other part, labelled by the range of
what it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True)
class PartLink:
    """How a part is named and where it is, relative to the folder its pages share."""

    number: int
    label: str
    path: str


@dataclass(frozen=True)
class Part(Generic[Item]):
    """One page of a split list: its items and links to all the parts (itself included)."""

    number: int
    items: tuple[Item, ...]
    parts: tuple[PartLink, ...]

    @property
    def count(self) -> int:
        return len(self.parts)

    @property
    def split(self) -> bool:
        return len(self.parts) > 1

    @property
    def path(self) -> str:
        return self.parts[self.number - 1].path

    @property
    def label(self) -> str:
        return self.parts[self.number - 1].label


def numbered_paths(base: str) -> Callable[[int], str]:
    """Paths of the parts of a list: `base.md` (the list's usual address), `base-2.md`, …"""
    return lambda number: f"{base}.md" if number == 1 else f"{base}-{number}.md"


def split_into_parts(items: Sequence[Item], per_page: int, path_of: Callable[[int], str],
                     label_of: Callable[[Sequence[Item]], str]) -> list[Part[Item]]:
    """`items` in parts of at most `per_page`; part 1 is at `path_of(1)` (the list's usual
    address), so a list short enough for one page keeps exactly the page it had. An empty list
    is one empty part."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    chunks = [tuple(items[start:start + per_page]) for start in range(0, len(items), per_page)]
    chunks = chunks or [()]
    links = tuple(PartLink(number, label_of(chunk) if len(chunks) > 1 else "", path_of(number))
                  for number, chunk in enumerate(chunks, start=1))
    if len({link.path.rsplit("/", 1)[0] if "/" in link.path else "" for link in links}) > 1:
        raise ValueError("the parts of a list must share a folder")
    return [Part(number, chunk, links) for number, chunk in enumerate(chunks, start=1)]
