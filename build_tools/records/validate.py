"""Validate records: our own checks first (what Frictionless cannot see), then Frictionless."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build_tools.core.errors import Code, Problem
from build_tools.core.messages import container_remedy, found_instead, unknown_field
from build_tools.core.messages import describe as _describe
from build_tools.core.messages import show as _show
from build_tools.core.output_cache import OutputCache
from build_tools.core.urls import url_problem
from build_tools.records.frictionless_kept import KIND as FRICTIONLESS_KIND
from build_tools.records.frictionless_kept import run_frictionless_kept
from build_tools.records.identifier_fields import check_identifiers
from build_tools.records.line_of_argument import check_line_of_argument
from build_tools.records.load import Records
from build_tools.records.reporting_guidelines import check_reporting
from build_tools.records.review_checks import (
    check_findings,
    check_review_shape,
    check_review_urls,
    check_theme_tree,
)
from build_tools.records.review_format import check_review_format
from build_tools.records.schema import TYPE_WORDS, FieldSpec, PackageSchema, TableSpec
from build_tools.records.schema_checks import check_declared_fields
from build_tools.records.synthesis_tables import check_synthesis_tables
from build_tools.records.tables import Row, allowed_keys, collect_rows, walk
from build_tools.records.yaml_source import YamlDocument, field_name, is_mapping_file

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_URL_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


@dataclass(frozen=True)
class Validation:
    """Every problem found, and the rows as they will be published when there are none."""

    problems: tuple[Problem, ...]
    tables: dict[str, list[Row]]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_records(
    records: Records, schema: PackageSchema, build_date: dt.date | None = None,
    output_cache: Path | None = None,
) -> Validation:
    """Check every record against the schema and report all problems at once.

    `build_date` (see clock.build_date) bounds years and dates; None skips that check.
    With `output_cache`, Frictionless checks only rows an earlier build did not see pass
    (records.frictionless_kept); the problems are the same."""
    problems = list(records.problems)
    mistyped: list[Problem] = []
    tables: dict[str, list[Row]] = {}
    for table in schema.tables:
        rows = collect_rows(table, records.review, records.studies)
        mistyped += check_types(table, rows)
        if build_date is not None:
            problems += check_not_future(table, rows, build_date)
        tables[table.name] = rows
    shape = study_shape(schema)
    for document in records.studies:
        problems += check_study_shape(document, schema, shape)
    problems += check_review_sources(records.review)
    problems += check_review_shape(records.review, schema)
    problems += check_review_urls(records.review)
    problems += check_theme_tree(records.review)
    problems += check_review_format(records.review, schema)
    problems += check_reporting(records.review)
    problems += check_line_of_argument(records.review)
    problems += check_declared_fields(records.schema, schema)
    problems += check_synthesis_tables(records.schema, schema)
    problems += check_findings(schema, tables)
    problems += check_file_names(tables[schema.studies.name], schema.studies)
    problems += check_examples(tables[schema.studies.name])
    for table in schema.tables:
        problems += check_one_of(table, tables[table.name])
        problems += check_dois(table, tables[table.name])
        problems += check_identifiers(table, tables[table.name])
        problems += check_links(table, tables[table.name])
        if table.min_items:
            problems += check_min_items(table, records.studies)
    unread = frozenset() if is_mapping_file(records.review) else frozenset(
        t.name for t in schema.tables if t.source == "review")
    cache = OutputCache(output_cache, FRICTIONLESS_KIND) if output_cache else None
    problems += run_frictionless_kept(schema, tables, unread, cache)
    return Validation(tuple(sorted(set(mistyped + _unechoed(problems, mistyped)), key=_order)),
                      tables)


def _unechoed(problems: list[Problem], mistyped: list[Problem]) -> list[Problem]:
    """A mistyped value is blanked for the later checks, which would then call it missing
    (`title` given as 1.5 is not a missing `doi or title`): it is reported once, as mistyped."""
    blanked = {(p.file, re.sub(r"\[\d+\]$", "", p.field)) for p in mistyped}  # authors[1]
    return [p for p in problems
            if not any((p.file, name) in blanked for name in p.field.split(" or "))]


def _order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line, problem.field, problem.message)


StudyShape = list[tuple[tuple[str, ...], set[str] | None]]


def study_shape(schema: PackageSchema) -> StudyShape:
    """Each place in a study record that tables describe, shallowest first, with the keys a
    mapping there may hold (None: any): the same for every record, so worked out once."""
    prefixes = {t.path[:depth] for t in schema.tables if t.source == "studies"
                for depth in range(len(t.path) + 1)}
    return [(prefix, allowed_keys(schema, "studies", prefix))
            for prefix in sorted(prefixes, key=len)]


def check_study_shape(document: YamlDocument, schema: PackageSchema,
                      shape: StudyShape | None = None) -> list[Problem]:
    """Unknown keys at every level, and lists where lists belong; Frictionless drops both.
    `shape`: study_shape(schema), if the caller has it."""
    if not isinstance(document.data, dict):
        return [Problem(document.path, 1, "(file)", "is not a mapping of fields",
                        "a YAML mapping such as `id: smith2020`", code=Code.NOT_A_MAPPING)]
    problems = []
    for prefix, keys in study_shape(schema) if shape is None else shape:
        for item, path, _ in walk(document.data, prefix, ()):
            if prefix and not isinstance(item, dict):
                problems.append(Problem(document.path, document.line_of(path), field_name(path),
                                        f"is {_describe(item)}", "a mapping of fields",
                                        code=Code.NOT_A_MAPPING))
                continue
            if keys is None or not isinstance(item, dict):
                continue
            for key in item:
                if key not in keys:
                    problems.append(Problem(document.path, document.line_of((*path, key)),
                                            field_name((*path, key)),
                                            *unknown_field(key, keys),
                                            code=Code.UNKNOWN_FIELD))
        if prefix:
            for parent, path, _ in walk(document.data, prefix[:-1], ()):
                value = parent.get(prefix[-1]) if isinstance(parent, dict) else None
                if value is not None and not isinstance(value, (list, dict)):
                    where = (*path, prefix[-1])
                    problems.append(Problem(document.path, document.line_of(where),
                                            field_name(where), f"is {_describe(value)}",
                                            "a list of mappings", code=Code.NOT_A_LIST))
    return problems


def check_types(table: TableSpec, rows: list[Row]) -> list[Problem]:
    """Strict types: "2018" is not a year. Bad values are blanked so Frictionless skips them."""
    problems = []
    fields = [(spec, spec.type == "string") for spec in table.record_fields]
    for row in rows:
        for spec, text_field in fields:
            value = row.values.get(spec.name)
            if value is None or (text_field and type(value) is str):
                continue  # nothing to check, or already what it must be (most values)
            fixed, ok = _coerce(spec, value)
            if ok:
                row.values[spec.name] = fixed
                continue
            row.values[spec.name] = None
            problems.append(_type_problem(row, spec, value))
    return problems


def _type_problem(row: Row, spec: FieldSpec, value: Any) -> Problem:
    path, allowed = (*row.path, spec.name), spec.allowed()
    expected = TYPE_WORDS.get(spec.type, spec.type)
    if spec.type == "array" and isinstance(value, list):
        # a list in a list field: name the first item that is not text
        index = next(i for i, item in enumerate(value) if not isinstance(item, str))
        path, value, expected = (*path, index), value[index], "text"
    elif spec.type == "string" and isinstance(value, float):
        allowed += "; put a number with a decimal point in quotes to keep it as written"
    where = (row.document.path, row.document.line_of(path), field_name(path))
    if isinstance(value, (list, dict)):
        return Problem(*where, found_instead(expected, value),
                       container_remedy(value, expected, allowed), code=Code.WRONG_TYPE)
    return Problem(*where, f"{_show(value)} is {_describe(value)}", allowed, code=Code.WRONG_TYPE)


def check_not_future(table: TableSpec, rows: list[Row], build_date: dt.date) -> list[Problem]:
    """A year past the build's next year is a typing error (2032 for 2023), not a study."""
    problems = []
    for spec in (f for f in table.record_fields if f.years_ahead is not None):
        latest = build_date.year + int(spec.years_ahead or 0)
        for row in rows:
            value = row.values.get(spec.name)
            year = value.year if isinstance(value, dt.date) else value
            if isinstance(year, int) and not isinstance(year, bool) and year > latest:
                problems.append(Problem(row.document.path, row.line(spec.name),
                                        field_name((*row.path, spec.name)),
                                        f"{_show(value)} is in the future",
                                        f"at most {latest}: this build is dated "
                                        f"{build_date.isoformat()}",
                                        code=Code.FUTURE_DATE))
    return problems


