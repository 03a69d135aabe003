"""Frictionless's checks of the flattened rows, its errors told in our words (file, line, field).

Frictionless sees tables, not files: each error's row number leads back to the row, and the row
to the place in a YAML file it was read from (records.tables.Row).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from frictionless import Package

from build_tools.core.errors import Code, Problem
from build_tools.records.schema import PackageSchema, TableSpec
from build_tools.records.tables import Row
from build_tools.records.yaml_source import field_name


class SharedRows(list[Any]):
    """Inline table data that Frictionless may copy by reference.

    Frictionless deep-copies a resource's descriptor, inline data included, several times per
    validation (for foreign-key lookups and exports); it only reads the rows, so sharing them is
    safe and takes validation of 10,000 studies from tens of seconds to about one.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedRows:
        return self


def run_frictionless(schema: PackageSchema, tables: dict[str, list[Row]],
                     unread: frozenset[str] = frozenset()) -> list[Problem]:
    """Constraints, uniqueness and foreign keys, checked by Frictionless on the flattened rows.
    A reference into a table whose file could not be read (`unread`: table names) is not
    reported: that file's own problem says why, and nothing is known to be undefined."""
    report = frictionless_report(schema, tables, table_descriptor)
    problems = []
    for task in report.tasks:
        table = schema.table(task.name)
        for error in task.errors:
            if error.type == "foreign-key" and (error.reference_name or table.name) in unread:
                continue
            problems += _translate(error, table, tables, schema)
    return problems


def table_descriptor(table: TableSpec) -> dict[str, Any]:
    """A table's descriptor as Frictionless reads it: our own `x-` keys left out."""
    return {k: v for k, v in table.descriptor.items() if not k.startswith("x-")}


def frictionless_report(schema: PackageSchema, tables: dict[str, list[Row]],
                        descriptor_of: Callable[[TableSpec], dict[str, Any]]) -> Any:
    """Frictionless's report on every table of `schema`, holding `tables`' rows, each table
    described by `descriptor_of` (a copy: the rows are added to it)."""
    resources = []
    for table in schema.tables:
        descriptor = dict(descriptor_of(table))
        names = [f.name for f in table.fields]
        descriptor["data"] = SharedRows(
            [names] + [[r.values[n] for n in names] for r in tables[table.name]])
        resources.append(descriptor)
    return Package({"resources": resources}).validate()


def _translate(error: Any, table: TableSpec, tables: dict[str, list[Row]],
               schema: PackageSchema) -> list[Problem]:
    rows = tables[table.name]
    row_number = getattr(error, "row_number", None)
    if not row_number or row_number - 2 >= len(rows):
        return [Problem(table.name, 1, "(table)", error.message, "see schema/datapackage.yaml",
                        code=Code.FRICTIONLESS_ERROR)]
    row = rows[row_number - 2]
    if error.type == "primary-key":
        keys = table.descriptor["schema"].get("primaryKey", [])
        single = table.field(keys[0]) if len(keys) == 1 else None
        if single is not None and single.constraints.get("unique"):
            return []  # reported by its unique-error already
        shown = ", ".join(f"{k}={row.values.get(k)!r}" for k in keys)
        return [Problem(row.document.path, row.line(), field_name(row.path),
                        f"the same {shown} appears twice", "each combination once",
                        code=Code.DUPLICATE_ROW)]
    if error.type == "foreign-key":
        field = error.field_names[0]
        value = error.field_cells[0]
        reference = error.reference_name or table.name
        known = sorted({str(r.values.get(error.reference_field_names[0]))
                        for r in tables.get(reference, [])},
                       key=lambda v: (not v.isdigit(), int(v) if v.isdigit() else 0, v))
        allowed = (f"one of the {reference} defined: " + ", ".join(known[:30]) if known
                   else _where_to_define(schema, reference))
        if len(known) > 30:
            allowed += f", … ({len(known)} in all)"
        return [Problem(row.document.path, row.line(field), field_name((*row.path, field)),
                        f"{value!r} is not defined", allowed,
                        code=Code.UNDEFINED_REFERENCE)]
    column = getattr(error, "field_name", None)
    spec = table.field(column) if column else None
    if spec is None or column is None:
        return [Problem(row.document.path, row.line(), field_name(row.path), error.message,
                        "see schema/datapackage.yaml", code=Code.FRICTIONLESS_ERROR)]
    where = field_name((*row.path, column))
    if spec.name not in {f.name for f in table.record_fields}:
        return []  # a value copied from the parent; the parent's own check reports it
    cell = error.cell
    if error.type == "unique-error":
        match = re.search(r"position (\d+)", error.note or "")
        other = rows[int(match.group(1)) - 2] if match else None
        first = f" (first in {other.document.path}:{other.line(column)})" if other else ""
        return [Problem(row.document.path, row.line(column), where,
                        f"{cell!r} is used twice{first}", "each value once",
                        code=Code.DUPLICATE_VALUE)]
    constraint = re.search(r'constraint "(\w+)"', error.note or "")
    name = constraint.group(1) if constraint else error.type
    if name == "required":
        return [Problem(row.document.path, row.line(column), where,
                        "is required but missing", spec.allowed(), code=Code.MISSING_FIELD)]
    if name == "maxLength":  # the text itself may be long: say how long, do not echo it
        return [Problem(row.document.path, row.line(column), where,
                        f"is {len(str(cell))} characters long", spec.allowed(),
                        code=Code.TOO_LONG)]
    return [Problem(row.document.path, row.line(column), where,
                    f"{cell!r} is not allowed" if name == "enum" else f"{cell!r} fails {name}",
                    spec.allowed(),
                    code=Code.NOT_ALLOWED if name == "enum" else Code.CONSTRAINT_FAILED)]


def _where_to_define(schema: PackageSchema, reference: str) -> str:
    """What to do when a link names a table that has no row yet (no roles declared)."""
    spec = next((t for t in schema.tables if t.name == reference), None)
    if spec is not None and spec.source == "review" and spec.path:
        return f"no {reference} are defined yet: add them to review.yaml under " + \
            " → ".join(spec.path)
    return f"no {reference} are defined yet"
