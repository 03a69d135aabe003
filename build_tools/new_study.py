"""`livingreview new --doi DOI`: start a study record from its Crossref work.

The citation is prefilled (from the cache, else from Crossref, whose answer is then cached);
what only a curator can know is left as commented placeholders taken from the schema, so the
record fails validation until someone has filled them in.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from build_tools.citation import issued_year, work_authors, work_texts
from build_tools.crossref_cache import (
    CachedWork,
    normalise_doi,
    read_cached_work,
    write_cached_work,
)
from build_tools.crossref_client import CrossrefClient
from build_tools.errors import ReviewError
from build_tools.fetch import utc_now
from build_tools.markup import plain_text
from build_tools.project import Project
from build_tools.records import load_records
from build_tools.schema import PackageSchema

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/study.schema.json"
DOI_SYNTAX = re.compile(r"^10\.\d{4,9}/\S+$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class NewStudyError(ReviewError):
    """The record could not be started; nothing was written."""


def new_study(project: Project, doi: str, client: CrossrefClient | None,
              study_id: str | None = None) -> Path:
    """Write studies/<id>.yaml for this DOI and return its path; never overwrites a file."""
    doi = normalise_doi(doi)
    if not DOI_SYNTAX.match(doi):
        raise NewStudyError(f"{doi!r} is not a DOI "
                            "(a DOI looks like 10.1080/10503307.2017.1359428)")
    records = load_records(project)
    taken: set[str] = set()
    for document in records.studies:
        data = document.data if isinstance(document.data, dict) else {}
        if isinstance(data.get("doi"), str) and normalise_doi(data["doi"]) == doi:
            raise NewStudyError(f"{doi} is already recorded in {document.path}")
        taken.add(Path(document.path).stem)
    cached = read_cached_work(project.cache_dir, doi) or _fetch(project, doi, client)
    if study_id is not None and not ID_PATTERN.match(study_id):
        raise NewStudyError(f"{study_id!r} is not a usable id "
                            "(lower-case letters, digits, - and _)")
    chosen = study_id or unique_id(suggested_id(cached.work), taken)
    target = project.studies_dir / f"{chosen}.yaml"
    schema = PackageSchema.from_document(records.schema) if records.schema else None
    text = record_text(chosen, doi, cached, schema)
    project.studies_dir.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise NewStudyError(f"{project.display(target)} already exists; "
                            "choose another id with --id") from None
    return target


def _fetch(project: Project, doi: str, client: CrossrefClient | None) -> CachedWork:
    if client is None:
        raise NewStudyError(f"{doi} is not in the cache and no Crossref client was given")
    work = client.work(doi)
    if work is None:
        agency = client.agency(doi)
        where = f"; it is registered with {agency}" if agency else ""
        raise NewStudyError(f"{doi} was not found in Crossref{where}")
    cached = CachedWork(doi, utc_now(), work)
    write_cached_work(project.cache_dir, cached)
    return cached


def suggested_id(work: dict[str, Any]) -> str:
    """First author's family name (ASCII, lower-case) and the year, e.g. 'aherne2018'."""
    authors = [a for a in work.get("author") or () if isinstance(a, dict)]
    first = next((a for a in authors if a.get("sequence") == "first"), None)
    family = work_authors({"author": [first]})[0].family if first else ""
    if not family:
        people = work_authors(work)
        family = people[0].family if people else "study"
    ascii_name = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]", "", ascii_name.lower())[:48] or "study"
    year = issued_year(work)
    return f"{base}{year}" if year else base


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, else base + b, c, … (as in author–year citations), else a number."""
    if base not in taken:
        return base
    for suffix in "bcdefghijklmnopqrstuvwxyz":
        if base + suffix not in taken:
            return base + suffix
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def record_text(study_id: str, doi: str, cached: CachedWork,
                schema: PackageSchema | None) -> str:
    """The YAML text: a schema line for editors, the citation, then placeholders to fill in."""
    work = cached.work
    title = next(iter(work_texts(work.get("title"))), None)
    journal = next(iter(work_texts(work.get("container-title"))), None)
    values: dict[str, Any] = {
        "id": study_id,
        "doi": doi,
        "title": plain_text(title) if title else None,
        "authors": [a.display for a in work_authors(work)] or None,
        "year": issued_year(work),
        "journal": plain_text(journal) if journal else None,
        "volume": work.get("volume"),
        "issue": work.get("issue"),
        "pages": work.get("page") or work.get("article-number"),
    }
    values = {k: v for k, v in values.items() if v not in (None, "", [])}
    lines = [
        SCHEMA_COMMENT,
        f"# Started by `livingreview new` from the Crossref work retrieved "
        f"{cached.retrieved[:10]}.",
        "# The citation fields below are a fallback: the site shows the cached Crossref work.",
        "# Fill in the required fields at the end (remove the leading '# ').",
        yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000).rstrip(),
    ]
    if schema is not None:
        lines += _placeholders(schema, set(values))
    return "\n".join(lines) + "\n"


def _placeholders(schema: PackageSchema, filled: set[str]) -> list[str]:
    lines = []
    for spec in schema.studies.fields:
        if spec.required and spec.name not in filled:
            lines.append(f"# Required: {spec.title} ({spec.allowed()}). "
                         f"{spec.description}".rstrip())
            lines.append(f"# {spec.name}:")
    for table in schema.child_tables():
        if table.min_items and len(table.path) == 1:
            lines.append(f"# Required: {table.title}, at least {table.min_items}.")
            lines.append(f"# {table.path[0]}:")
            for index, spec in enumerate(table.record_fields):
                lead = "  - " if index == 0 else "    "
                note = f"  # {spec.description}" if spec.description else ""
                lines.append(f"# {lead}{spec.name}:{note}")
    return lines
