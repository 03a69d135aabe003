"""Frictionless validation that a rebuild pays for only where records changed.

Frictionless checks each row alone (types, required, enum, pattern, lengths, ranges) and rows
together (unique values, primary keys, foreign keys). Checking each row alone is most of its
time, and a row's answer depends only on the row and its table's description. So a file whose
rows all passed is remembered (core.output_cache) under a hash of those rows and of the
descriptions; a rebuild has Frictionless check only the rows of files it does not remember, then
makes the checks of rows together itself, on values whose meaning Frictionless would not change
(text in a text field, a whole number in an integer field).

Only a clean answer is ever taken this way. Any doubt (a row that fails, a value of another
kind, a duplicate, a reference not found, an error of the package itself) runs Frictionless on
every row exactly as a build without the cache does, so what a build reports never depends on
the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Collection
from importlib.metadata import version
from typing import Any

from build_tools.core.errors import Problem
from build_tools.core.output_cache import OutputCache, content_key
from build_tools.records.frictionless_run import (
    frictionless_report,
    run_frictionless,
    table_descriptor,
)
from build_tools.records.schema import PackageSchema, TableSpec
from build_tools.records.tables import Row

KIND = "frictionless-rows"
FORMAT_VERSION = 1  # part of every key: raise it when what a key covers changes
CLEAN = "clean"  # the tag of a file whose rows all passed; the value is not read
# Field types whose cast leaves a value of this Python type as it is: for these, two raw values
# are equal exactly when Frictionless's cast values are.
UNCHANGED_BY_CAST: dict[str, type] = {"string": str, "integer": int}
# Values whose repr tells them apart, type included: a file holding anything else is not
# remembered (its rows are checked by Frictionless on every build).
_PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime)
_PLAIN_KINDS = frozenset(_PLAIN)
_PLAIN_OR_LIST = _PLAIN_KINDS | {list}  # lists of such values, at any depth


def run_frictionless_kept(schema: PackageSchema, tables: dict[str, list[Row]],
                          unread: frozenset[str], cache: OutputCache | None) -> list[Problem]:
    """`run_frictionless(schema, tables, unread)`, skipped when the cache and the checks of rows
    together show that it would find nothing."""
    if cache is not None and rows_together_hold(schema, tables) \
            and rows_alone_pass(schema, tables, cache):
        return []
    return run_frictionless(schema, tables, unread)


def rows_alone_pass(schema: PackageSchema, tables: dict[str, list[Row]],
                    cache: OutputCache) -> bool:
    """True if every row passes Frictionless's checks of a row alone: files remembered as
    passing are not checked again, the others are, and remembered if they pass."""
    keys = file_keys(schema, tables)
    remembered = cache.get_values({key: CLEAN for key in keys.values() if key is not None})
    fresh = {path for path, key in keys.items() if key not in remembered}
    report = frictionless_report(
        schema, {name: [r for r in rows if r.document.path in fresh]
                 for name, rows in tables.items()}, row_alone_descriptor)
    if not report.valid:
        return False
    for path in fresh:
        key = keys[path]
        if key is not None:
            cache.put_text(key, CLEAN, "", 0)
    return True


def row_alone_descriptor(table: TableSpec) -> dict[str, Any]:
    """The table's descriptor without what compares rows with each other."""
    descriptor = table_descriptor(table)
    table_schema = {k: v for k, v in descriptor.get("schema", {}).items()
                    if k not in ("primaryKey", "foreignKeys")}
    table_schema["fields"] = [
        {**f, "constraints": {k: v for k, v in f.get("constraints", {}).items() if k != "unique"}}
        if isinstance(f, dict) and isinstance(f.get("constraints"), dict) else f
        for f in table_schema.get("fields", [])]
    return {**descriptor, "schema": table_schema}


