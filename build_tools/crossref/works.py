"""A study's bibliographic citation: from its cached Crossref work, else from the record itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from build_tools.core.identifiers import NO_IDENTIFIERS, Identifiers
from build_tools.core.mdtext import has_math, math_text
from build_tools.core.urls import web_url
from build_tools.crossref.cache import CachedWork, normalise_doi
from build_tools.crossref.markup import plain_text, safe_markup

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


# Update types that put a study's findings in doubt, as opposed to corrections and addenda.
SERIOUS_UPDATES = frozenset({"retraction", "partial_retraction", "withdrawal", "removal",
                             "expression_of_concern"})
SOURCE_NAMES = {"publisher": "the publisher", "retraction-watch": "Retraction Watch"}


@dataclass(frozen=True)
class Update:
    """A notice (retraction, correction, …) that Crossref lists in a work's `updated-by`."""

    doi: str
    type: str
    label: str
    date: str | None
    sources: tuple[str, ...]

    @property
    def serious(self) -> bool:
        return self.type.replace("-", "_") in SERIOUS_UPDATES

    @property
    def reported_by(self) -> str:
        return " and ".join(SOURCE_NAMES.get(s, s) for s in self.sources)


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
    retrieved: str | None = None  # the date the Crossref work was received
    title_markup: Markup | None = None  # title with its safe face markup (<i>, <sub>, …)
    journal_markup: Markup | None = None
    issued: str | None = None  # "2012", "2012-03" or "2012-03-21": as precise as Crossref is
    license: str | None = None
    cited_by: int | None = None  # Crossref's is-referenced-by-count when retrieved
    updates: tuple[Update, ...] = ()
    identifiers: Identifiers = NO_IDENTIFIERS  # arXiv, PMID, URL, type, key

    @property
    def retracted_or_concern(self) -> bool:
        return any(u.serious for u in self.updates)

    @property
    def shown_title(self) -> Markup | str | None:
        """The title as pages show it: with its face markup when it has any."""
        return self.title_markup or self.title

    @property
    def first_family(self) -> str | None:
        return self.authors[0].family if self.authors else self.first_author

    @property
    def authors_complete(self) -> bool:
        return bool(self.authors)


def citation_from_record(values: dict[str, Any],
                         identifiers: Identifiers = NO_IDENTIFIERS) -> Citation:
    title = values.get("title")
    return Citation(
        title=title,
        authors=tuple(Author.parse(a) for a in values.get("authors") or ()),
        first_author=values.get("first_author"),
        year=values.get("year"),
        journal=values.get("journal"),
        volume=values.get("volume"),
        issue=values.get("issue"),
        pages=values.get("pages"),
        doi=values.get("doi"),
        origin="record",
        title_markup=math_text(title) if isinstance(title, str) and has_math(title) else None,
        identifiers=identifiers,
    )


# The fields of a work that a build reads (citation_from_work, work_years, the checks): a
# build reads cached works with only these (cache.read_cached_works).
BUILD_FIELDS = frozenset({
    "title", "container-title", "author", "issued", "published", "published-print",
    "published-online", "volume", "issue", "page", "article-number", "DOI", "license",
    "is-referenced-by-count", "updated-by"})


def citation_from_work(cached: CachedWork, record: Citation) -> Citation:
    """Prefer Crossref's metadata, keeping the record's value where Crossref has none."""
    work = cached.work
    title = _first_text(work.get("title"))
    journal = _first_text(work.get("container-title"))
    return Citation(
        title=plain_text(title) if title else record.title,
        authors=work_authors(work) or record.authors,
        first_author=record.first_author,
        year=issued_year(work) or record.year,
        journal=plain_text(journal) if journal else record.journal,
        volume=_text(work.get("volume")) or record.volume,
        issue=_text(work.get("issue")) or record.issue,
        pages=_text(work.get("page")) or _text(work.get("article-number")) or record.pages,
        doi=_text(work.get("DOI")) or record.doi,
        origin="crossref",
        retrieved=cached.retrieved[:10],
        title_markup=safe_markup(title) if title else None,
        journal_markup=safe_markup(journal) if journal else None,
        issued=_date_text(work.get("issued")),
        license=_license(work.get("license")),
        cited_by=_count(work.get("is-referenced-by-count")),
        updates=work_updates(work),
        identifiers=record.identifiers,
    )


