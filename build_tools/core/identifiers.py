"""Identifiers of a work beside its DOI: arXiv eprints, PubMed ids, entry types, citation keys.

Pure rules, no I/O: what a valid value looks like (each `*_problem` returns the pair that fills a
Problem's message and its bracket, or None), the address a reader follows, and how an entry
type reads in CSL, BibTeX and RIS. The schema says which field holds which (`x-format`), so a
review may name its fields as it likes (records/identifier_checks.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# arXiv identifier schemes (https://info.arxiv.org/help/arxiv_identifier.html):
# since April 2007 YYMM.NNNN, since January 2015 YYMM.NNNNN; before, archive(.SC)/YYMMNNN.
_NEW_ARXIV = re.compile(
    r"(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})\.(?P<number>[0-9]{4,5})(?:v[1-9][0-9]*)?"
)
_OLD_ARXIV = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?/"
    r"(?P<yy>[0-9]{2})(?P<mm>[0-9]{2})[0-9]{3}(?:v[1-9][0-9]*)?"
)
_ARXIV_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)", re.I)
ARXIV_ALLOWED = ("an arXiv identifier such as 2101.00001 or 2101.00001v2 (YYMM.NNNNN), "
                 "or hep-th/9901001 (archive/YYMMNNN) for papers before April 2007")

_PMID = re.compile(r"[1-9][0-9]{0,8}")
_PMID_PREFIX = re.compile(r"^(?:pmid:?\s*|https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|"
                          r"ncbi\.nlm\.nih\.gov/pubmed)/)", re.I)
PMID_ALLOWED = "a PubMed id: a whole number of 1 to 9 digits such as 31452104, without PMID:"

# A BibTeX key as BibTeX, biber and every reference manager read it: no space, comma, brace,
# quote, #, % or backslash; we allow letters, digits and a few marks found in real keys.
_CITATION_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.+/-]{0,99}")
CITATION_KEY_ALLOWED = ("a citation key of letters, digits and _ : . + / - (up to 100 characters, "
                        "starting with a letter or digit), e.g. Smith2020a")


@dataclass(frozen=True)
class Identifiers:
    """A record's identifiers beside its DOI, each already valid (or None)."""

    arxiv: str | None = None
    pmid: str | None = None
    url: str | None = None
    entry_type: str | None = None  # a key of ENTRY_TYPES
    citation_key: str | None = None


NO_IDENTIFIERS = Identifiers()

FORMATS = ("arxiv", "pmid", "url", "entry-type", "citation-key")
"""The `x-format` values that name an identifier (each maps to a field of Identifiers)."""


@dataclass(frozen=True)
class EntryType:
    """One kind of work, as CSL, BibTeX and RIS call it."""

    csl: str
    bibtex: str
    ris: str


# BibTeX's standard entry types (and biblatex's `online`, `report`, `thesis`, `dataset`), then
# CSL types that are not also BibTeX names. `article` is BibTeX's (a journal article): CSL's
# `article` (a preprint or working paper) is what a record with no journal gets by default.
ENTRY_TYPES: dict[str, EntryType] = {
    "article": EntryType("article-journal", "article", "JOUR"),
    "book": EntryType("book", "book", "BOOK"),
    "booklet": EntryType("pamphlet", "booklet", "PAMP"),
    "inbook": EntryType("chapter", "inbook", "CHAP"),
    "incollection": EntryType("chapter", "incollection", "CHAP"),
    "inproceedings": EntryType("paper-conference", "inproceedings", "CPAPER"),
    "conference": EntryType("paper-conference", "conference", "CPAPER"),
    "proceedings": EntryType("book", "proceedings", "CONF"),
    "manual": EntryType("report", "manual", "RPRT"),
    "mastersthesis": EntryType("thesis", "mastersthesis", "THES"),
    "phdthesis": EntryType("thesis", "phdthesis", "THES"),
    "techreport": EntryType("report", "techreport", "RPRT"),
    "unpublished": EntryType("manuscript", "unpublished", "UNPB"),
    "misc": EntryType("article", "misc", "GEN"),
    "online": EntryType("webpage", "online", "ELEC"),
    "report": EntryType("report", "report", "RPRT"),
    "thesis": EntryType("thesis", "thesis", "THES"),
    "dataset": EntryType("dataset", "dataset", "DATA"),
    "article-journal": EntryType("article-journal", "article", "JOUR"),
    "article-magazine": EntryType("article-magazine", "article", "MGZN"),
    "article-newspaper": EntryType("article-newspaper", "article", "NEWS"),
    "paper-conference": EntryType("paper-conference", "inproceedings", "CPAPER"),
    "chapter": EntryType("chapter", "incollection", "CHAP"),
    "manuscript": EntryType("manuscript", "unpublished", "UNPB"),
    "preprint": EntryType("article", "misc", "GEN"),
    "webpage": EntryType("webpage", "misc", "ELEC"),  # @online is biblatex only
}
DEFAULT_JOURNAL_TYPE = "article-journal"
DEFAULT_OTHER_TYPE = "preprint"
ENTRY_TYPE_ALLOWED = "one of: " + ", ".join(sorted(ENTRY_TYPES))


