"""The schema's own declarations about the studies table, checked like a record.

`x-table-columns`, `x-table-filters`, `x-charts` and `x-matrix-split` name fields of the studies
table; a name that is not one (a typo, a field renamed later) would otherwise leave a column,
filter, chart or split silently out of the site. The split also needs a field with an `enum`:
the matrix has one column per allowed value, so a field without a closed list of values would
give a matrix with no split. Each is reported at its line in the schema.
"""

from __future__ import annotations

from typing import Any

from build_tools.core.errors import Code, Problem
from build_tools.core.messages import unknown_field
from build_tools.records.schema import PackageSchema
from build_tools.records.yaml_source import YamlDocument

SPLIT = "x-matrix-split"
NAMING_PROPERTIES = ("x-table-columns", "x-table-filters", "x-charts", SPLIT)


def check_declared_fields(document: YamlDocument | None, schema: PackageSchema) -> list[Problem]:
    """One problem per declaration of the studies table that names no field of it."""
    if document is None or not isinstance(document.data, dict):
        return []
    resources = document.data.get("resources")
    if not isinstance(resources, list):
        return []
    index = next((i for i, r in enumerate(resources)
                  if isinstance(r, dict) and r.get("name") == schema.studies.name), None)
    if index is None:
        return []
    table = resources[index]
    fields = sorted(f.name for f in schema.studies.fields)
    problems = []
    for name in NAMING_PROPERTIES:
        value = table.get(name)
        entries: list[Any] = value if isinstance(value, list) else [] if value is None else [value]
        for position, entry in enumerate(entries):
            named = entry.get("field") if isinstance(entry, dict) else entry
            spec = schema.studies.field(named) if isinstance(named, str) else None
            if spec is not None:
                if name == SPLIT and not spec.constraints.get("enum"):
                    problems.append(_split_without_enum(document, index, spec.name, schema))
                continue
            path: tuple[Any, ...] = ("resources", index, name)
            if isinstance(value, list):
                path += (position,)
            shown = f"{name}[{position}]" if isinstance(value, list) else name
            message, allowed = unknown_field(str(named), fields)
            problems.append(Problem(
                document.path, document.line_of(path), shown,
                f"{named!r} names no field of the {schema.studies.name} table: {message}",
                allowed, code=Code.UNKNOWN_FIELD))
    return problems


def _split_without_enum(document: YamlDocument, index: int, named: str,
                        schema: PackageSchema) -> Problem:
    """The split names a field of the table, but one without a closed list of values."""
    closed = sorted(f.name for f in schema.studies.fields if f.constraints.get("enum"))
    allowed = ("a field with an enum, one of: " + ", ".join(closed) if closed
               else f"a field with an enum; the {schema.studies.name} table has none")
    return Problem(document.path, document.line_of(("resources", index, SPLIT)), SPLIT,
                   f"{named!r} has no enum: the evidence matrix needs a closed list of values "
                   "to split by", allowed, code=Code.NOT_ALLOWED)
