"""Validate only the study records changed against a git base, for fast checks of pull requests.

The changed records get every check; the checks that compare records with each other (one record
per id, one record per DOI) still run against all studies, so a new record cannot duplicate an old
one. A change to review.yaml or the schema can break any record, so then everything is checked.
git is run by core/gitrepo.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from build_tools.core import gitrepo
from build_tools.core.errors import Code, Problem
from build_tools.core.project import Project
from build_tools.evidence.checks import CheckedProject, check_project, check_records
from build_tools.records.load import Records, load_records
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row, collect_rows
from build_tools.records.validate import Validation
from build_tools.records.yaml_source import YamlDocument

DEFAULT_BASE = "origin/main"


@dataclass(frozen=True)
class ChangedFiles:
    """Study files changed against the base, and whether a change affects every record."""

    base: str
    studies: frozenset[Path]
    everything: bool


@dataclass(frozen=True)
class ChangedValidation:
    checked: CheckedProject  # the changed records (all, when everything changed)
    changed: ChangedFiles
    total_studies: int


def changed_files(project: Project, base: str = DEFAULT_BASE) -> ChangedFiles:
    """Files differing between `base` and the working tree, plus untracked new files."""
    top = Path(_git(project, "rev-parse", "--show-toplevel",
                    failure=f"{project.root} is not in a git repository; --changed compares "
                            "with a git base").strip()).resolve()
    _git(project, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}",
         failure=f"git base {base!r} not found (fetch it first, or name another, "
                 "e.g. --changed main or --changed HEAD~1)")
    names = _git(project, "diff", "--name-only", "--no-renames", "-z", base, "--").split("\0")
    names += _git(project, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    paths = {(top / name).resolve() for name in names if name}
    everything = bool({project.review_file.resolve(), project.schema_file.resolve()} & paths)
    studies_dir = project.studies_dir.resolve()
    studies = frozenset(p for p in paths
                        if p.parent == studies_dir and p.suffix in {".yaml", ".yml"} and p.exists())
    return ChangedFiles(base, studies, everything)


def validate_changed(project: Project, base: str = DEFAULT_BASE) -> ChangedValidation:
    """Every check on the changed studies, the cross-record checks against all of them."""
    changed = changed_files(project, base)
    all_records = load_records(project)
    if changed.everything:
        return ChangedValidation(check_project(project), changed, len(all_records.studies))
    records = load_records(project, only=set(changed.studies))
    checked = check_records(project, records)
    if checked.schema is None:
        return ChangedValidation(checked, changed, len(all_records.studies))
    others = tuple(d for d in all_records.studies
                   if Path(project.root / d.path).resolve() not in changed.studies)
    duplicates = check_against_others(checked.schema, records, others)
    merged = Validation(tuple(sorted(set(checked.problems) | set(duplicates))),
                        checked.validation.tables)
    return ChangedValidation(replace(checked, validation=merged), changed,
                             len(all_records.studies))


def check_against_others(
    schema: PackageSchema, records: Records, others: tuple[YamlDocument, ...]
) -> list[Problem]:
    """A changed record may not reuse the id or the DOI of an unchanged one (DOIs ignore case)."""
    table = schema.studies
    keys = [f for f in table.fields
            if f.format == "doi" or f.constraints.get("unique")]
    taken: dict[tuple[str, str], Row] = {}
    for row in collect_rows(table, None, others):
        for spec in keys:
            value = row.values.get(spec.name)
            if isinstance(value, str):
                taken.setdefault((spec.name, value.lower()), row)
    problems = []
    for row in collect_rows(table, None, records.studies):
        for spec in keys:
            value = row.values.get(spec.name)
            other = taken.get((spec.name, value.lower())) if isinstance(value, str) else None
            if other is not None:
                problems.append(Problem(
                    row.document.path, row.line(spec.name), spec.name,
                    f"{value!r} is already used by {other.document.path}:{other.line(spec.name)}",
                    "one record per study; DOIs are compared ignoring case"
                    if spec.format == "doi" else "each value once",
                    code=Code.DUPLICATE_DOI if spec.format == "doi" else Code.DUPLICATE_VALUE))
    return problems


def _git(project: Project, *args: str, failure: str | None = None) -> str:
    return gitrepo.git(project.root, *args, failure=failure).decode("utf-8")
