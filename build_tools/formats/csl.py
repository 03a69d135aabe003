"""A study's citation, or the review's own, as a CSL-JSON item: the one mapping every reference
format starts from (formats.reference_formats lists the writers).

CSL-JSON is the input of citation processors and of reference managers
(https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html). Fields we do not know are
left out, never filled in: a record that gives only its first author yields one author.
"""

from __future__ import annotations

from typing import Any

from build_tools.core.identifiers import (
    ENTRY_TYPES,
    EntryType,
    arxiv_url,
    csl_entry_type,
    entry_type,
)
from build_tools.core.neutral import one_line
from build_tools.crossref.works import Author, Citation
from build_tools.formats.version_citation import VersionCitation

ARXIV_ARCHIVE = "arXiv"
CITEPROC_UNKNOWN = frozenset({"custom", "citation-key"})
INCOMPLETE_AUTHORS = "author list incomplete: only the first author is recorded"


def csl_item(key: str, citation: Citation) -> dict[str, Any]:
    """The CSL-JSON item for one study; `key` (the study id) becomes its `id`."""
    item: dict[str, Any] = {"id": key, **identifier_fields(citation)}
    authors = [_csl_name(a) for a in citation.authors]
    if not authors and citation.first_author:
        authors = [{"family": _clean(citation.first_author)}]
    if authors:
        item["author"] = authors
    if citation.year is not None:
        item["issued"] = {"date-parts": [[citation.year]]}
    for name, value in (
        ("title", citation.title), ("container-title", citation.journal),
        ("volume", citation.volume), ("issue", citation.issue), ("page", citation.pages),
        ("DOI", citation.doi),
    ):
        if value not in (None, ""):
            item[name] = _clean(value)
    notes = missing_notes(citation)
    if notes:
        item["note"] = "; ".join(notes)
    return item


def review_item(citation: VersionCitation) -> dict[str, Any]:
    """The review itself, one version of it, as one more CSL-JSON item: written by the same
    BibTeX, RIS and CSL-JSON writers as the studies (a web page: RIS ELEC, BibTeX @misc)."""
    date = citation.date
    item: dict[str, Any] = {"id": citation.key, "type": "webpage",
                            "title": _clean(citation.title),
                            "issued": {"date-parts": [[date.year, date.month, date.day]]},
                            "genre": _clean(citation.genre)}
    if citation.authors:
        item["author"] = [_csl_name(a) for a in citation.authors]
    for name, value in (("version", citation.version), ("DOI", citation.doi),
                        ("URL", citation.url)):
        if value:
            item[name] = _clean(value)
    return item
def identifier_fields(citation: Citation) -> dict[str, Any]:
    """Type, citation key, URL, PMID and arXiv eprint as CSL-JSON has them (CSL 1.0.2).

    An arXiv eprint is written as Zotero writes a preprint: `number` "arXiv:ID" and `archive`
    "arXiv"; its abstract page is the URL when the record gives none. A declared BibTeX type
    that CSL cannot tell apart (phdthesis and mastersthesis are both `thesis`) is kept in
    `custom`, the CSL-JSON place for data without a CSL variable, so BibTeX gets it back.
    """
    found = citation.identifiers
    kind = entry_type(found.entry_type, bool(citation.journal))
    fields: dict[str, Any] = {"type": kind.csl}
    if found.entry_type is not None:
        fields["custom"] = {"bibtex-type": kind.bibtex}
    if found.citation_key:
        fields["citation-key"] = found.citation_key
    if found.arxiv:
        fields["number"] = f"arXiv:{found.arxiv}"
        fields["archive"] = ARXIV_ARCHIVE
    if found.pmid:
        fields["PMID"] = found.pmid
    url = found.url or (arxiv_url(found.arxiv) if found.arxiv else None)
    if url:
        fields["URL"] = url
    return fields


def arxiv_id(item: dict[str, Any]) -> str | None:
    """The arXiv identifier of a CSL item written by `identifier_fields`, if it has one."""
    number = item.get("number")
    if item.get("archive") == ARXIV_ARCHIVE and isinstance(number, str):
        return number.removeprefix("arXiv:")
    return None


def item_entry_type(item: dict[str, Any]) -> EntryType:
    """The item's type as BibTeX and RIS name it, the declared BibTeX type first."""
    declared = (item.get("custom") or {}).get("bibtex-type")
    return ENTRY_TYPES[declared] if declared in ENTRY_TYPES else csl_entry_type(item["type"])


def citeproc_item(item: dict[str, Any]) -> dict[str, Any]:
    """The item without what citeproc-py 0.11 does not know (it warns about each)."""
    return {k: v for k, v in item.items() if k not in CITEPROC_UNKNOWN}


def missing_notes(citation: Citation) -> list[str]:
    """What a reader of an exported reference must be told is missing, not absent."""
    notes = []
    if not citation.authors and citation.first_author:
        notes.append(INCOMPLETE_AUTHORS)
    return notes


def missing_fields(citation: Citation) -> list[str]:
    """Parts of the reference not yet curated, for the site's note under a formatted reference."""
    missing = []
    if not citation.authors:
        missing.append("full author list" if citation.first_author else "authors")
    if citation.year is None:
        missing.append("year")
    if not citation.title:
        missing.append("title")
    if not citation.journal:
        missing.append("journal")
    return missing


def _csl_name(author: Author) -> dict[str, str]:
    name = {"family": _clean(author.family)}
    if author.given:
        name["given"] = _clean(author.given)
    return name


def _clean(value: Any) -> str:
    """One line of text without control or bidi characters: references are single-line in every
    format we write (BibTeX, RIS, CSL-JSON, APA), and Crossref text never met the YAML loader."""
    return one_line(value)