def work_authors(work: dict[str, Any]) -> tuple[Author, ...]:
    """Authors in order: people as family/given/ORCID, organisations by their `name`."""
    authors = []
    for entry in _items(work.get("author")):
        if not isinstance(entry, dict):
            continue
        family = plain_text(_text(entry.get("family")) or _text(entry.get("name")) or "")
        if family:
            authors.append(Author(family=family, given=plain_text(_text(entry.get("given")) or ""),
                                  orcid=_text(entry.get("ORCID")) or ""))
    return tuple(authors)


def work_updates(work: dict[str, Any]) -> tuple[Update, ...]:
    """`updated-by` notices, once each: the publisher and Retraction Watch may both list one."""
    merged: dict[tuple[str, str], Update] = {}
    for entry in _items(work.get("updated-by")):
        if not isinstance(entry, dict) or not isinstance(entry.get("DOI"), str):
            continue
        kind = (_text(entry.get("type")) or "update").lower()
        key = (normalise_doi(entry["DOI"]), kind)
        source = _text(entry.get("source")) or "publisher"
        date = _date_text(entry.get("updated"))
        if key in merged:
            old = merged[key]
            sources = old.sources if source in old.sources else (*old.sources, source)
            merged[key] = Update(old.doi, old.type, old.label, old.date or date, sources)
        else:
            label = _text(entry.get("label")) or kind.replace("_", " ").capitalize()
            merged[key] = Update(key[0], kind, label, date, (source,))
    return tuple(sorted(merged.values(), key=lambda u: (not u.serious, u.date or "", u.doi)))


def issued_year(work: dict[str, Any]) -> int | None:
    parts = _date_parts(work.get("issued"))
    return parts[0] if parts else None


def work_years(work: dict[str, Any]) -> set[int]:
    """Every year Crossref gives the work: issued, print and online can differ by years."""
    keys = ("issued", "published", "published-print", "published-online")
    return {parts[0] for key in keys if (parts := _date_parts(work.get(key)))}


def _date_parts(date: Any) -> list[int]:
    """[year, month?, day?] from {"date-parts": [[…]]}; [] for [[null]] and other odd shapes."""
    try:
        parts = date["date-parts"][0]
    except (KeyError, IndexError, TypeError):
        return []
    valid = []
    for part in parts or ():
        if not isinstance(part, int) or isinstance(part, bool):
            break
        valid.append(part)
    return valid[:3]


def _date_text(date: Any) -> str | None:
    parts = _date_parts(date)
    if not parts:
        return None
    return "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])])


def _license(licenses: Any) -> str | None:
    """The licence of the version of record when given, else the first one. The address is
    publisher data from the network: one that fails the URL rule (urls.url_problem) is dropped,
    never linked."""
    entries = [e for e in _items(licenses) if isinstance(e, dict) and web_url(e.get("URL"))]
    for entry in entries:
        if entry.get("content-version") == "vor":
            return entry["URL"]
    return entries[0]["URL"] if entries else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _items(value: Any) -> list[Any]:
    """A field Crossref documents as an array; anything else (text, a number, null) is empty."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """Text as given; a whole number (`"volume": 12`) as its digits; anything else is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def work_texts(value: Any) -> list[str]:
    """The non-empty texts of an array field (title, container-title); one text counts too."""
    items = [value] if isinstance(value, str) else _items(value)
    return [item for item in items if isinstance(item, str) and item.strip()]


def _first_text(value: Any) -> str | None:
    """Titles and journal names are arrays in Crossref; the first non-empty one counts."""
    texts = work_texts(value)
    return texts[0] if texts else None
