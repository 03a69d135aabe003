"""The study fields the hardening tests iterate over, read from the schema (never hand-picked)."""

from __future__ import annotations

from dataclasses import dataclass

from build_tools.core.project import Project
from build_tools.evidence.checks import check_project


@dataclass(frozen=True)
class RecordField:
    """A field a study record writes itself; `free` when no enum, pattern, format or foreign
    key constrains it (those have checks of their own)."""

    table: str
    name: str
    type: str
    free: bool


def record_fields(project: Project) -> list[RecordField]:
    checked = check_project(project)
    schema = checked.schema
    assert schema is not None
    found = []
    for table in schema.tables:
        if table.source != "studies":
            continue
        linked = {name for key in table.descriptor["schema"].get("foreignKeys", [])
                  for name in key["fields"]}
        for spec in table.record_fields:
            constrained = ({"enum", "pattern"} & set(spec.constraints) or spec.format
                           or spec.descriptor_format or spec.name in linked)
            found.append(RecordField(table.name, spec.name, spec.type, not constrained))
    return found
