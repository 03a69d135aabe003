"""A JSON Schema for one study file, derived from the Frictionless schema (the one source of truth).

Editors use it to autocomplete fields and flag mistakes while typing (the yaml-language-server
reads the `# yaml-language-server: $schema=…` line at the top of a study file). It describes one
file only; checks across files (one record per DOI, subthemes defined in review.yaml) stay with
`livingreview validate`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from build_tools.core.identifiers import ENTRY_TYPES
from build_tools.core.project import Project
from build_tools.records.schema import FieldSpec, PackageSchema, TableSpec
from build_tools.records.validate import DOI_PATTERN

DIALECT = "https://json-schema.org/draft/2020-12/schema"
JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
              "date": "string", "array": "array"}


def json_schema_path(project: Project) -> Path:
    """Beside the Frictionless schema it is made from."""
    return project.schema_file.parent / "study.schema.json"


def schema_modeline(project: Project, study_file: Path | None = None) -> str:
    """The first line of a study file, pointing editors at the JSON Schema (a relative path)."""
    folder = (study_file.parent if study_file else project.studies_dir).resolve()
    relative = os.path.relpath(json_schema_path(project).resolve(), folder)
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


def study_json_schema(schema: PackageSchema, source: str = "schema/datapackage.yaml") -> dict:
    """The whole study file: the studies table's fields plus one list per child table."""
    table = schema.studies
    document = {
        "$schema": DIALECT,
        "title": f"A study record ({table.title})",
        "description": f"Generated from {source} by `livingreview docs`; do not edit by hand.",
        **_object(table),
    }
    for child in schema.child_tables():
        if len(child.path) != 1:
            continue  # deeper nesting has no place in a study file today
        document["properties"][child.path[0]] = _list_of(child)
        if child.min_items:
            document["required"].append(child.path[0])
    groups = [g for g in table.require_one_of if g]
    if groups:
        document["allOf"] = [{"anyOf": [{"required": [name]} for name in group]}
                             for group in groups]
    return document


def _object(table: TableSpec) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {spec.name: _property(spec) for spec in table.record_fields},
        "required": [spec.name for spec in table.record_fields if spec.required],
        "additionalProperties": False,
    }


def _list_of(table: TableSpec) -> dict[str, Any]:
    listing: dict[str, Any] = {"title": table.title, "type": "array", "items": _object(table)}
    if table.min_items:
        listing["minItems"] = table.min_items
    return listing


EDITOR_PATTERNS = {
    "arxiv": (r"^(?:[0-9]{4}\.[0-9]{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/[0-9]{7})"
              r"(?:v[1-9][0-9]*)?$"),
    "pmid": "^[1-9][0-9]{0,8}$",
    "citation-key": "^[A-Za-z0-9][A-Za-z0-9_:.+/-]{0,99}$",
}


def _property(spec: FieldSpec) -> dict[str, Any]:
    """One field: type, constraints, and the description shown by editors on hover."""
    kind = JSON_TYPES.get(spec.type, "string")
    result: dict[str, Any] = {"title": spec.title}
    if spec.description:
        result["description"] = " ".join(spec.description.split())
    # An optional field may be left empty (`doi:`), which YAML reads as null.
    result["type"] = kind if spec.required else [kind, "null"]
    if spec.type == "array":
        result["items"] = {"type": "string"}
    if spec.type == "date":
        result["format"] = "date"
    if spec.descriptor_format == "uri":
        result["format"] = "uri"
        result["pattern"] = "^https?://"
    if spec.format == "doi":
        result["pattern"] = DOI_PATTERN.pattern
    result.update(identifier_rules(spec))
    constraints = spec.constraints
    if "enum" in constraints:
        result["enum"] = list(constraints["enum"]) + ([] if spec.required else [None])
    if "pattern" in constraints:
        # Frictionless matches the whole value; JSON Schema searches, so anchor it.
        result["pattern"] = f"^(?:{constraints['pattern']})$"
    for ours, theirs in (("minimum", "minimum"), ("maximum", "maximum"),
                         ("minLength", "minLength"), ("maxLength", "maxLength")):
        if ours in constraints:
            result[theirs] = constraints[ours]
    return result


def identifier_rules(spec: FieldSpec) -> dict[str, Any]:
    """What an editor can check of an identifier field (validate checks the rest: months, digit
    counts, prefixes, duplicates)."""
    if spec.format == "url":
        return {"format": "uri", "pattern": "^https?://"}
    if spec.format == "entry-type":
        return {"enum": [*sorted(ENTRY_TYPES), *([] if spec.required else [None])]}
    if spec.format in EDITOR_PATTERNS:
        return {"pattern": EDITOR_PATTERNS[str(spec.format)]}
    return {}


def render_json_schema(schema: PackageSchema) -> str:
    """Stable text: the committed file changes only when the schema does."""
    return json.dumps(study_json_schema(schema), indent=2, ensure_ascii=False) + "\n"
