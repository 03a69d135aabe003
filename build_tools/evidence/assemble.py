"""Assemble the evidence: studies with citations, themes with their studies, and honest counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
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
from build_tools.evidence.review import Review, Source
from build_tools.evidence.synthesis import Excerpt, Translation, synthesis_rows
from build_tools.records.findings_framework import FindingsFramework, findings_framework
from build_tools.records.identifier_fields import record_identifiers
from build_tools.records.schema import FieldSpec, PackageSchema
from build_tools.records.tables import Row

__all__ = ["Evidence", "Review", "Source", "Study", "Subtheme", "Theme", "assemble_evidence"]

DEFAULT_STATUS = "identified"


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


# The lists of a study record that the generator's own sections show; any other child table the
# schema declares (effects, outcomes, quotes, …) is shown as a table of its own (ChildTable).
SHOWN_BY_SECTIONS = frozenset({"contributions", "appraisal", "sources"})


@dataclass(frozen=True)
class ChildTable:
    """A study's rows of a child table the schema declares, with the columns it declares (the
    column that links a row to its study left out)."""

    name: str
    title: str
    description: str
    columns: tuple[FieldSpec, ...]
    rows: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Study:
    id: str
    citation: Citation
    values: dict[str, Any] = field(compare=False)
    contributions: tuple[Contribution, ...]
    appraisal: dict[int, Answer] = field(compare=False)
    sources: tuple[StudySource, ...]
    extra_tables: tuple[ChildTable, ...] = ()

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
    """A node below a top-level theme, at any depth; `theme` is the top-level theme whose page
    shows it, `studies` those attached to this node itself, `total` the distinct studies of the
    node and everything below it (a study under two children counts once)."""

    id: str
    theme: str
    title: str
    summary: str | None
    caveat: str | None
    source: str | None
    studies: tuple[tuple[Study, str | None], ...]
    depth: int = 1  # 1: a child of the top-level theme
    parent: str | None = None
    all_studies: tuple[Study, ...] = ()  # distinct, of this node and every node below it

    @property
    def total(self) -> int:
        return len(self.all_studies)


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    summary: str | None
    source: str | None
    subthemes: tuple[Subtheme, ...]  # every node below the theme, depth first
    own_studies: tuple[tuple[Study, str | None], ...] = ()  # attached to the theme itself

    @property
    def studies(self) -> tuple[Study, ...]:
        """The distinct studies of the theme and of every node below it."""
        seen: dict[str, Study] = {study.id: study for study, _ in self.own_studies}
        for subtheme in self.subthemes:
            for study, _ in subtheme.studies:
                seen.setdefault(study.id, study)
        return tuple(seen.values())


@dataclass(frozen=True)
class ChartSpec:
    """An entry of the studies table's `x-charts`: a field, with an optional id and title."""

    field: FieldSpec
    id: str
    title: str | None


@dataclass(frozen=True)
class Evidence:
    """Everything the pages show, computed once from validated data."""

    review: Review
    studies: tuple[Study, ...]
    themes: tuple[Theme, ...]
    study_fields: tuple[FieldSpec, ...]
    table_fields: tuple[FieldSpec, ...]
    appraisal_questions: tuple[tuple[int, str], ...]
    table_filters: tuple[str, ...] = ()  # field names readers can filter the studies table by
    matrix_split: FieldSpec | None = None  # x-matrix-split: the field the matrix counts by
    charts: tuple[ChartSpec, ...] = ()  # x-charts: the fields drawn on the charts page
    findings_framework: FindingsFramework | None = None  # x-findings on the findings table
    translations: tuple[Translation, ...] = ()  # x-synthesis: translations (none: no page)
    excerpts: tuple[Excerpt, ...] = ()  # x-synthesis: excerpts, shown on the theme pages

    @property
    def sources(self) -> Mapping[str, Source]:
        return self.review.sources

    @property
    def expected_count(self) -> int | None:
        return self.review.expected_count

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
        return self.studies_by_id[study_id]

    @cached_property
    def studies_by_id(self) -> dict[str, Study]:
        return {s.id: s for s in self.studies}

    def excerpts_of(self, node_id: str) -> tuple[Excerpt, ...]:
        """The excerpts illustrating one subtheme (or theme), in the studies' order."""
        return tuple(sorted((e for e in self.excerpts if e.subtheme == node_id),
                            key=lambda e: self._order[e.study]))

    @cached_property
    def _order(self) -> dict[str, int]:
        return {s.id: n for n, s in enumerate(self.studies)}

    def subtheme(self, subtheme_id: str) -> Subtheme:
        """The node a contribution names: a subtheme at any depth, or a top-level theme (then
        shown as a node of its own page)."""
        found = next((s for t in self.themes for s in t.subthemes if s.id == subtheme_id), None)
        if found is not None:
            return found
        theme = next(t for t in self.themes if t.id == subtheme_id)
        return Subtheme(theme.id, theme.id, theme.title, theme.summary, None, theme.source,
                        theme.own_studies, 0, None, theme.studies)


