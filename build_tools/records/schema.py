"""The review's study schema: a Frictionless Data Package descriptor kept as data in the project."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from build_tools.core import identifiers
from build_tools.core.errors import Code, InvalidRecords, Problem
from build_tools.core.urls import WEB_ADDRESS
from build_tools.records.yaml_source import YamlDocument

TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date as YYYY-MM-DD",
    "array": "a list of text items",
}

# What a value of each identifier format (`x-format`, core/identifiers.py) looks like.
FORMAT_WORDS = {
    "arxiv": identifiers.ARXIV_ALLOWED,
    "pmid": identifiers.PMID_ALLOWED,
    "url": WEB_ADDRESS,
    "entry-type": identifiers.ENTRY_TYPE_ALLOWED,
    "citation-key": identifiers.CITATION_KEY_ALLOWED,
}


@dataclass(frozen=True)
class FieldSpec:
    """One column of a table, with what the site and the error messages need to know of it."""

    name: str
    type: str
    title: str
    description: str
    constraints: dict[str, Any]
    format: str | None = None
    descriptor_format: str | None = None
    years_ahead: int | None = None  # x-max-years-ahead: at most this many years after the build

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldSpec:
        return cls(
            name=data["name"],
            type=data.get("type", "string"),
            title=data.get("title") or data["name"].replace("_", " ").capitalize(),
            description=data.get("description", ""),
            constraints=dict(data.get("constraints") or {}),
            format=data.get("x-format"),
            descriptor_format=data.get("format"),
            years_ahead=data.get("x-max-years-ahead"),
        )

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    def allowed(self) -> str:
        """What a valid value looks like, for the bracket at the end of an error message."""
        if "enum" in self.constraints:
            return "one of: " + ", ".join(str(v) for v in self.constraints["enum"])
        words = TYPE_WORDS.get(self.type, self.type)
        if self.format == "doi":
            words = "a DOI such as 10.1080/10503307.2017.1359428"
        elif self.format in FORMAT_WORDS:
            words = FORMAT_WORDS[self.format]
        if "pattern" in self.constraints:
            words += f" matching {self.constraints['pattern']}"
        if "maxLength" in self.constraints:
            words += f" of at most {self.constraints['maxLength']} characters"
        low, high = self.constraints.get("minimum"), self.constraints.get("maximum")
        if low is not None and high is not None:
            words += f" from {low} to {high}"
        elif low is not None:
            words += f" of at least {low}"
        elif high is not None:
            words += f" of at most {high}"
        return words


@dataclass(frozen=True)
class TableSpec:
    """A table of the data package and where its rows come from in the records."""

    name: str
    title: str
    source: str
    path: tuple[str, ...]
    parent: dict[str, str]
    min_items: int
    require_one_of: tuple[tuple[str, ...], ...]
    fields: tuple[FieldSpec, ...]
    descriptor: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableSpec:
        rows = data.get("x-rows") or {}
        return cls(
            name=data["name"],
            title=data.get("title", data["name"]),
            source=rows.get("from", "studies"),
            path=tuple(rows.get("path") or ()),
            parent=dict(rows.get("parent") or {}),
            min_items=int(rows.get("min_items", 0)),
            require_one_of=tuple(tuple(g) for g in data.get("x-require-one-of") or ()),
            fields=tuple(FieldSpec.from_dict(f) for f in data["schema"]["fields"]),
            descriptor=data,
        )

    def field(self, name: str) -> FieldSpec | None:
        return self._fields_by_name.get(name)

    @functools.cached_property
    def _fields_by_name(self) -> dict[str, FieldSpec]:
        """Asked for each value of each row: a lookup, not a search."""
        return {f.name: f for f in reversed(self.fields)}  # the first of a repeated name

    @property
    def published(self) -> bool:
        """False (`x-publish: false`) for tables that are validated but not downloadable data."""
        return bool(self.descriptor.get("x-publish", True))

    @functools.cached_property
    def record_fields(self) -> tuple[FieldSpec, ...]:
        """Fields written in the record itself (not copied from the parent)."""
        return tuple(f for f in self.fields if f.name not in self.parent)


@dataclass(frozen=True)
class PackageSchema:
    """All tables of the review's data package."""

    descriptor: dict[str, Any]
    tables: tuple[TableSpec, ...]

    @classmethod
    def from_document(cls, document: YamlDocument) -> PackageSchema:
        data = document.data
        resources = data.get("resources") if isinstance(data, dict) else None
        if not isinstance(resources, list) or not resources:
            raise InvalidRecords(
                [Problem(document.path, 1, "resources", "no tables are defined",
                         "a Frictionless Data Package descriptor with resources",
                         code=Code.BAD_SCHEMA)]
            )
        try:
            tables = tuple(TableSpec.from_dict(r) for r in resources)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InvalidRecords(
                [Problem(document.path, 1, "resources", f"a table is malformed ({error})",
                         "each resource needs a name and schema.fields", code=Code.BAD_SCHEMA)]
            ) from None
        return cls(descriptor=data, tables=tables)

    def published_tables(self) -> tuple[TableSpec, ...]:
        return tuple(t for t in self.tables if t.published)

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    @property
    def studies(self) -> TableSpec:
        """The table with one row per study record."""
        return next(t for t in self.tables if t.source == "studies" and not t.path)

    def child_tables(self) -> tuple[TableSpec, ...]:
        """Tables whose rows come from lists inside each study record."""
        return tuple(t for t in self.tables if t.source == "studies" and t.path)

    def study_keys(self) -> set[str]:
        """Every key a study record may have."""
        return {f.name for f in self.studies.fields} | {t.path[0] for t in self.child_tables()}
