"""Identifier fields of the schema (`x-format: arxiv | pmid | url | entry-type | citation-key`):
their checks, and the Identifiers of one record.

The rules themselves are core/identifiers.py; here they meet the schema and the rows, so each
problem names the file, line and field. An identifier names one work, so two studies may not
share an arXiv id or a PubMed id; a citation key names one entry of the BibTeX download, so it
may not equal another study's key, nor the id of a study that has no key (its key is its id).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from build_tools.core import identifiers as ids
from build_tools.core.errors import Code, Problem
from build_tools.core.urls import url_problem
from build_tools.records.schema import TableSpec
from build_tools.records.tables import Row

Rule = Callable[[Any], "tuple[str, str] | None"]
RULES: dict[str, tuple[Rule, Code]] = {
    "arxiv": (ids.arxiv_problem, Code.BAD_ARXIV),
    "pmid": (ids.pmid_problem, Code.BAD_PMID),
    "url": (url_problem, Code.BAD_URL),
    "entry-type": (ids.entry_type_problem, Code.BAD_ENTRY_TYPE),
    "citation-key": (ids.citation_key_problem, Code.BAD_CITATION_KEY),
}
UNIQUE = {"arxiv": "an arXiv identifier", "pmid": "a PubMed id"}
ATTRIBUTES = {"arxiv": "arxiv", "pmid": "pmid", "url": "url", "entry-type": "entry_type",
              "citation-key": "citation_key"}


def check_identifiers(table: TableSpec, rows: list[Row]) -> list[Problem]:
    """Every identifier field's syntax, then one study per arXiv id, PubMed id and key."""
    problems = []
    for spec in (f for f in table.record_fields if f.format in RULES):
        rule, code = RULES[str(spec.format)]
        seen: dict[str, Row] = {}
        for row in rows:
            value = row.values.get(spec.name)
            if value in (None, ""):
                continue
            where = (row.document.path, row.line(spec.name), _where(row, spec.name))
            wrong = rule(value)
            if wrong:
                problems.append(Problem(*where, *wrong, code=code))
                continue
            if spec.format in UNIQUE:
                first = seen.setdefault(_comparable(str(spec.format), str(value)), row)
                if first is not row:
                    problems.append(Problem(
                        *where, f"{value!r} is already used by "
                        f"{first.document.path}:{first.line(spec.name)}",
                        f"one record per study; {UNIQUE[str(spec.format)]} names one work",
                        code=Code.DUPLICATE_IDENTIFIER))
        if spec.format == "citation-key":
            problems += _duplicate_keys(table, spec.name, rows)
    return problems


def _duplicate_keys(table: TableSpec, name: str, rows: list[Row]) -> list[Problem]:
    """A key equal to another study's key, or to the id of a study that has none."""
    id_field = table.descriptor.get("schema", {}).get("primaryKey", ["id"])[0]
    keys: dict[str, Row] = {}
    for row in rows:
        key = row.values.get(name)
        if isinstance(key, str) and key and ids.citation_key_problem(key) is None:
            keys.setdefault(key.lower(), row)
    problems = []
    for row in rows:
        key = row.values.get(name)
        if isinstance(key, str) and key and ids.citation_key_problem(key) is None:
            first = keys[key.lower()]
            if first is not row:
                problems.append(Problem(
                    row.document.path, row.line(name), _where(row, name),
                    f"{key!r} is already the citation key of "
                    f"{first.document.path}:{first.line(name)}",
                    "a key no other study has (keys are compared ignoring case)",
                    code=Code.DUPLICATE_IDENTIFIER))
            continue
        own = row.values.get(id_field)
        if isinstance(own, str) and own.lower() in keys:
            holder = keys[own.lower()]
            problems.append(Problem(
                holder.document.path, holder.line(name), _where(holder, name),
                f"{holder.values[name]!r} is the id of {row.document.path}, whose BibTeX "
                "entry has that key", "a key no other study has as its key or its id",
                code=Code.DUPLICATE_IDENTIFIER))
    return problems


def record_identifiers(table: TableSpec, values: dict[str, Any]) -> ids.Identifiers:
    """The valid identifiers of one record (the first field of each format); invalid ones
    never reach this point, because validation stops the build."""
    found: dict[str, str] = {}
    for spec in table.fields:
        if spec.format in ATTRIBUTES and ATTRIBUTES[str(spec.format)] not in found:
            value = values.get(spec.name)
            if value not in (None, "") and RULES[str(spec.format)][0](value) is None:
                found[ATTRIBUTES[str(spec.format)]] = str(value)
    return ids.Identifiers(**found)


def _comparable(format_name: str, value: str) -> str:
    """arXiv versions of one paper are one work (2101.00001v2 is 2101.00001)."""
    if format_name == "arxiv":
        head, _, tail = value.rpartition("v")
        return head if head and tail.isdigit() and ("." in head or "/" in head) else value
    return value


def _where(row: Row, name: str) -> str:
    parts = [*row.path, name]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
