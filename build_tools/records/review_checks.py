"""Checks on the tables read from review.yaml that Frictionless cannot make.

Frictionless drops keys a table does not define, so a misspelt PRISMA count or finding judgement
would silently read "not reported"/"not assessed"; and the declared findings framework
(`x-findings`) asks an explanation for every judgement, which no single-column constraint can say.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from build_tools.core.errors import Code, Problem
from build_tools.core.messages import unknown_field
from build_tools.core.urls import url_problem
from build_tools.records.findings_framework import FindingsFramework, findings_framework
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row, allowed_keys, walk
from build_tools.records.yaml_source import YamlDocument, field_name, is_mapping_file


def check_review_shape(review: YamlDocument | None, schema: PackageSchema) -> list[Problem]:
    """Every key inside an item of a review table is a field of that table (or a nested table)."""
    if not is_mapping_file(review):
        return []
    problems = []
    for path in sorted({t.path for t in schema.tables if t.source == "review" and t.path}):
        keys = allowed_keys(schema, "review", path)
        if keys is None:
            continue
        for item, where, _ in walk(review.data, path, ()):
            if not isinstance(item, dict):
                problems.append(Problem(review.path, review.line_of(where), field_name(where),
                                        "is not a mapping", "a mapping of fields",
                                        code=Code.NOT_A_MAPPING))
                continue
            for key in item:
                if key not in keys:
                    problems.append(Problem(review.path, review.line_of((*where, key)),
                                            field_name((*where, key)), *unknown_field(key, keys),
                                            code=Code.UNKNOWN_FIELD))
    return problems


def check_theme_tree(review: YamlDocument | None) -> list[Problem]:
    """A theme's `parent` names another theme, and no theme is its own ancestor (the schema's
    themes table may declare `parent` to nest themes at any depth)."""
    if not is_mapping_file(review) or not isinstance(review.data.get("themes"), list):
        return []
    themes = [t for t in review.data["themes"] if isinstance(t, dict)]
    parents = {str(t.get("id")): t.get("parent") for t in themes}
    problems = []
    for index, theme in enumerate(review.data["themes"]):
        if not isinstance(theme, dict) or theme.get("parent") is None:
            continue
        where = ("themes", index, "parent")
        parent = str(theme["parent"])
        if parent not in parents:
            problems.append(Problem(review.path, review.line_of(where), field_name(where),
                                    f"{parent!r} is not a theme", "the id of another theme",
                                    code=Code.UNDEFINED_REFERENCE))
            continue
        seen: set[str] = {str(theme.get("id"))}
        node: str | None = parent
        while node is not None and node not in seen:
            seen.add(node)
            above = parents.get(node)
            node = str(above) if above is not None else None
        if node is not None:
            problems.append(Problem(review.path, review.line_of(where), field_name(where),
                                    f"makes {theme.get('id')!r} a theme below itself",
                                    "a tree: no theme may be its own ancestor",
                                    code=Code.CONFLICTING_FIELDS))
    return problems


def check_review_urls(review: YamlDocument | None) -> list[Problem]:
    """Every address in review.yaml (a key `url` or ending in `_url`, at any depth) follows the
    one URL rule; an empty one (null) means "no address"."""
    if review is None:
        return []
    problems = []
    for path, value in _leaves(review.data, ()):
        key = path[-1] if path else None
        if not isinstance(key, str) or not (key == "url" or key.endswith("_url")):
            continue
        wrong = url_problem(value) if value is not None else None
        if wrong:
            problems.append(Problem(review.path, review.line_of(path), field_name(path), *wrong,
                                    code=Code.BAD_URL))
    return problems


def _leaves(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)) and not str(key).endswith("url"):
                yield from _leaves(value, (*path, key))
            else:
                yield (*path, key), value
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def check_findings(schema: PackageSchema, tables: dict[str, list[Row]]) -> list[Problem]:
    """Each judgement has its explanation; one finding per subtheme or theme."""
    framework = findings_framework(schema)
    if framework is None:
        return []
    table = framework.table
    problems = []
    seen: dict[tuple[str, str], Row] = {}
    for row in tables.get(table.name, []):
        problems += _explanations(framework, row)
        for kind in ("subtheme", "theme"):
            target = row.values.get(kind)
            if not isinstance(target, str):
                continue
            first = seen.setdefault((kind, target), row)
            if first is not row:
                problems.append(Problem(row.document.path, row.line(kind),
                                        field_name((*row.path, kind)),
                                        f"{target!r} already has a finding at "
                                        f"{first.document.path}:{first.line(kind)}",
                                        f"one finding per {kind}",
                                        code=Code.DUPLICATE_FINDING))
        if row.values.get("subtheme") and row.values.get("theme"):
            problems.append(Problem(row.document.path, row.line("theme"),
                                    field_name((*row.path, "theme")), "is given with subtheme",
                                    "a finding summarises either one subtheme or one theme",
                                    code=Code.CONFLICTING_FIELDS))
    return problems


def _explanations(framework: FindingsFramework, row: Row) -> list[Problem]:
    table, problems = framework.table, []
    for judgement in framework.judgements:
        explanation = f"{judgement}_explanation"
        if table.field(judgement) is None or table.field(explanation) is None:
            continue
        given, explained = row.values.get(judgement), row.values.get(explanation)
        if given and not explained:
            problems.append(Problem(row.document.path, row.line(judgement),
                                    field_name((*row.path, judgement)),
                                    f"{given!r} is given without {explanation}",
                                    f"{framework.name or 'the framework'} asks for an "
                                    "explanation of every judgement",
                                    code=Code.MISSING_FIELD))
        elif explained and not given:
            problems.append(Problem(row.document.path, row.line(explanation),
                                    field_name((*row.path, explanation)),
                                    f"explains a {judgement} that is not given",
                                    f"give {judgement} too, or leave both out",
                                    code=Code.CONFLICTING_FIELDS))
    overall = framework.overall
    if overall and row.values.get(overall) is None and \
            any(row.values.get(c) for c in framework.components):
        levels = framework.levels(overall)
        shown = ", ".join(levels[:-1]) + (" or " if len(levels) > 1 else "") + \
            (levels[-1] if levels else "")
        problems.append(Problem(row.document.path, row.line(), field_name(row.path),
                                f"has component judgements but no overall {overall}",
                                f"add {overall}: {shown}".rstrip(": "),
                                code=Code.MISSING_FIELD))
    return problems