def _coerce(spec: FieldSpec, value: Any) -> tuple[Any, bool]:
    if isinstance(value, bool):
        return value, spec.type == "boolean"
    if spec.type == "string":
        if isinstance(value, int):
            return str(value), True
        if isinstance(value, dt.date):
            return value.isoformat(), True
        return value, isinstance(value, str)
    if spec.type == "integer":
        return value, isinstance(value, int)
    if spec.type == "number":
        return value, isinstance(value, (int, float))
    if spec.type == "date":
        return value, isinstance(value, dt.date)
    if spec.type == "array":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value, ok
    return value, True


def check_file_names(rows: list[Row], studies: TableSpec) -> list[Problem]:
    """The id is the file name, so links, pages and diffs agree on one name per study."""
    key = studies.descriptor["schema"].get("primaryKey", ["id"])[0]
    problems = []
    for row in rows:
        expected = Path(row.document.path).stem
        value = row.values.get(key)
        if value is not None and value != expected:
            problems.append(Problem(row.document.path, row.line(key), key,
                                    f"{value!r} differs from the file name",
                                    f"the file name without .yaml: {expected!r}",
                                    code=Code.ID_NOT_FILE_NAME))
    return problems


EXAMPLE_FIELD = "example"  # `example: true` marks a record `livingreview init` made to be replaced


