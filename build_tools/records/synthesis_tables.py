"""The synthesis tables a schema declares: a meta-ethnography's translations and excerpts.

A child table of the studies says what it holds with `x-synthesis: translations` (the
translation table: a study's own concept for a subtheme, reciprocal or refutational) or
`x-synthesis: excerpts` (short quotations shown on the theme pages). The generator reads their
columns by name, so a declaration must name a table that has them; a review declares neither,
and has neither page.
"""

from __future__ import annotations

from typing import Any

from build_tools.core.errors import Code, Problem
from build_tools.records.schema import PackageSchema, TableSpec
from build_tools.records.yaml_source import YamlDocument

# The columns each kind of synthesis table must have; `page` and `source` are read when present.
COLUMNS = {
    "translations": ("subtheme", "concept", "relation"),
    "excerpts": ("subtheme", "speaker", "text"),
}
RELATIONS = ("reciprocal", "refutational")


def synthesis_table(schema: PackageSchema, kind: str) -> TableSpec | None:
    """The child table declared as `x-synthesis: kind`, or None (then no such view)."""
    return next((t for t in schema.child_tables()
                 if t.descriptor.get("x-synthesis") == kind and t.parent), None)


def check_synthesis_tables(document: YamlDocument | None,
                           schema: PackageSchema) -> list[Problem]:
    """Each `x-synthesis` is a known kind, on a child table of the studies with its columns."""
    if document is None or not isinstance(document.data, dict):
        return []
    resources = document.data.get("resources")
    problems: list[Problem] = []
    for index, resource in enumerate(resources if isinstance(resources, list) else ()):
        if not isinstance(resource, dict) or "x-synthesis" not in resource:
            continue
        where = ("resources", index, "x-synthesis")
        line, kind = document.line_of(where), resource["x-synthesis"]
        name = f"{resource.get('name')}.x-synthesis"
        if kind not in COLUMNS:
            problems.append(Problem(document.path, line, name, f"{kind!r} is not allowed",
                                    "one of: " + ", ".join(COLUMNS), code=Code.NOT_ALLOWED))
            continue
        table = next((t for t in schema.tables if t.name == resource.get("name")), None)
        if table is None or table.source != "studies" or not table.path or not table.parent:
            problems.append(Problem(document.path, line, name,
                                    "is declared on a table that is not a list in each record",
                                    "a table with x-rows: {from: studies, path: [...], "
                                    "parent: {study: id}}", code=Code.BAD_SCHEMA))
            continue
        missing = [c for c in COLUMNS[kind] if table.field(c) is None]
        if missing:
            problems.append(Problem(document.path, line, name,
                                    f"the table has no field {', '.join(missing)}",
                                    "fields: " + ", ".join(COLUMNS[kind]) + " (and page, source)",
                                    code=Code.MISSING_FIELD))
    return problems


def text(values: dict[str, Any], name: str) -> str | None:
    """A cell as text, None when empty (YAML may give a page as a number)."""
    value = values.get(name)
    return None if value is None or value == "" else str(value)
