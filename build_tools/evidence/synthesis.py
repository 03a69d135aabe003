"""The synthesis a meta-ethnography curates on its study records: translations and excerpts.

Rows come from the child tables the schema declares with `x-synthesis` (records/
synthesis_tables.py); validation has checked their subtheme, relation, speaker and length, so
this only converts. A review that declares neither table, or curates no row, gets empty tuples
and so neither the translation table nor excerpts on its theme pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from build_tools.records.schema import PackageSchema
from build_tools.records.synthesis_tables import RELATIONS, synthesis_table, text
from build_tools.records.tables import Row


@dataclass(frozen=True)
class Translation:
    """A study's own concept (in the curator's words) for a subtheme, and how it relates."""

    study: str
    subtheme: str
    concept: str
    relation: str  # reciprocal or refutational
    page: str | None
    source: str | None

    @property
    def kind(self) -> str:
        """The relation as a CSS class name: reciprocal, refutational, or other."""
        return self.relation if self.relation in RELATIONS else "other"


@dataclass(frozen=True)
class Excerpt:
    """A short passage of a study illustrating a subtheme; `speaker` is a declared role's id."""

    study: str
    subtheme: str
    speaker: str
    text: str
    page: str | None
    source: str | None


def synthesis_rows(schema: PackageSchema, tables: Mapping[str, Sequence[Row]]
                   ) -> tuple[tuple[Translation, ...], tuple[Excerpt, ...]]:
    """The translations and excerpts of every study, in record order."""
    translations: list[Translation] = []
    excerpts: list[Excerpt] = []
    table = synthesis_table(schema, "translations")
    if table is not None:
        link = next(iter(table.parent))
        translations = [
            Translation(str(v.get(link)), str(v.get("subtheme")), str(v.get("concept")),
                        str(v.get("relation")), text(v, "page"), text(v, "source"))
            for v in (row.values for row in tables.get(table.name, ()))]
    table = synthesis_table(schema, "excerpts")
    if table is not None:
        link = next(iter(table.parent))
        excerpts = [
            Excerpt(str(v.get(link)), str(v.get("subtheme")), str(v.get("speaker")),
                    str(v.get("text")), text(v, "page"), text(v, "source"))
            for v in (row.values for row in tables.get(table.name, ()))]
    return tuple(translations), tuple(excerpts)