def check_examples(rows: list[Row]) -> list[Problem]:
    """A warning for each example record, so a new review cannot be published with one unseen."""
    return [Problem(row.document.path, row.line(EXAMPLE_FIELD), EXAMPLE_FIELD,
                    "this record is an example made by livingreview init, not a real one",
                    f"delete {row.document.path} once your first real record is in",
                    "warning", code=Code.EXAMPLE_RECORD)
            for row in rows if row.values.get(EXAMPLE_FIELD) is True]


def check_one_of(table: TableSpec, rows: list[Row]) -> list[Problem]:
    problems = []
    for group in table.require_one_of:
        for row in rows:
            if all(row.values.get(name) in (None, "", []) for name in group):
                problems.append(Problem(row.document.path, row.line(), " or ".join(group),
                                        "is required but missing",
                                        "give at least one of: " + ", ".join(group),
                                        code=Code.MISSING_FIELD))
    return problems


def check_dois(table: TableSpec, rows: list[Row]) -> list[Problem]:
    """DOI syntax, and one study per DOI: DOIs are case-insensitive (DOI Handbook 2.2)."""
    problems = []
    for spec in (f for f in table.fields if f.format == "doi"):
        seen: dict[str, Row] = {}
        for row in rows:
            value = row.values.get(spec.name)
            if not isinstance(value, str):
                continue
            where = field_name((*row.path, spec.name))
            if DOI_URL_PREFIX.match(value):
                problems.append(Problem(row.document.path, row.line(spec.name), where,
                                        f"{value!r} is a link, not a bare DOI",
                                        "write it without https://doi.org/ or doi:",
                                        code=Code.DOI_LINK))
                continue
            if not DOI_PATTERN.match(value):
                problems.append(Problem(row.document.path, row.line(spec.name), where,
                                        f"{value!r} is not a DOI", spec.allowed(),
                                        code=Code.BAD_DOI))
                continue
            first = seen.setdefault(value.lower(), row)
            if first is not row:
                problems.append(Problem(row.document.path, row.line(spec.name), where,
                                        f"{value!r} is already used by "
                                        f"{first.document.path}:{first.line(spec.name)}",
                                        "one record per study; DOIs are compared ignoring case",
                                        code=Code.DUPLICATE_DOI))
    return problems


def check_links(table: TableSpec, rows: list[Row]) -> list[Problem]:
    """Fields of format `uri` follow the one URL rule (build_tools.core.urls)."""
    problems = []
    for spec in (f for f in table.record_fields if f.descriptor_format == "uri"):
        for row in rows:
            value = row.values.get(spec.name)
            wrong = url_problem(value) if isinstance(value, str) else None
            if wrong:
                problems.append(Problem(row.document.path, row.line(spec.name),
                                        field_name((*row.path, spec.name)), *wrong,
                                        code=Code.BAD_URL))
    return problems


def check_min_items(table: TableSpec, studies: Iterable[YamlDocument]) -> list[Problem]:
    key = table.path[0]
    problems = []
    for document in studies:
        if not isinstance(document.data, dict):
            continue
        value = document.data.get(key)
        count = len(value) if isinstance(value, list) else 0
        if count < table.min_items and not (value is not None and not isinstance(value, list)):
            line = document.line_of((key,)) if key in document.data else document.line_of(())
            message = "is required but missing" if key not in document.data else "is empty"
            problems.append(Problem(document.path, line, key, message,
                                    f"at least {table.min_items} item(s)",
                                    code=Code.MISSING_FIELD if key not in document.data
                                    else Code.TOO_FEW_ITEMS))
    return problems


def check_review_sources(review: YamlDocument | None) -> list[Problem]:
    """Every `source:` in review.yaml names an entry of its `sources`."""
    if not is_mapping_file(review):
        return [] if review is None else [
            Problem(review.path, 1, "(file)", "is not a mapping", "see README.md",
                    code=Code.NOT_A_MAPPING)
        ]
    known = review.data.get("sources")
    if not isinstance(known, dict):
        return []
    problems = []
    for path, value in _items(review.data, ()):
        name = str(path[-1])
        if (name == "source" or name.endswith("_source")) and value not in known:
            problems.append(Problem(review.path, review.line_of(path), field_name(path),
                                    f"{value!r} is not a defined source",
                                    "one of: " + ", ".join(sorted(known)),
                                    code=Code.UNDEFINED_REFERENCE))
    return problems


def _items(node: Any, path: tuple[str | int, ...]) -> Iterable[tuple[tuple, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and not path:
                continue
            yield from _items(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _items(value, (*path, index))
    elif path:
        yield path, node
