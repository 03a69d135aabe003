"""How to cite one version of the living review: the facts, APA, CITATION.cff and .zenodo.json.

Everything comes from review.yaml (`title`, and the optional `citation:` block with `authors`,
`concept_doi`, `version_doi`), the release (version and date) and the site's address (`site_url`
in mkdocs.yml). Nothing is guessed: a missing DOI or address is left out. BibTeX, RIS and
CSL-JSON are written from `csl.review_item(citation)` by the writers of the studies' references
(formats.reference_formats), and APA by the studies' formatter (`references.apa_of_item`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import yaml

from build_tools.crossref.works import Author
from build_tools.evidence.review import Review

GENRE = "Living systematic review"


@dataclass(frozen=True)
class VersionCitation:
    title: str
    authors: tuple[Author, ...]
    version: str | None  # None: a development build
    date: dt.date
    url: str | None
    concept_doi: str | None
    version_doi: str | None
    abstract: str | None
    genre: str = GENRE  # the review's kind, as its wording names it

    @classmethod
    def from_review(cls, review: Review, version: str | None, date: dt.date,
                    site_url: str | None) -> VersionCitation:
        url = None
        if site_url:
            url = site_url.rstrip("/") + "/" + (f"{version}/" if version else "")
        return cls(version=version, date=date, url=url, **review_facts(review))

    @property
    def key(self) -> str:
        """The citation key (BibTeX) and CSL-JSON id: versions are digits and dots."""
        return "livingreview" + (f"_v{self.version.replace('.', '_')}" if self.version
                                 else "_dev")


    @property
    def doi(self) -> str | None:
        """The version's own DOI, else the DOI of all versions."""
        return self.version_doi or self.concept_doi

    @property
    def version_label(self) -> str:
        return f"Version {self.version}" if self.version else "development build"


def review_facts(review: Review) -> dict[str, Any]:
    """The review's title, authors, DOIs, question and kind: the one place that reads them for
    a citation."""
    block = review.citation
    question = review.question.text if review.question else None
    return {
        "title": review.title or "Untitled living review",
        "authors": tuple(Author.parse(a) for a in block.authors) if block else (),
        "concept_doi": (block.concept_doi if block else None) or None,
        "version_doi": (block.version_doi if block else None) or None,
        "abstract": " ".join(question.split()) if question else None,
        "genre": review.wording.review[:1].upper() + review.wording.review[1:],
    }


def citation_cff(c: VersionCitation) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the released version."""
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this living review, please cite the version you used.",
        "type": "dataset",
        "title": c.title,
        "authors": _cff_authors(c),
        "version": c.version,
        "date-released": c.date.isoformat(),
    }
    if c.doi:
        data["doi"] = c.doi
    if c.concept_doi and c.version_doi:
        data["identifiers"] = [
            {"type": "doi", "value": c.version_doi, "description": f"This version ({c.version})"},
            {"type": "doi", "value": c.concept_doi, "description": "All versions"},
        ]
    if c.url:
        data["url"] = c.url
    if c.abstract:
        data["abstract"] = c.abstract
    header = "# Written by `livingreview release` for each released version.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _cff_authors(c: VersionCitation) -> list[dict[str, str]]:
    if not c.authors:
        return [{"name": f"Contributors to {c.title}"}]
    return [{"family-names": a.family, **({"given-names": a.given} if a.given else {})}
            for a in c.authors]


def zenodo_json(c: VersionCitation) -> str:
    """.zenodo.json: the metadata Zenodo uses when it archives a release of the repository."""
    creators = [{"name": a.display} for a in c.authors] or [
        {"name": f"Contributors to {c.title}"}]
    data: dict[str, Any] = {
        "title": f"{c.title} ({c.version_label})",
        "upload_type": "publication",
        "publication_type": "other",
        "version": c.version,
        "publication_date": c.date.isoformat(),
        "creators": creators,
        "description": c.abstract or c.title,
        "access_right": "open",
    }
    if c.url:
        data["related_identifiers"] = [
            {"identifier": c.url, "relation": "isIdenticalTo", "scheme": "url"}]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