def file_keys(schema: PackageSchema, tables: dict[str, list[Row]]) -> dict[str, str | None]:
    """Each file's key: a hash of its rows in every table, of every table's row-alone
    description and of Frictionless's version; None for a file holding a value `_PLAIN` does
    not cover."""
    described = content_key(KIND, FORMAT_VERSION, version("frictionless"),
                            [row_alone_descriptor(t) for t in schema.tables])
    by_file: dict[str, list[str]] = defaultdict(list)
    plain: dict[str, bool] = defaultdict(lambda: True)
    for table in schema.tables:
        for row in tables[table.name]:
            path = row.document.path
            plain[path] = plain[path] and _all_plain(row.values.values())
            by_file[path].append(f"{table.name}\x00{row.values!r}")
    return {path: hashlib.sha256("\x01".join([described, *texts]).encode("utf-8",
                                                                        "surrogatepass"))
            .hexdigest() if plain[path] else None
            for path, texts in by_file.items()}


def _all_plain(values: Collection[Any]) -> bool:
    kinds = set(map(type, values))  # one pass in C: most rows hold text and numbers only
    if kinds <= _PLAIN_KINDS:
        return True
    return kinds <= _PLAIN_OR_LIST and all(_all_plain(value) for value in values
                                           if type(value) is list)


def rows_together_hold(schema: PackageSchema, tables: dict[str, list[Row]]) -> bool:
    """True only if Frictionless would find no duplicate value, no duplicate primary key and
    no reference it cannot resolve; False whenever that is not certain."""
    for table in schema.tables:
        described = table.descriptor.get("schema", {})
        if not isinstance(described, dict):
            return False
        rows = tables[table.name]
        unique = [(f.name,) for f in table.fields if f.constraints.get("unique")]
        for columns in unique:
            if not _distinct(table, rows, columns, none_allowed=True):
                return False
        primary = _names(described.get("primaryKey", []))
        if primary is None or (primary and not _distinct(table, rows, primary,
                                                          none_allowed=False)):
            return False
        for foreign in described.get("foreignKeys", []):
            if not _references_resolve(schema, tables, table, foreign):
                return False
    return True


def _names(value: Any) -> tuple[str, ...] | None:
    """Field names given as one name or a list of names; None if they are neither."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _cells(table: TableSpec, rows: list[Row],
           columns: tuple[str, ...]) -> list[tuple[Any, ...]] | None:
    """Each row's values in `columns`; None if a value might change under Frictionless's cast
    (a column not of a field type in UNCHANGED_BY_CAST, or a value of another Python type)."""
    by_column = []
    for column in columns:
        spec = table.field(column)
        kind = UNCHANGED_BY_CAST.get(spec.type) if spec is not None else None
        values = [row.values.get(column) for row in rows]
        if kind is None or not set(map(type, values)) <= {kind, type(None)}:
            return None
        by_column.append(values)
    return list(zip(*by_column, strict=True)) if by_column else None


def _distinct(table: TableSpec, rows: list[Row], columns: tuple[str, ...],
              none_allowed: bool) -> bool:
    cells = _cells(table, rows, columns)
    if cells is None:
        return False
    given = [c for c in cells if None not in c]
    if len(given) < len(cells) and not none_allowed:
        return False
    return len(set(given)) == len(given)


def _references_resolve(schema: PackageSchema, tables: dict[str, list[Row]], table: TableSpec,
                        foreign: Any) -> bool:
    if not isinstance(foreign, dict) or not isinstance(foreign.get("reference"), dict):
        return False
    columns = _names(foreign.get("fields"))
    target_columns = _names(foreign["reference"].get("fields"))
    target_name = foreign["reference"].get("resource") or table.name
    target = next((t for t in schema.tables if t.name == target_name), None)
    if columns is None or target_columns is None or target is None \
            or len(columns) != len(target_columns):
        return False
    known = _cells(target, tables[target.name], target_columns)
    cells = _cells(table, tables[table.name], columns)
    if known is None or cells is None:
        return False
    blank = (None,) * len(columns)
    given = {c for c in cells if c != blank}
    # A reference partly blank is compared as it is by Frictionless: leave that to it.
    return all(None not in c for c in given) and given <= set(known)
