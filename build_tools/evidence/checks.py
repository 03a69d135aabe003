"""Every check a build makes before assembling evidence: the schema's, then the cache's."""

from __future__ import annotations

from build_tools.core.clock import build_date
from build_tools.core.input_files import folder_problems
from build_tools.core.project import Project
from build_tools.crossref.metadata_checks import check_against_cache
from build_tools.records.load import Records, load_records
from build_tools.records.schema import PackageSchema
from build_tools.records.validate import Validation, validate_records


def check_project(project: Project) -> tuple[Records, PackageSchema | None, Validation | None]:
    """Load and validate; returns the validation (None when the schema itself is unreadable)."""
    records = load_records(project)
    schema, validation = check_records(project, records)
    return records, schema, validation


def check_records(
    project: Project, records: Records
) -> tuple[PackageSchema | None, Validation | None]:
    """Every check of loaded records: the schema's, then the Crossref cache's files and their
    agreement with the records."""
    if records.schema is None:
        return None, None
    schema = PackageSchema.from_document(records.schema)
    validation = validate_records(records, schema, build_date(project.root))
    # The cache is input like docs/: a link in it must not publish what it points to.
    found = [*folder_problems(project.root, project.cache_dir),
             *check_against_cache(validation.tables[schema.studies.name], project.cache_dir)]
    if found:
        problems = sorted({*validation.problems, *found},
                          key=lambda p: (p.file, p.line, p.field, p.message))
        validation = Validation(tuple(problems), validation.tables)
    return schema, validation
