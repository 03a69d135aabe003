"""The build pipeline, top to bottom: check (load, validate, metadata) → assemble → pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from build_tools.core.errors import Problem
from build_tools.core.project import Project
from build_tools.core.timings import stage
from build_tools.evidence.assemble import Evidence, assemble_evidence
from build_tools.evidence.checks import check_project
from build_tools.evidence.review import build_review
from build_tools.pages.page import Page
from build_tools.pages.registry import Handwritten, SiteInputs, produce_pages
from build_tools.pages.version_pages import VersionData
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row


@dataclass(frozen=True)
class AssembledSite:
    """The checked, assembled review: what every page is made from, and the warnings met."""

    evidence: Evidence
    warnings: tuple[Problem, ...]
    schema: PackageSchema
    tables: dict[str, list[Row]]

    def inputs(self, version: VersionData | None = None, site_url: str | None = None,
               handwritten: tuple[Handwritten, ...] = (),
               output_cache: Path | None = None,
               use_directory_urls: bool = True) -> SiteInputs:
        """The producers' inputs, with what the edge gathered (version, address, docs/, the
        folder of outputs kept between builds)."""
        return SiteInputs(self.evidence, self.schema, self.tables, version, site_url,
                          handwritten, output_cache, use_directory_urls)


@dataclass(frozen=True)
class GeneratedSite(AssembledSite):
    """The assembled review and the pages that need nothing else (no version pages)."""

    pages: tuple[Page, ...] = ()


def assemble_site(project: Project, output_cache: Path | None = None) -> AssembledSite:
    """Read, check and assemble the project's files; raises InvalidRecords on bad input.
    `output_cache` keeps parsed study files between builds (the records are the same)."""
    checked = check_project(project, output_cache)
    schema = checked.valid_schema()
    records, validation = checked.records, checked.validation
    assert records.review is not None  # valid_schema() checked it
    with stage("assemble"):
        evidence = assemble_evidence(build_review(records.review), validation.tables, schema,
                                     checked.works)
    warnings = tuple(p for p in validation.problems if p.severity == "warning")
    return AssembledSite(evidence, warnings, schema, validation.tables)


def generate_site(project: Project, *, output_cache: Path | None = None) -> GeneratedSite:
    """The review's pages from the project's files, without version pages (those need what the
    build edge gathers: see site.site_plan); raises InvalidRecords on bad input. `output_cache`
    keeps per-study outputs between builds (core.output_cache): the pages are the same."""
    site = assemble_site(project, output_cache)
    return GeneratedSite(site.evidence, site.warnings, site.schema, site.tables,
                         produce_pages(site.inputs(output_cache=output_cache)))
