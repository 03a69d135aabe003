"""Flatten records into the rows of the data package's tables, remembering where each came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from build_tools.records.schema import PackageSchema, TableSpec
from build_tools.records.yaml_source import FieldPath, YamlDocument


@dataclass(frozen=True)
class Row:
    """One table row and the place in a file it was read from."""

    values: dict[str, Any]
    document: YamlDocument
    path: FieldPath

    def line(self, field: str | None = None) -> int:
        return self.document.line_of((*self.path, field) if field else self.path)


def collect_rows(
    table: TableSpec, review: YamlDocument | None, studies: tuple[YamlDocument, ...]
) -> list[Row]:
    """Every row of one table; items that are not mappings are left to validation to report."""
    documents = studies if table.source == "studies" else ((review,) if review else ())
    names = [f.name for f in table.fields]
    parent = list(table.parent.items())  # (column, key of the enclosing mapping)
    rows = []
    for document in documents:
        for item, path, enclosing in walk(document.data, table.path, ()):
            if not isinstance(item, dict):
                continue
            if not parent:  # most rows: the item's own fields, in the table's order
                rows.append(Row({name: item.get(name) for name in names}, document, path))
                continue
            holder = enclosing if isinstance(enclosing, dict) else {}
            copied = {column: holder.get(key) for column, key in parent}
            rows.append(Row({name: copied[name] if name in copied else item.get(name)
                             for name in names}, document, path))
    return rows


def walk(
    node: Any, steps: tuple[str, ...], path: FieldPath, enclosing: Any = None
) -> Iterator[tuple[Any, FieldPath, Any]]:
    """Yield (item, its path, the mapping that holds its list) at the end of `steps`."""
    if not steps:
        yield node, path, enclosing
        return
    if not isinstance(node, dict):
        return
    step, rest = steps[0], steps[1:]
    value = node.get(step)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, rest, (*path, step, index), node)
    elif isinstance(value, dict):
        yield from walk(value, rest, (*path, step), node)


def allowed_keys(schema: PackageSchema, source: str, path: tuple[str, ...]) -> set[str] | None:
    """Keys a mapping at this place may hold, or None when no table describes that place."""
    here = [t for t in schema.tables if t.source == source and t.path == path]
    if not here:
        return None
    keys = {f.name for t in here for f in t.record_fields}
    depth = len(path)
    keys |= {
        t.path[depth]
        for t in schema.tables
        if t.source == source and len(t.path) > depth and t.path[:depth] == path
    }
    return keys
