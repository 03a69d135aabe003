"""The framework a review's findings are assessed with, as the schema declares it.

The findings table carries `x-findings`: the framework's name, the page's title and opening
text, the component judgements, the overall judgement and the reference to cite. Frameworks
are declarations, not code: nothing here knows any by name (build_tools/assets/findings/ ships
the one for qualitative findings and the one for effects).
"""

from __future__ import annotations

from dataclasses import dataclass

from build_tools.records.schema import PackageSchema, TableSpec


@dataclass(frozen=True)
class FindingsFramework:
    table: TableSpec
    name: str
    title: str
    about: str | None
    components: tuple[str, ...]  # fields of the table, each judged with `<field>_explanation`
    overall: str | None  # the field of the overall judgement (e.g. confidence)
    reference: str | None

    @property
    def judgements(self) -> tuple[str, ...]:
        return (*self.components, *((self.overall,) if self.overall else ()))

    def label(self, name: str) -> str:
        spec = self.table.field(name)
        return (spec.title if spec and spec.title else name.replace("_", " ").capitalize())

    def levels(self, name: str) -> tuple[str, ...]:
        spec = self.table.field(name)
        return tuple(str(v) for v in (spec.constraints.get("enum", []) if spec else []))


def findings_framework(schema: PackageSchema) -> FindingsFramework | None:
    """The declared framework, or None: the review then has no findings page."""
    for table in schema.tables:
        declared = table.descriptor.get("x-findings")
        if isinstance(declared, dict):
            name = str(declared.get("framework") or "")
            components = declared.get("components")
            return FindingsFramework(
                table=table,
                name=name,
                title=str(declared.get("title") or "Summary of findings"),
                about=str(declared["about"]) if declared.get("about") else None,
                components=tuple(str(c) for c in components if table.field(str(c)))
                if isinstance(components, list) else (),
                overall=str(declared["overall"])
                if declared.get("overall") and table.field(str(declared["overall"])) else None,
                reference=str(declared["reference"]) if declared.get("reference") else None,
            )
    return None
