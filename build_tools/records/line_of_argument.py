"""Checks on review.yaml's `line_of_argument:` that its shape (review_format) cannot say.

The model is a small graph: ordered levels, nodes on those levels that draw on the review's
themes and subthemes, and edges between nodes. Every reference must name something declared,
and every id must be safe in a link, because the page links each node of the drawing to its
row of the table alternative. A value of the wrong kind is review_format's problem, reported
once there; here it is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from build_tools.core.errors import Code, Problem
from build_tools.core.text_rules import LINK_ID, LINK_ID_RULE
from build_tools.records.yaml_source import FieldPath, YamlDocument, field_name, is_mapping_file

BLOCK = "line_of_argument"


def check_line_of_argument(review: YamlDocument | None) -> list[Problem]:
    """Ids present, safe and unique; levels, subthemes, themes and edge ends declared."""
    if not is_mapping_file(review):
        return []
    block = review.data.get(BLOCK)
    if not isinstance(block, dict):
        return []
    checker = _Checker(review)
    levels = checker.entries(block, "levels", "a list of levels in order, each with id and label")
    nodes = checker.entries(block, "nodes", "a list of nodes, each with id, label and level")
    level_ids = checker.ids(levels, "levels", "label")
    node_ids = checker.ids(nodes, "nodes", "label")
    subthemes, themes = _declared_themes(review.data)
    for index, node in nodes or ():
        where: FieldPath = (BLOCK, "nodes", index)
        if levels is not None:  # levels not a list: one problem, from review_format
            checker.reference(node, (*where, "level"), level_ids, "a declared level",
                              required=True)
        for name, known, what in (("subthemes", subthemes, "a subtheme"),
                                  ("themes", themes, "a theme")):
            values = node.get(name)
            for position, value in enumerate(values if isinstance(values, list) else ()):
                checker.value(value, (*where, name, position), known, what)
    for index, edge in checker.entries(block, "edges", None) or ():
        where = (BLOCK, "edges", index)
        if nodes is None:
            break  # nodes not a list: one problem, from review_format
        ends = [checker.reference(edge, (*where, end), node_ids, "a node", required=True)
                for end in ("from", "to")]
        checker.required(edge, (*where, "relation"))
        if ends[0] is not None and ends[0] == ends[1]:
            checker.add((*where, "to"), f"{ends[1]!r} is the node the edge comes from",
                        "an edge joins two different nodes", Code.CONFLICTING_FIELDS)
    return checker.problems


class _Checker:
    """Collects located problems about one review.yaml."""

    def __init__(self, review: YamlDocument) -> None:
        self.review = review
        self.problems: list[Problem] = []

    def add(self, path: FieldPath, message: str, allowed: str, code: Code) -> None:
        self.problems.append(Problem(self.review.path, self.review.line_of(path), field_name(path),
                                     message, allowed, code=code))

    def entries(self, block: dict[str, Any], key: str,
                required: str | None) -> list[tuple[int, dict[str, Any]]] | None:
        """The mappings of a list of the block (others are review_format's problem); None
        when the value is there but not a list."""
        value = block.get(key)
        if required and (value is None or value == []):
            self.add((BLOCK, key), "is required but missing", required, Code.MISSING_FIELD)
        if value is not None and not isinstance(value, list):
            return None
        return [(index, item) for index, item in enumerate(value or ()) if isinstance(item, dict)]

    def required(self, item: dict[str, Any], path: FieldPath) -> str | None:
        value = item.get(str(path[-1]))
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(path, "is required but missing", "text", Code.MISSING_FIELD)
            return None
        return _text(value)

    def ids(self, entries: list[tuple[int, dict[str, Any]]] | None, key: str,
            label: str) -> list[str]:
        """The entries' ids, in order, each reported when missing, unsafe or given twice."""
        seen: dict[str, int] = {}
        for index, item in entries or ():
            where: FieldPath = (BLOCK, key, index)
            self.required(item, (*where, label))
            found = self.required(item, (*where, "id"))
            if found is None:
                continue
            if not LINK_ID.match(found):
                self.add((*where, "id"), f"{found!r} is not an id", LINK_ID_RULE,
                         Code.CONSTRAINT_FAILED)
            elif found in seen:
                first = self.review.line_of((BLOCK, key, seen[found], "id"))
                self.add((*where, "id"), f"{found!r} is already the id of line {first}",
                         f"one entry of {key} per id", Code.DUPLICATE_VALUE)
            else:
                seen[found] = index
        return list(seen)

    def reference(self, item: dict[str, Any], path: FieldPath, known: list[str], what: str,
                  *, required: bool) -> str | None:
        if required and self.required(item, path) is None:
            return None
        return self.value(item.get(str(path[-1])), path, known, what)

    def value(self, value: Any, path: FieldPath, known: Iterable[str], what: str) -> str | None:
        found = _text(value)
        if found is None:
            return None  # not text: review_format reports it
        names = list(known)
        if found not in names:
            shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
            self.add(path, f"{found!r} is not {what}",
                     f"one of: {shown}" if names else f"none is declared: declare {what} first",
                     Code.UNDEFINED_REFERENCE)
            return None
        return found


def _declared_themes(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The ids of the subthemes and of the themes of `themes:`, in review.yaml's order."""
    themes = [t for t in data.get("themes") or () if isinstance(t, dict)] \
        if isinstance(data.get("themes"), list) else []
    subthemes = [s for t in themes if isinstance(t.get("subthemes"), list)
                 for s in t["subthemes"] if isinstance(s, dict)]
    return ([t for t in (_text(s.get("id")) for s in subthemes) if t is not None],
            [t for t in (_text(t.get("id")) for t in themes) if t is not None])


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, dt.date)):
        return None
    return str(value)