def arxiv_problem(value: Any) -> tuple[str, str] | None:
    """What is wrong with `value` as an arXiv identifier, or None."""
    if not isinstance(value, str):
        return f"{_show(value)} is not text", ARXIV_ALLOWED
    if _ARXIV_PREFIX.match(value):
        return (f"{_show(value)} is a link or has a prefix, not a bare arXiv identifier",
                "write it without arXiv: or https://arxiv.org/abs/, e.g. 2101.00001")
    new = _NEW_ARXIV.fullmatch(value)
    if new:
        yymm = int(new["yy"] + new["mm"])
        digits = 4 if yymm < 1501 else 5
        if yymm < 704 or not 1 <= int(new["mm"]) <= 12 or len(new["number"]) != digits:
            return (f"{_show(value)} is not a possible arXiv identifier (from 0704 to 1412 "
                    "the number has 4 digits, from 1501 on 5, and the month is 01 to 12)",
                    ARXIV_ALLOWED)
        return None
    old = _OLD_ARXIV.fullmatch(value)
    if old and 1 <= int(old["mm"]) <= 12:
        return None
    return f"{_show(value)} is not an arXiv identifier", ARXIV_ALLOWED


def pmid_problem(value: Any) -> tuple[str, str] | None:
    """What is wrong with `value` as a PubMed id, or None."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str):
        return f"{_show(value)} is not a PubMed id", PMID_ALLOWED
    if _PMID_PREFIX.match(text):
        return (f"{_show(text)} is a link or has a prefix, not a bare PubMed id",
                "write only the number, e.g. 31452104")
    if not _PMID.fullmatch(text):
        return f"{_show(text)} is not a PubMed id", PMID_ALLOWED
    return None


def entry_type_problem(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and value in ENTRY_TYPES:
        return None
    return f"{_show(value)} is not a known entry type", ENTRY_TYPE_ALLOWED


def citation_key_problem(value: Any) -> tuple[str, str] | None:
    if isinstance(value, str) and _CITATION_KEY.fullmatch(value):
        return None
    return f"{_show(value)} is not a usable citation key", CITATION_KEY_ALLOWED


def arxiv_url(identifier: str) -> str:
    """The abstract page of an arXiv eprint (identifiers hold only URL-safe characters)."""
    return f"https://arxiv.org/abs/{identifier}"


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def entry_type(declared: str | None, has_journal: bool) -> EntryType:
    """The declared type, else a journal article when there is a journal, else a preprint."""
    if declared in ENTRY_TYPES:
        return ENTRY_TYPES[str(declared)]
    return ENTRY_TYPES[DEFAULT_JOURNAL_TYPE if has_journal else DEFAULT_OTHER_TYPE]


def csl_entry_type(csl_type: str) -> EntryType:
    """The BibTeX and RIS names of a CSL type (every CSL type we write is a key or a value)."""
    if csl_type in ENTRY_TYPES and ENTRY_TYPES[csl_type].csl == csl_type:
        return ENTRY_TYPES[csl_type]
    return next((t for t in ENTRY_TYPES.values() if t.csl == csl_type),
                ENTRY_TYPES[DEFAULT_OTHER_TYPE])


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
