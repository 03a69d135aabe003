"""The published data package: one CSV per table and a Frictionless `datapackage.json`.

The descriptor is the project's own schema (schema/datapackage.yaml) with our `x-` properties
removed and each table's `path` set, so the published package and validation never disagree.
Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get a leading apostrophe, as OWASP advises: https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from build_tools.core.neutral import neutralise
from build_tools.records.schema import PackageSchema, TableSpec
from build_tools.records.tables import Row

DESCRIPTOR_NAME = "datapackage.json"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def data_package_files(
    schema: PackageSchema, tables: Mapping[str, Sequence[Row]]
) -> dict[str, bytes]:
    """{relative path: content} for every table's CSV and the descriptor; same input, same bytes."""
    files = {table_path(table): table_csv(table, tables.get(table.name, ()))
             for table in schema.published_tables()}
    files[DESCRIPTOR_NAME] = descriptor_json(schema)
    return files


def table_path(table: TableSpec) -> str:
    return f"{table.name}.csv"


def descriptor_json(schema: PackageSchema) -> bytes:
    descriptor = strip_extensions(schema.descriptor)
    descriptor["profile"] = "tabular-data-package"
    published = schema.published_tables()
    names = {table.name for table in published}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in names]
    for resource, table in zip(descriptor["resources"], published, strict=True):
        resource.update(path=table_path(table), profile="tabular-data-resource", format="csv",
                        mediatype="text/csv", encoding="utf-8")
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def strip_extensions(value: Any) -> Any:
    """A copy without our `x-` properties, at every depth (Frictionless does not know them)."""
    if isinstance(value, dict):
        return {k: strip_extensions(v) for k, v in value.items()
                if not (isinstance(k, str) and k.startswith("x-"))}
    if isinstance(value, list):
        return [strip_extensions(v) for v in value]
    return value


def table_csv(table: TableSpec, rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [f.name for f in table.fields]
    writer.writerow(names)
    cell = csv_cell
    writer.writerows([cell(row.values.get(name)) for name in names] for row in rows)
    return buffer.getvalue().encode("utf-8")


def csv_cell(value: Any) -> str:
    """A Frictionless CSV cell: empty for missing, JSON for lists, formulas defused, no control
    or bidi characters (neutral.neutralise)."""
    if type(value) is str:  # most cells: the checks below in the order that finds them first
        return defuse_formula(neutralise(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return defuse_formula(neutralise(str(value)))


def defuse_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
