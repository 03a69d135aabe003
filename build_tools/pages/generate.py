"""The build pipeline, top to bottom: check (load, validate, metadata) → assemble → render."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from build_tools.core.errors import Problem
from build_tools.core.output_cache import OutputCache
from build_tools.core.project import Project
from build_tools.core.timings import stage
from build_tools.evidence.assemble import Evidence, assemble_evidence
from build_tools.evidence.checks import check_project
from build_tools.evidence.review import build_review
from build_tools.pages.downloads import download_pages
from build_tools.pages.render import Page, render_pages
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row


@dataclass(frozen=True)
class GeneratedSite:
    """The generated pages, and the warnings met on the way."""

    pages: tuple[Page, ...]
    evidence: Evidence
    warnings: tuple[Problem, ...]
    schema: PackageSchema
    tables: dict[str, list[Row]]


def generate_site(project: Project, *, output_cache: Path | None = None) -> GeneratedSite:
    """Everything MkDocs needs, from the project's files; raises InvalidRecords on bad input.

    `output_cache` is a folder where per-study outputs are kept between builds, keyed by their
    input (core.output_cache); None formats everything afresh. The pages are the same either way.
    """
    checked = check_project(project)
    schema = checked.valid_schema()
    records, validation = checked.records, checked.validation
    assert records.review is not None  # valid_schema() checked it
    with stage("assemble"):
        evidence = assemble_evidence(build_review(records.review), validation.tables, schema,
                                     checked.works)
    with stage("render"):
        references = OutputCache(output_cache, "references") if output_cache else None
        pages = render_pages(evidence, references)
    with stage("downloads"):
        pages += download_pages(evidence, schema, validation.tables)
    warnings = tuple(p for p in validation.problems if p.severity == "warning")
    return GeneratedSite(tuple(pages), evidence, warnings, schema, validation.tables)
