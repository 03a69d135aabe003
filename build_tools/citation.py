"""A study's bibliographic citation: from its cached Crossref work, else from the record itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from build_tools.crossref_cache import CachedWork

CITATION_FIELDS = ("doi", "title", "authors", "first_author", "year", "journal", "volume",
                   "issue", "pages")


@dataclass(frozen=True)
class Author:
    family: str
    given: str = ""
    orcid: str = ""

    @classmethod
    def parse(cls, text: str) -> Author:
        """'Family, Given' as written in records; a name without a comma is kept whole."""
        family, _, given = text.partition(",")
        return cls(family.strip(), given.strip())

    @property
    def display(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True)
class Citation:
    """What a reader needs to find the study; `origin` says where it came from."""

    title: str | None
    authors: tuple[Author, ...]
    first_author: str | None
    year: int | None
    journal: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    origin: str  # "crossref" or "record"
    retrieved: str | None = None

    @property
    def first_family(self) -> str | None:
        return self.authors[0].family if self.authors else self.first_author

    @property
    def authors_complete(self) -> bool:
        return bool(self.authors)


def citation_from_record(values: dict[str, Any]) -> Citation:
    return Citation(
        title=values.get("title"),
        authors=tuple(Author.parse(a) for a in values.get("authors") or ()),
        first_author=values.get("first_author"),
        year=values.get("year"),
        journal=values.get("journal"),
        volume=values.get("volume"),
        issue=values.get("issue"),
        pages=values.get("pages"),
        doi=values.get("doi"),
        origin="record",
    )


def citation_from_work(cached: CachedWork, record: Citation) -> Citation:
    """Prefer Crossref's metadata, keeping the record's value where Crossref has none."""
    work = cached.work
    authors = tuple(
        Author(
            family=str(a.get("family") or a.get("name") or ""),
            given=str(a.get("given") or ""),
            orcid=str(a.get("ORCID") or ""),
        )
        for a in work.get("author") or ()
        if isinstance(a, dict) and (a.get("family") or a.get("name"))
    )
    return Citation(
        title=_first(work.get("title")) or record.title,
        authors=authors or record.authors,
        first_author=record.first_author,
        year=_year(work.get("issued")) or record.year,
        journal=_first(work.get("container-title")) or record.journal,
        volume=work.get("volume") or record.volume,
        issue=work.get("issue") or record.issue,
        pages=work.get("page") or work.get("article-number") or record.pages,
        doi=work.get("DOI") or record.doi,
        origin="crossref",
        retrieved=cached.retrieved,
    )


def _first(value: Any) -> str | None:
    if isinstance(value, list) and value and isinstance(value[0], str):
        return " ".join(value[0].split()) or None
    return None


def _year(date: Any) -> int | None:
    try:
        year = date["date-parts"][0][0]
    except (KeyError, IndexError, TypeError):
        return None
    return year if isinstance(year, int) else None
