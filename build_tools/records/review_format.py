"""The blocks of review.yaml that are not tables of the data package, and their checks.

The tables (themes, search rounds, findings, the citation block, …) are described by the
project's schema and checked like study records. What remains are the blocks every review has
and the templates read by name (`review.protocol.url`, `review.living.last_search`); they are
the generator's format, not one review's data, so they are described here. An unknown key at any
level (a `titel:` typo) or a value of the wrong kind would otherwise be silently left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from build_tools.core.errors import Code, Problem
from build_tools.core.messages import container_remedy, describe, found_instead, show, unknown_field
from build_tools.records.schema import PackageSchema
from build_tools.records.yaml_source import FieldPath, YamlDocument, field_name, is_mapping_file


@dataclass(frozen=True)
class Named:
    """A mapping whose keys the review chooses (`sources: {abstract: …}`), each value `item`."""

    item: Shape


@dataclass(frozen=True)
class OneOf:
    """Text that must be one of `values` (`kind: bibliography`)."""

    values: tuple[str, ...]


Shape = str | dict[str, "Shape"] | list["Shape"] | Named | OneOf

TEXT, NUMBER, DATE, TEXT_OR_NUMBER = "text", "a whole number", "a date", "text or a number"
BOOLEAN = "true or false"
COLOURS = ("green", "amber", "red", "grey")  # the palette of appraisal judgements
SOURCE: dict[str, Shape] = {"title": TEXT, "url": TEXT, "note": TEXT}

KINDS = ("qualitative", "quantitative", "bibliography")
REVIEW_FORMAT: dict[str, Shape] = {
    "title": TEXT,
    "kind": OneOf(KINDS),
    "wording": {"review": TEXT, "study": TEXT, "studies": TEXT},
    "short_title": TEXT,
    "question": {"text": TEXT, "source": TEXT},
    "protocol": {"registry": TEXT, "id": TEXT, "url": TEXT, "source": TEXT},
    "source_review": {"citation": TEXT, "doi": TEXT, "published_online": DATE, "source": TEXT},
    "included_studies": {"count": NUMBER, "source": TEXT},
    "living": {"update_schedule": TEXT, "last_search": TEXT, "last_search_source": TEXT,
               "retirement_plan": TEXT},
    "sources": Named(SOURCE),
    "methods": [{"id": TEXT, "title": TEXT, "text": TEXT, "source": TEXT}],
    "reported_characteristics": [{"id": TEXT, "label": TEXT, "value": TEXT_OR_NUMBER,
                                  "source": TEXT}],
    "key_findings": [{"text": TEXT, "source": TEXT}],
    "appraisal_tool": {"name": TEXT, "source": TEXT, "noun": TEXT, "total": BOOLEAN,
                       "scale": [{"value": TEXT, "colour": OneOf(COLOURS), "score": NUMBER}]},
    # the reporting guidelines to check the site against (records/reporting_guidelines.py)
    "reporting": {"guidelines": [TEXT], "items": Named({"where": [TEXT], "note": TEXT})},
    # the synthesis' model, drawn on its own page (records/line_of_argument.py checks its ids)
    "line_of_argument": {
        "title": TEXT, "summary": TEXT, "source": TEXT,
        "levels": [{"id": TEXT, "label": TEXT}],
        "nodes": [{"id": TEXT, "label": TEXT, "level": TEXT, "description": TEXT,
                   "subthemes": [TEXT], "themes": [TEXT]}],
        "edges": [{"from": TEXT, "to": TEXT, "relation": TEXT}]},
}
REQUIRED = ("title",)


def check_review_format(review: YamlDocument | None, schema: PackageSchema) -> list[Problem]:
    """Unknown keys and wrong kinds of value in review.yaml, outside the schema's tables."""
    if not is_mapping_file(review):
        return []
    tables = {t.path for t in schema.tables if t.source == "review" and t.path}
    problems = [Problem(review.path, review.line_of(()), name, "is required but missing", TEXT,
                        code=Code.MISSING_FIELD)
                for name in REQUIRED if review.data.get(name) is None]
    _check(review, review.data, (), REVIEW_FORMAT, tables, problems)
    return problems


def _check(review: YamlDocument, value: Any, path: FieldPath, shape: Shape,
           tables: set[tuple[str, ...]], problems: list[Problem]) -> None:
    if value is None:
        return  # an optional value left empty (`update_schedule:`)
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            _wrong(review, path, value, "a mapping", "fields: " + ", ".join(sorted(shape)),
                   problems)
            return
        _check_fields(review, value, path, shape, tables, problems)
    elif isinstance(shape, list):
        if not isinstance(value, list):
            _wrong(review, path, value, "a list", "a list of mappings", problems)
            return
        for index, item in enumerate(value):
            _check(review, item, (*path, index), shape[0], tables, problems)
    elif isinstance(shape, Named):
        if not isinstance(value, dict):
            _wrong(review, path, value, "a mapping", "a name for each entry", problems)
            return
        for key, item in value.items():
            _check(review, item, (*path, key), shape.item, tables, problems)
    elif isinstance(shape, OneOf):
        if value not in shape.values:
            problems.append(Problem(review.path, review.line_of(path), field_name(path),
                                    f"{show(value)} is not allowed",
                                    "one of: " + ", ".join(shape.values),
                                    code=Code.NOT_ALLOWED))
    elif not _fits(value, shape):
        _wrong(review, path, value, shape, shape, problems)


def _check_fields(review: YamlDocument, value: dict[str, Any], path: FieldPath,
                  shape: dict[str, Shape], tables: set[tuple[str, ...]],
                  problems: list[Problem]) -> None:
    depth = len(path)
    nested = {t[depth] for t in tables if len(t) > depth and t[:depth] == path}
    for key, item in value.items():
        where = (*path, key)
        if key in shape:
            _check(review, item, where, shape[key], tables, problems)
        elif key in nested:
            if item is not None and not isinstance(item, (list, dict)):
                _wrong(review, where, item, "a list", "a list of mappings", problems)
        else:
            problems.append(Problem(review.path, review.line_of(where), field_name(where),
                                    *unknown_field(key, {*shape, *nested}),
                                    code=Code.UNKNOWN_FIELD))


def _fits(value: Any, kind: str) -> bool:
    if kind == BOOLEAN or isinstance(value, bool):
        return kind == BOOLEAN and isinstance(value, bool)
    if kind == TEXT:
        return isinstance(value, (str, int, dt.date))
    if kind == NUMBER:
        return isinstance(value, int)
    if kind == DATE:
        return isinstance(value, (dt.date, str))
    return isinstance(value, (str, int, float))


def _wrong(review: YamlDocument, path: FieldPath, value: Any, expected: str, allowed: str,
           problems: list[Problem]) -> None:
    code = {"a mapping": Code.NOT_A_MAPPING, "a list": Code.NOT_A_LIST}.get(expected,
                                                                          Code.WRONG_TYPE)
    if isinstance(value, (list, dict)):
        message = found_instead(expected, value)
        allowed = container_remedy(value, expected, allowed)
    elif expected in ("a mapping", "a list"):
        message = found_instead(expected, value)
    else:
        message = f"{show(value)} is {describe(value)}"
    problems.append(Problem(review.path, review.line_of(path), field_name(path), message, allowed,
                            code=code))
