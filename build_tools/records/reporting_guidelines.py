"""Reporting guidelines (eMERGe, ENTREQ, PRISMA 2020, …) shipped as data, and the checks on a
review's `reporting:` declaration.

A guideline is a YAML file of `build_tools/assets/checklists/` (package data, like the page
templates): its source and its items, each with the rules that report it from a review's data.
The rules are a fixed vocabulary, named here so that validation can refuse an unknown one with
its file and line; `pages/checklists.py` says where on the site each rule's data appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from build_tools.core.errors import Code, Problem
from build_tools.core.text_rules import LINK_ID
from build_tools.records.yaml_source import YamlDocument, field_name, is_mapping_file, parse_yaml

# What in a review's data can report an item. `methods:<id>` (a section of review.yaml's
# `methods`) is the one rule with a parameter.
RULES: tuple[str, ...] = (
    "title", "question", "protocol", "source_review", "search_rounds", "databases", "prisma",
    "last_search", "update_schedule", "retirement_plan", "studies", "characteristics",
    "appraisal_tool", "appraisals", "themes", "key_findings", "findings", "matrix",
    "downloads", "changelog", "version", "authors",
    "translations", "excerpts", "line_of_argument",
)
METHOD_RULE = "methods:"
GUIDELINE_FILES = ("emerge", "entreq", "prisma-2020", "prisma-lsr")
ITEM_FIELDS = ("number", "section", "name", "text", "reported_by", "confirmed")
GUIDELINE_FIELDS = ("id", "name", "short_name", "citation", "doi", "url", "licence", "checked",
                    "items")


@dataclass(frozen=True)
class GuidelineItem:
    """One item: its number and name as in the guideline, what it asks in our words, and the
    rules that report it (`confirmed` False: not checked against the guideline's source)."""

    number: str
    section: str | None
    name: str
    text: str
    reported_by: tuple[str, ...]
    confirmed: bool = True


@dataclass(frozen=True)
class Guideline:
    """A reporting guideline with its source; every item's text cites `citation`."""

    id: str
    name: str
    short_name: str
    citation: str
    doi: str | None
    url: str | None
    licence: str | None
    checked: str | None
    items: tuple[GuidelineItem, ...]

    def item_id(self, item: GuidelineItem) -> str:
        """How review.yaml names an item: `emerge-7`, `prisma-2020-13a`."""
        return f"{self.id}-{item.number}"

    def item(self, item_id: str) -> GuidelineItem | None:
        return next((i for i in self.items if self.item_id(i) == item_id), None)


def valid_rule(rule: Any) -> bool:
    if not isinstance(rule, str):
        return False
    if rule.startswith(METHOD_RULE):
        return bool(LINK_ID.match(rule[len(METHOD_RULE):]))
    return rule in RULES


def rules_allowed() -> str:
    return ", ".join(RULES) + f", or {METHOD_RULE}<id of a methods section>"


@cache
def shipped_guideline(guideline_id: str) -> Guideline:
    """A guideline shipped with the package (its id is one of GUIDELINE_FILES)."""
    document = guideline_document(guideline_id)
    return guideline_from_data(document.data)


def guideline_document(guideline_id: str) -> YamlDocument:
    """The guideline file as read, with its lines (for `guideline_problems`)."""
    name = f"{guideline_id}.yaml"
    raw = resources.files("build_tools").joinpath("assets", "checklists", name).read_bytes()
    return parse_yaml(raw, f"build_tools/assets/checklists/{name}")


def guideline_from_data(data: Any) -> Guideline:
    data = data if isinstance(data, dict) else {}
    items = data.get("items") if isinstance(data.get("items"), list) else []
    return Guideline(
        id=str(data.get("id")), name=str(data.get("name")),
        short_name=str(data.get("short_name") or data.get("name")),
        citation=str(data.get("citation")), doi=_text(data.get("doi")),
        url=_text(data.get("url")), licence=_text(data.get("licence")),
        checked=_text(data.get("checked")),
        items=tuple(GuidelineItem(
            number=str(item.get("number")), section=_text(item.get("section")),
            name=str(item.get("name")), text=str(item.get("text")),
            reported_by=tuple(str(r) for r in item.get("reported_by") or ()),
            confirmed=item.get("confirmed") is not False)
            for item in items if isinstance(item, dict)),
    )


def guideline_problems(document: YamlDocument) -> list[Problem]:
    """What is wrong with a guideline file: every item needs a number, a name, a text in our
    words and known rules; the guideline needs its citation and a DOI or address."""
    data, problems = document.data, []
    if not isinstance(data, dict):
        return [Problem(document.path, 1, "(file)", "is not a mapping", "a guideline",
                        code=Code.NOT_A_MAPPING)]
    for key in data:
        if key not in GUIDELINE_FIELDS:
            problems.append(_problem(document, (key,), f"unknown field {key!r}",
                                     ", ".join(GUIDELINE_FIELDS), Code.UNKNOWN_FIELD))
    for key in ("id", "name", "citation"):
        if not data.get(key):
            problems.append(_problem(document, (key,), "is required but missing", "text",
                                     Code.MISSING_FIELD))
    if not data.get("doi") and not data.get("url"):
        problems.append(_problem(document, (), "has neither doi nor url",
                                 "the guideline's DOI or address", Code.MISSING_FIELD))
    items = data.get("items")
    if not isinstance(items, list) or not items:
        return [*problems, _problem(document, ("items",), "has no items", "a list of items",
                                    Code.MISSING_FIELD)]
    seen: set[str] = set()
    for index, item in enumerate(items):
        problems += _item_problems(document, index, item, seen)
    return problems


def _item_problems(document: YamlDocument, index: int, item: Any,
                   seen: set[str]) -> list[Problem]:
    where: tuple[str | int, ...] = ("items", index)
    if not isinstance(item, dict):
        return [_problem(document, where, "is not a mapping", "an item", Code.NOT_A_MAPPING)]
    problems = [_problem(document, (*where, key), f"unknown field {key!r}",
                         ", ".join(ITEM_FIELDS), Code.UNKNOWN_FIELD)
                for key in item if key not in ITEM_FIELDS]
    for key in ("number", "name", "text"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            problems.append(_problem(document, (*where, key), "is required but missing",
                                     "text", Code.MISSING_FIELD))
    number = str(item.get("number"))
    if number in seen:
        problems.append(_problem(document, (*where, "number"), f"{number!r} is given twice",
                                 "one item per number", Code.DUPLICATE_VALUE))
    seen.add(number)
    rules = item.get("reported_by")
    if not isinstance(rules, list):
        problems.append(_problem(document, (*where, "reported_by"), "is not a list",
                                 "a list of rules ([] for none)", Code.NOT_A_LIST))
        return problems
    for position, rule in enumerate(rules):
        if not valid_rule(rule):
            problems.append(_problem(document, (*where, "reported_by", position),
                                     f"{rule!r} is not a rule", rules_allowed(),
                                     Code.NOT_ALLOWED))
    if "confirmed" in item and not isinstance(item["confirmed"], bool):
        problems.append(_problem(document, (*where, "confirmed"), "is not true or false",
                                 "true or false", Code.WRONG_TYPE))
    return problems


def check_reporting(review: YamlDocument | None) -> list[Problem]:
    """review.yaml's `reporting:` names shipped guidelines, items of those guidelines and known
    rules (its shape is checked by review_format)."""
    if not is_mapping_file(review):
        return []
    block = review.data.get("reporting")
    if not isinstance(block, dict):
        return []
    problems: list[Problem] = []
    declared: list[Guideline] = []
    methods = _method_ids(review.data)
    guidelines = block.get("guidelines")
    for index, name in enumerate(guidelines if isinstance(guidelines, list) else ()):
        if name not in GUIDELINE_FILES:
            problems.append(_problem(review, ("reporting", "guidelines", index),
                                     f"{name!r} is not a shipped guideline",
                                     "one of: " + ", ".join(GUIDELINE_FILES),
                                     Code.UNDEFINED_REFERENCE))
        else:
            declared.append(shipped_guideline(str(name)))
    items = block.get("items")
    for item_id, override in (items.items() if isinstance(items, dict) else ()):
        where: tuple[str | int, ...] = ("reporting", "items", item_id)
        if not any(g.item(str(item_id)) for g in declared):
            known = [g.item_id(i) for g in declared for i in g.items]
            shown = ", ".join(known[:6]) + (", …" if len(known) > 6 else "")
            problems.append(_problem(review, where,
                                     f"{item_id!r} is not an item of a declared guideline",
                                     f"<guideline>-<number> of reporting.guidelines ({shown})"
                                     if known else "declare its guideline in reporting.guidelines",
                                     Code.UNDEFINED_REFERENCE))
        rules = override.get("where") if isinstance(override, dict) else None
        for position, rule in enumerate(rules if isinstance(rules, list) else ()):
            if not valid_rule(rule):
                problems.append(_problem(review, (*where, "where", position),
                                         f"{rule!r} is not a rule", rules_allowed(),
                                         Code.NOT_ALLOWED))
            elif rule.startswith(METHOD_RULE) and rule[len(METHOD_RULE):] not in methods:
                problems.append(_problem(review, (*where, "where", position),
                                         f"{rule!r} names no section of methods",
                                         "methods:<id> of an entry of methods: "
                                         + (", ".join(sorted(methods)) or "none given"),
                                         Code.UNDEFINED_REFERENCE))
    return problems


def _method_ids(data: dict[str, Any]) -> set[str]:
    methods = data.get("methods")
    return {str(m.get("id")) for m in (methods if isinstance(methods, list) else ())
            if isinstance(m, dict) and m.get("id") is not None}


def _problem(document: YamlDocument, path: tuple[str | int, ...], message: str, allowed: str,
             code: Code) -> Problem:
    return Problem(document.path, document.line_of(path), field_name(path) or "(file)", message,
                   allowed, code=code)



def _text(value: Any) -> str | None:
    return None if value is None else " ".join(str(value).split())
