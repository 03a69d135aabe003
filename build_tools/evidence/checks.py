"""Every check a build makes before assembling evidence: the schema's, then the cache's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from build_tools.core.clock import build_date
from build_tools.core.errors import InvalidRecords, Problem
from build_tools.core.input_files import folder_problems
from build_tools.core.project import Project
from build_tools.core.timings import stage
from build_tools.crossref.cache import CachedWork, read_cached_works
from build_tools.crossref.metadata_checks import check_against_cache
from build_tools.crossref.works import BUILD_FIELDS
from build_tools.records.load import Records, load_records
from build_tools.records.schema import PackageSchema
from build_tools.records.validate import Validation, validate_records


@dataclass(frozen=True)
class CheckedProject:
    """The records and every problem found in them: always complete, so callers check `ok`
    only. `schema` is None only when the schema could not be read; its problems are then in
    `validation`, which has no tables."""

    records: Records
    schema: PackageSchema | None
    validation: Validation
    # The cached Crossref works of the studies' DOIs, read once here for the checks and the
    # build alike (keyed by normalised DOI).
    works: dict[str, CachedWork] = field(default_factory=dict)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.validation.problems

    @property
    def ok(self) -> bool:
        return self.schema is not None and self.validation.ok

    def valid_schema(self) -> PackageSchema:
        """The schema of valid records; InvalidRecords (every problem) otherwise."""
        if self.schema is None or not self.validation.ok or self.records.review is None:
            raise InvalidRecords(list(self.problems))
        return self.schema


def check_project(project: Project, output_cache: Path | None = None) -> CheckedProject:
    """Load and validate every record (`output_cache`: parses and passed rows kept between
    builds)."""
    with stage("load"):
        records = load_records(project, output_cache=output_cache)
    return check_records(project, records, output_cache)


def check_records(project: Project, records: Records,
                  output_cache: Path | None = None) -> CheckedProject:
    """Every check of loaded records: the schema's, then the Crossref cache's files and their
    agreement with the records."""
    if records.schema is None:
        return CheckedProject(records, None, Validation(records.problems, {}))
    try:
        schema = PackageSchema.from_document(records.schema)
    except InvalidRecords as error:  # a schema without usable tables
        problems = (*records.problems, *error.problems)
        return CheckedProject(records, None, Validation(problems, {}))
    with stage("validate"):
        validation = validate_records(records, schema, build_date(project.root),
                                      output_cache)
    rows = validation.tables.get(schema.studies.name, [])
    with stage("metadata"):
        # The cache is input like docs/: a link in it must not publish what it points to.
        found = folder_problems(project.root, project.cache_dir)
        dois = [str(r.values["doi"]) for r in rows if r.values.get("doi")]
        works = read_cached_works(project.cache_dir, dois, BUILD_FIELDS)
        found += check_against_cache(rows, works)
    if found:
        merged = sorted({*validation.problems, *found},
                        key=lambda p: (p.file, p.line, p.field, p.message))
        validation = Validation(tuple(merged), validation.tables)
    return CheckedProject(records, schema, validation, works)