def assemble_evidence(
    review: Review,
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
    extra = _extra_tables(schema, tables)
    studies = []
    for row in sorted(tables[schema.studies.name], key=lambda r: str(r.values.get("id"))):
        study_id = str(row.values["id"])
        study = _study(row.values, by_study.get(study_id, {}), works,
                       record_identifiers(schema.studies, row.values))
        studies.append(replace(study, extra_tables=tuple(
            child for found in extra if (child := found.get(study_id)) is not None)))
    studies.sort(key=lambda s: (s.citation.first_family or s.id).lower() + s.id)
    themes = _themes(review, studies)
    translations, excerpts = synthesis_rows(schema, tables)
    questions = tuple((q.number, q.text) for q in
                      (review.appraisal_tool.questions if review.appraisal_tool else ()))
    return Evidence(
        review=review,
        studies=tuple(studies),
        themes=themes,
        study_fields=schema.studies.fields,
        table_fields=tuple(
            f for name in schema.studies.descriptor.get("x-table-columns", [])
            if (f := schema.studies.field(name)) is not None
        ),
        appraisal_questions=questions,
        table_filters=tuple(schema.studies.descriptor.get("x-table-filters", [])),
        matrix_split=schema.studies.field(str(schema.studies.descriptor["x-matrix-split"]))
        if schema.studies.descriptor.get("x-matrix-split") else None,
        charts=_charts(schema),
        findings_framework=findings_framework(schema),
        translations=translations,
        excerpts=excerpts,
    )


def _extra_tables(schema: PackageSchema,
                  tables: dict[str, list[Row]]) -> list[dict[str, ChildTable]]:
    """Per declared child table not shown by a section of its own: each study's rows of it."""
    found = []
    for table in schema.child_tables():
        if table.path[0] in SHOWN_BY_SECTIONS or not table.parent:
            continue
        links = set(table.parent)
        columns = tuple(f for f in table.fields if f.name not in links)
        link = next(iter(table.parent))
        rows: dict[str, list[dict[str, Any]]] = {}
        for row in tables.get(table.name, []):
            rows.setdefault(str(row.values.get(link)), []).append(row.values)
        description = str(table.descriptor.get("description") or "")
        found.append({owner: ChildTable(table.name, table.title, description, columns,
                                        tuple(values))
                      for owner, values in rows.items()})
    return found


def _charts(schema: PackageSchema) -> tuple[ChartSpec, ...]:
    """`x-charts: [country, {field: analysis_method, id: method, title: ...}]`; names that are
    not fields of the studies table are left out."""
    charts = []
    for entry in schema.studies.descriptor.get("x-charts") or ():
        item = entry if isinstance(entry, dict) else {"field": entry}
        spec = schema.studies.field(str(item.get("field")))
        if spec is not None:
            title = item.get("title")
            charts.append(ChartSpec(spec, str(item.get("id") or spec.name),
                                    str(title) if title else None))
    return tuple(charts)


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
            Contribution(str(c.get("subtheme") or c.get("theme")), c.get("note"))
            for c in children.get("contributions", [])
        ),
        appraisal={
            int(a["question"]): Answer(a["answer"], a.get("comment"))
            for a in children.get("appraisal", [])
        },
        sources=tuple(
            StudySource(s["description"], s.get("url")) for s in children.get("sources", [])
        ),
    )


def _themes(review: Review, studies: list[Study]) -> tuple[Theme, ...]:
    """The theme tree: top-level themes (no `parent`) with every node below them, whether a
    nested subtheme or a theme that names its parent, depth first in review.yaml's order."""
    supporting: dict[str, list[tuple[Study, str | None]]] = {}
    for study in studies:
        for contribution in study.contributions:
            supporting.setdefault(contribution.subtheme, []).append((study, contribution.note))
    nodes: dict[str, Node] = {}
    children: dict[str, list[str]] = {}
    for theme in review.themes:
        nodes[theme.id] = Node(theme.title, theme.summary, None, theme.source)
        if theme.parent:
            children.setdefault(theme.parent, []).append(theme.id)
        for sub in theme.subthemes:
            nodes[sub.id] = Node(sub.title, sub.summary, sub.caveat, sub.source)
            children.setdefault(theme.id, []).append(sub.id)

    def below(node_id: str, seen: frozenset[str]) -> dict[str, Study]:
        found = {s.id: s for s, _ in supporting.get(node_id, ())}
        for child in children.get(node_id, ()):
            if child not in seen:
                for study_id, study in below(child, seen | {child}).items():
                    found.setdefault(study_id, study)
        return found

    def descend(root: str, node_id: str, depth: int, seen: frozenset[str]) -> list[Subtheme]:
        result = []
        for child in children.get(node_id, ()):
            if child in seen:
                continue  # a cycle; validation reports it
            node = nodes[child]
            result.append(Subtheme(child, root, node.title, node.summary, node.caveat,
                                   node.source, tuple(supporting.get(child, ())), depth,
                                   node_id, tuple(below(child, seen | {child}).values())))
            result += descend(root, child, depth + 1, seen | {child})
        return result

    return tuple(
        Theme(theme.id, theme.title, theme.summary, theme.source,
              tuple(descend(theme.id, theme.id, 1, frozenset({theme.id}))),
              tuple(supporting.get(theme.id, ())))
        for theme in review.themes if not theme.parent
    )


@dataclass(frozen=True)
class Node:
    title: str
    summary: str | None
    caveat: str | None
    source: str | None
