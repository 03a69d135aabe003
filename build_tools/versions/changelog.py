"""What changed between two data snapshots: a pure function, so every changelog can be recomputed.

Compares the studies (added, removed, each changed field with old and new value, including the
rows of their child tables), titled review tables such as themes and subthemes (added, removed,
renamed), every count in review.yaml, the judgements of findings, and new search rounds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

FINDINGS = "findings"  # review.yaml block whose changed values are judgements of findings


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class StudyChange:
    study: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Item:
    """A study, theme, subtheme or search round named in a changelog."""

    id: str
    title: str


@dataclass(frozen=True)
class TableChanges:
    """Added, removed and renamed rows of a titled table (themes, subthemes, …)."""

    table: str
    added: tuple[Item, ...]
    removed: tuple[Item, ...]
    renamed: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Changelog:
    added_studies: tuple[Item, ...]
    removed_studies: tuple[Item, ...]
    changed_studies: tuple[StudyChange, ...]
    tables: tuple[TableChanges, ...]
    counts: tuple[FieldChange, ...]
    judgements: tuple[FieldChange, ...]
    search_rounds: tuple[Item, ...]
    first: bool = False  # nothing was released before

    @property
    def empty(self) -> bool:
        return not (self.added_studies or self.removed_studies or self.changed_studies
                    or any(t.added or t.removed or t.renamed for t in self.tables)
                    or self.counts or self.judgements or self.search_rounds)

    def summary(self) -> str:
        """One line for feeds and the list of releases."""
        if self.first:
            count = len(self.added_studies)
            return f"first release: {count} {'study' if count == 1 else 'studies'}"
        parts = []
        for count, what in ((len(self.added_studies), "added"),
                            (len(self.removed_studies), "removed"),
                            (len(self.changed_studies), "updated")):
            if count:
                parts.append(f"{count} {'study' if count == 1 else 'studies'} {what}")
        for table in self.tables:
            for items, what in ((table.added, "added"), (table.removed, "removed"),
                                (table.renamed, "renamed")):
                if items:
                    parts.append(f"{len(items)} {table.table.lower()} {what}")
        if self.counts:
            parts.append(f"{len(self.counts)} count(s) changed")
        if self.judgements:
            parts.append(f"{len(self.judgements)} judgement(s) of findings changed")
        if self.search_rounds:
            parts.append("new search round: " + ", ".join(r.title for r in self.search_rounds))
        return "; ".join(parts) if parts else "no changes to the data"


def compute_changelog(old: dict[str, Any] | None, new: dict[str, Any]) -> Changelog:
    """Changes from `old` (None: nothing released before) to `new`."""
    first = old is None
    old = old or {"tables": {}, "review": {}, "layout": new.get("layout", {})}
    layout = new.get("layout", {})
    study_table = layout.get("studies", "studies")
    old_studies = _by_id(old["tables"].get(study_table, []))
    new_studies = _by_id(new["tables"].get(study_table, []))
    children = layout.get("children", {})
    field_titles = layout.get("fields", {})
    changed = []
    for study_id in sorted(set(old_studies) & set(new_studies)):
        changes = _row_changes(old_studies[study_id], new_studies[study_id], field_titles)
        for table, parent in sorted(children.items()):
            before = _child_rows(old["tables"].get(table, []), parent, study_id)
            after = _child_rows(new["tables"].get(table, []), parent, study_id)
            if before != after:
                title = layout.get("titles", {}).get(table, table)
                changes.append(FieldChange(title, before or "none", after or "none"))
        if changes:
            changed.append(StudyChange(study_id, tuple(changes)))
    titled = [name for name, rows in new["tables"].items()
              if name != study_table and name not in children and _is_titled(rows)]
    return Changelog(
        added_studies=_items(new_studies, set(new_studies) - set(old_studies)),
        removed_studies=_items(old_studies, set(old_studies) - set(new_studies)),
        changed_studies=tuple(changed),
        tables=tuple(_table_changes(layout.get("titles", {}).get(name, name),
                                    old["tables"].get(name, []), new["tables"][name])
                     for name in titled),
        counts=() if first else tuple(_leaf_changes(old["review"], new["review"], _is_count)),
        judgements=() if first else tuple(_leaf_changes(old["review"], new["review"],
                                                        _is_judgement)),
        search_rounds=_new_rounds(old["review"], new["review"]),
        first=first,
    )


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(row.get("id")): row for row in rows}


def _items(rows: dict[str, dict[str, Any]], ids: set[str]) -> tuple[Item, ...]:
    return tuple(Item(i, str(rows[i].get("title") or i)) for i in sorted(ids))


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "empty"
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _row_changes(old: dict[str, Any], new: dict[str, Any],
                 titles: dict[str, str]) -> list[FieldChange]:
    fields = list(new) + [f for f in old if f not in new]
    return [FieldChange(titles.get(f, f), _show(old.get(f)), _show(new.get(f)))
            for f in fields if old.get(f) != new.get(f)]


def _child_rows(rows: list[dict[str, Any]], parent: str, study_id: str) -> str:
    """A study's rows of one child table as text, e.g. 'subtheme: human-connection'."""
    shown = []
    for row in rows:
        if str(row.get(parent)) != study_id:
            continue
        cells = [f"{k}: {_show(v)}" for k, v in row.items() if k != parent and v not in (None, "")]
        shown.append(", ".join(cells))
    return "; ".join(shown)


