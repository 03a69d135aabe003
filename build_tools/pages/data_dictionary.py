"""The data dictionary: every field of the schema as a Markdown page, made from the schema itself.

Generating it keeps one source of truth; `tests/test_docs.py` fails when a field has no
description, so "documented" means a person wrote what the field is for.
"""

from __future__ import annotations

import html
import re

from build_tools.records.schema import FieldSpec, PackageSchema, TableSpec


def data_dictionary(schema: PackageSchema, source: str = "schema/datapackage.yaml") -> str:
    """Markdown for docs/reference/data-dictionary.md."""
    lines = [
        "# Data dictionary",
        "",
        f"Every field of the review's data, generated from `{source}` by `livingreview docs`:",
        "edit the schema, not this page. The JSON Schema `schema/study.schema.json` is made from",
        "the same file, so editors show these descriptions while you type.",
        "",
        f"## A study file: `studies/<id>.yaml` ({_cell(schema.studies.title)})",
        "",
        *_field_table(schema.studies),
    ]
    for table in schema.child_tables():
        lines += ["", f"### `{'.'.join(table.path)}`: {_cell(table.title)}", "",
                  _child_intro(table), "", *_field_table(table)]
    review_tables = [t for t in schema.tables if t.source == "review"]
    if review_tables:
        lines += ["", "## Tables read from `review.yaml`", "",
                  "Maintainers edit these; a study refers to them by id."]
        for table in review_tables:
            where = " → ".join(table.path) or "(top level)"
            lines += ["", f"### {_cell(table.title)} (`review.yaml`: {where})", "",
                      *_field_table(table)]
    return "\n".join(lines) + "\n"


def _child_intro(table: TableSpec) -> str:
    text = f"A list under `{table.path[-1]}:` in the study file, one mapping per item."
    if table.min_items:
        text += f" At least {table.min_items} item(s) are required."
    if table.parent:
        copied = ", ".join(f"`{column}`" for column in table.parent)
        text += f" In the published table each row also carries {copied}, filled in for you."
    return text


def _field_table(table: TableSpec) -> list[str]:
    rows = ["| Field | Label | Required | Allowed values | Description |",
            "| --- | --- | --- | --- | --- |"]
    for spec in table.record_fields:
        rows.append(f"| `{spec.name}` | {_cell(spec.title)} | {_required(table, spec)} "
                    f"| {_cell(_allowed(spec))} | {_cell(spec.description)} |")
    return rows


def _allowed(spec: FieldSpec) -> str:
    if spec.descriptor_format == "uri":
        return "a web address starting with https:// or http://"
    return spec.allowed()


def _required(table: TableSpec, spec: FieldSpec) -> str:
    if spec.required:
        return "yes"
    groups = [g for g in table.require_one_of if spec.name in g]
    if groups:
        return "one of " + ", ".join(f"`{name}`" for name in groups[0])
    return "no"


def _cell(value: str) -> str:
    """Schema text as one table cell: no HTML, no column breaks."""
    folded = " ".join(str(value).split())
    escaped = html.escape(folded, quote=False)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", escaped)


def undocumented_fields(schema: PackageSchema) -> list[str]:
    """Fields written in records that have no description: each is a gap in the docs."""
    return [f"{table.name}.{spec.name}" for table in schema.tables
            for spec in table.record_fields if not spec.description.strip()]
