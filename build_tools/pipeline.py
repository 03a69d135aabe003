"""The build pipeline, top to bottom: load → validate → metadata → assemble → render."""

from __future__ import annotations

from dataclasses import dataclass

from build_tools.assemble import Evidence, assemble_evidence
from build_tools.clock import build_date
from build_tools.crossref_cache import read_cached_works
from build_tools.downloads import download_pages
from build_tools.errors import InvalidRecords, Problem
from build_tools.metadata_checks import check_against_cache
from build_tools.project import Project
from build_tools.records import Records, load_records
from build_tools.render import Page, render_pages
from build_tools.schema import PackageSchema
from build_tools.tables import Row
from build_tools.validate import Validation, validate_records


@dataclass(frozen=True)
class GeneratedSite:
    """The generated pages, and the warnings met on the way."""

    pages: tuple[Page, ...]
    evidence: Evidence
    warnings: tuple[Problem, ...]
    schema: PackageSchema
    tables: dict[str, list[Row]]


def check_project(project: Project) -> tuple[Records, PackageSchema | None, Validation | None]:
    """Load and validate; returns the validation (None when the schema itself is unreadable)."""
    records = load_records(project)
    schema, validation = check_records(project, records)
    return records, schema, validation


def check_records(
    project: Project, records: Records
) -> tuple[PackageSchema | None, Validation | None]:
    """Every check of loaded records: the schema's, then agreement with the Crossref cache."""
    if records.schema is None:
        return None, None
    schema = PackageSchema.from_document(records.schema)
    validation = validate_records(records, schema, build_date(project.root))
    warnings = check_against_cache(validation.tables[schema.studies.name], project.cache_dir)
    if warnings:
        problems = sorted({*validation.problems, *warnings},
                          key=lambda p: (p.file, p.line, p.field, p.message))
        validation = Validation(tuple(problems), validation.tables)
    return schema, validation


def generate_site(project: Project) -> GeneratedSite:
    """Everything MkDocs needs, from the project's files; raises InvalidRecords on bad input."""
    records, schema, validation = check_project(project)
    if validation is None or schema is None:
        raise InvalidRecords(list(records.problems))
    if not validation.ok:
        raise InvalidRecords(list(validation.problems))
    assert records.review is not None
    dois = [str(r.values["doi"]) for r in validation.tables[schema.studies.name]
            if r.values.get("doi")]
    works = read_cached_works(project.cache_dir, dois)
    evidence = assemble_evidence(records.review.data, validation.tables, schema, works)
    pages = render_pages(evidence)
    pages += download_pages(evidence, schema, validation.tables)
    warnings = tuple(p for p in validation.problems if p.severity == "warning")
    return GeneratedSite(tuple(pages), evidence, warnings, schema, validation.tables)