def _is_titled(rows: list[dict[str, Any]]) -> bool:
    return bool(rows) and all("id" in row and "title" in row for row in rows)


def _table_changes(name: str, old_rows: list[dict[str, Any]],
                   new_rows: list[dict[str, Any]]) -> TableChanges:
    old, new = _by_id(old_rows), _by_id(new_rows)
    renamed = tuple(FieldChange(i, _show(old[i].get("title")), _show(new[i].get("title")))
                    for i in sorted(set(old) & set(new))
                    if old[i].get("title") != new[i].get("title"))
    return TableChanges(name, _items(new, set(new) - set(old)), _items(old, set(old) - set(new)),
                        renamed)


def _leaves(node: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Leaf values by path; list items are named by their `id` when they have one."""
    found: dict[tuple[str, ...], Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "sources" or path:
                found.update(_leaves(value, (*path, str(key))))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            name = str(value.get("id")) if isinstance(value, dict) and "id" in value else str(index)
            found.update(_leaves(value, (*path, name)))
    else:
        found[path] = node
    return found


def _is_count(path: tuple[str, ...], old: Any, new: Any) -> bool:
    return any(isinstance(v, int) and not isinstance(v, bool) for v in (old, new))


def _is_judgement(path: tuple[str, ...], old: Any, new: Any) -> bool:
    """A changed value of a finding (its judgements in whatever framework the review
    declares), other than a count."""
    return bool(path) and path[0] == FINDINGS and not _is_count(path, old, new)


def _leaf_changes(old: dict[str, Any], new: dict[str, Any], keep: Any) -> list[FieldChange]:
    before, after = _leaves(old), _leaves(new)
    changes = []
    for path in sorted(set(before) | set(after)):
        old_value, new_value = before.get(path), after.get(path)
        if old_value != new_value and keep(path, old_value, new_value):
            changes.append(FieldChange(".".join(path), _show(old_value), _show(new_value)))
    return changes


def _new_rounds(old: dict[str, Any], new: dict[str, Any]) -> tuple[Item, ...]:
    known = {str(r.get("id")) for r in old.get("search_rounds") or [] if isinstance(r, dict)}
    return tuple(
        Item(str(r.get("id")), str(r.get("label") or r.get("id")))
        for r in new.get("search_rounds") or []
        if isinstance(r, dict) and str(r.get("id")) not in known
    )
