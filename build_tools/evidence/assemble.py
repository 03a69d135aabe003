"""Assemble the evidence: studies with citations, themes with their studies, and honest counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from build_tools.core.identifiers import FORMATS as IDENTIFIER_FORMATS
from build_tools.core.identifiers import NO_IDENTIFIERS, Identifiers
from build_tools.crossref.cache import CachedWork, normalise_doi
from build_tools.crossref.works import (
    CITATION_FIELDS,
    Citation,
    citation_from_record,
    citation_from_work,
)
from build_tools.records.identifier_fields import record_identifiers
from build_tools.records.schema import FieldSpec, PackageSchema
from build_tools.records.tables import Row

DEFAULT_STATUS = "identified"


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str | None
    note: str | None


@dataclass(frozen=True)
class Contribution:
    subtheme: str
    note: str | None


@dataclass(frozen=True)
class Answer:
    answer: str
    comment: str | None


@dataclass(frozen=True)
class StudySource:
    description: str
    url: str | None


@dataclass(frozen=True)
class Study:
    id: str
    citation: Citation
    values: dict[str, Any] = field(compare=False)
    contributions: tuple[Contribution, ...]
    appraisal: dict[int, Answer] = field(compare=False)
    sources: tuple[StudySource, ...]

    @property
    def perspective(self) -> str | None:
        return self.values.get("perspective")

    @property
    def curation_status(self) -> str:
        return self.values.get("curation_status") or DEFAULT_STATUS

    @property
    def label(self) -> str:
        """'Aherne et al. (2018)': how the site refers to a study in lists and tables."""
        family = self.citation.first_family or self.id
        if len(self.citation.authors) == 2:
            family = f"{self.citation.authors[0].family} & {self.citation.authors[1].family}"
        elif len(self.citation.authors) > 2:
            family = f"{family} et al."
        year = self.citation.year if self.citation.year else "year not yet curated"
        return f"{family} ({year})"


@dataclass(frozen=True)
class Subtheme:
    id: str
    theme: str
    title: str
    summary: str | None
    caveat: str | None
    source: str | None
    studies: tuple[tuple[Study, str | None], ...]


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    summary: str | None
    source: str | None
    subthemes: tuple[Subtheme, ...]

    @property
    def studies(self) -> tuple[Study, ...]:
        seen: dict[str, Study] = {}
        for subtheme in self.subthemes:
            for study, _ in subtheme.studies:
                seen.setdefault(study.id, study)
        return tuple(seen.values())


@dataclass(frozen=True)
class Evidence:
    """Everything the pages show, computed once from validated data."""

    review: dict[str, Any]
    sources: dict[str, Source]
    studies: tuple[Study, ...]
    themes: tuple[Theme, ...]
    study_fields: tuple[FieldSpec, ...]
    table_fields: tuple[FieldSpec, ...]
    appraisal_questions: tuple[tuple[int, str], ...]
    table_filters: tuple[str, ...] = ()  # field names readers can filter the studies table by

    @property
    def expected_count(self) -> int | None:
        included = self.review.get("included_studies") or {}
        count = included.get("count") if isinstance(included, dict) else None
        return count if isinstance(count, int) else None

    @property
    def characteristic_fields(self) -> tuple[FieldSpec, ...]:
        """Fields shown as study characteristics: all but the citation and bookkeeping ones."""
        hidden = {*CITATION_FIELDS, "id", "curation_status", "added_in", "notes"}
        return tuple(f for f in self.study_fields
                     if f.name not in hidden and f.format not in IDENTIFIER_FORMATS)

    def count_by(self, attribute: str) -> list[tuple[str, int]]:
        counts = Counter(getattr(s, attribute) or "not yet curated" for s in self.studies)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def study(self, study_id: str) -> Study:
        return next(s for s in self.studies if s.id == study_id)

    def subtheme(self, subtheme_id: str) -> Subtheme:
        return next(s for t in self.themes for s in t.subthemes if s.id == subtheme_id)


def assemble_evidence(
    review: dict[str, Any],
    tables: dict[str, list[Row]],
    schema: PackageSchema,
    works: dict[str, CachedWork],
) -> Evidence:
    """Join the validated tables and cached works into the reader's view of the review."""
    by_study: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table in schema.child_tables():
        parent_column = next(iter(table.parent), None)
        for row in tables[table.name]:
            owner = row.values.get(parent_column) if parent_column else None
            by_study.setdefault(str(owner), {}).setdefault(table.path[0], []).append(row.values)
    studies = []
    for row in sorted(tables[schema.studies.name], key=lambda r: str(r.values.get("id"))):
        studies.append(_study(row.values, by_study.get(str(row.values["id"]), {}), works,
                              record_identifiers(schema.studies, row.values)))
    studies.sort(key=lambda s: (s.citation.first_family or s.id).lower() + s.id)
    themes = _themes(tables, studies)
    questions = tuple(
        (int(r.values["number"]), str(r.values["text"]))
        for r in tables.get("appraisal_questions", [])
    )
    return Evidence(
        review=review,
        sources=_sources(review),
        studies=tuple(studies),
        themes=themes,
        study_fields=schema.studies.fields,
        table_fields=tuple(
            f for name in schema.studies.descriptor.get("x-table-columns", [])
            if (f := schema.studies.field(name)) is not None
        ),
        appraisal_questions=questions,
        table_filters=tuple(schema.studies.descriptor.get("x-table-filters", [])),
    )


def _study(
    values: dict[str, Any], children: dict[str, list[dict[str, Any]]],
    works: dict[str, CachedWork], identifiers: Identifiers = NO_IDENTIFIERS,
) -> Study:
    citation = citation_from_record(values, identifiers)
    doi = values.get("doi")
    if doi and normalise_doi(doi) in works:
        citation = citation_from_work(works[normalise_doi(doi)], citation)
    return Study(
        id=str(values["id"]),
        citation=citation,
        values=values,
        contributions=tuple(
            Contribution(c["subtheme"], c.get("note")) for c in children.get("contributions", [])
        ),
        appraisal={
            int(a["question"]): Answer(a["answer"], a.get("comment"))
            for a in children.get("appraisal", [])
        },
        sources=tuple(
            StudySource(s["description"], s.get("url")) for s in children.get("sources", [])
        ),
    )


def _themes(tables: dict[str, list[Row]], studies: list[Study]) -> tuple[Theme, ...]:
    supporting: dict[str, list[tuple[Study, str | None]]] = {}
    for study in studies:
        for contribution in study.contributions:
            supporting.setdefault(contribution.subtheme, []).append((study, contribution.note))
    themes = []
    for theme_row in tables.get("themes", []):
        theme = theme_row.values
        subthemes = tuple(
            Subtheme(
                id=s.values["id"],
                theme=theme["id"],
                title=s.values["title"],
                summary=s.values.get("summary"),
                caveat=s.values.get("caveat"),
                source=s.values.get("source"),
                studies=tuple(supporting.get(s.values["id"], ())),
            )
            for s in tables.get("subthemes", [])
            if s.values.get("theme") == theme["id"]
        )
        themes.append(Theme(theme["id"], theme["title"], theme.get("summary"),
                            theme.get("source"), subthemes))
    return tuple(themes)


def _sources(review: dict[str, Any]) -> dict[str, Source]:
    sources = review.get("sources") or {}
    return {
        key: Source(key, str(value.get("title") or key), value.get("url"), value.get("note"))
        for key, value in sources.items()
        if isinstance(value, dict)
    }
