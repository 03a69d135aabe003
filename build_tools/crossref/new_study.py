"""`livingreview new --doi DOI`: start a study record from its Crossref work.

The citation is prefilled (from the cache, else from Crossref, whose answer is then cached);
what only a curator can know is left as commented placeholders taken from the schema, so the
record fails validation until someone has filled them in. When Crossref cannot be asked (no
network, a wrong address), the record is still written, with the citation fields as placeholders
too, and the error says how to fill them: by hand, or later with `livingreview fetch --doi`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from build_tools.core.errors import (
    CrossrefError,
    NewStudyError,
    Unreachable,
    WrittenWithoutCitation,
)
from build_tools.core.project import Project
from build_tools.crossref.cache import (
    CachedWork,
    normalise_doi,
    read_cached_work,
    write_cached_work,
)
from build_tools.crossref.client import CrossrefClient
from build_tools.crossref.fetch import utc_now
from build_tools.crossref.markup import plain_text
from build_tools.crossref.works import issued_year, work_authors, work_texts
from build_tools.records.load import load_records
from build_tools.records.schema import PackageSchema

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/study.schema.json"
DOI_SYNTAX = re.compile(r"^10\.\d{4,9}/\S+$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


CITATION_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages")


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
    if study_id is not None and not ID_PATTERN.match(study_id):
        raise NewStudyError(f"{study_id!r} is not a usable id "
                            "(lower-case letters, digits, - and _)")
    cached = read_cached_work(project.cache_dir, doi)
    problem: CrossrefError | None = None
    if cached is None:
        try:
            cached = _fetch(project, doi, client)
        except CrossrefError as error:  # not "not found": that is NewStudyError, nothing written
            problem = error
    chosen = study_id or unique_id(suggested_id(cached.work) if cached else doi_id(doi), taken)
    target = project.studies_dir / f"{chosen}.yaml"
    schema = PackageSchema.from_document(records.schema) if records.schema else None
    text = (record_text(chosen, doi, cached, schema) if cached
            else uncited_text(chosen, doi, schema))
    project.studies_dir.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise NewStudyError(f"{project.display(target)} already exists; "
                            "choose another id with --id") from None
    if problem is not None:
        why = (f"Crossref could not be reached: {problem.reason}"
               if isinstance(problem, Unreachable)
               else f"Crossref gave no work for {doi} ({problem})")
        raise WrittenWithoutCitation(
            f"{why}; wrote {project.display(target)} without its citation: fill in the "
            "citation fields there by hand, or once Crossref can be reached run: "
            f"livingreview fetch --doi {doi}")
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


def doi_id(doi: str) -> str:
    """An id from the DOI's suffix, for a record started without its Crossref work."""
    suffix = doi.split("/", 1)[-1]
    return re.sub(r"[^a-z0-9]+", "-", suffix.lower()).strip("-")[:64].strip("-") or "study"


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


def uncited_text(study_id: str, doi: str, schema: PackageSchema | None) -> str:
    """The YAML text when Crossref gave no work: the citation fields are placeholders too."""
    lines = [
        SCHEMA_COMMENT,
        "# Started by `livingreview new` without a Crossref work (Crossref could not be asked).",
        f"# Fill in the citation by hand, or run: livingreview fetch --doi {doi}",
        "# Fill in the required fields at the end (remove the leading '# ').",
        yaml.safe_dump({"id": study_id, "doi": doi}, sort_keys=False, allow_unicode=True,
                       width=1000).rstrip(),
    ]
    if schema is None:
        return "\n".join(lines) + "\n"
    fields = {spec.name: spec for spec in schema.studies.fields}
    for name in CITATION_FIELDS:
        spec = fields.get(name)
        if spec is not None and not spec.required:
            lines.append(f"# Citation: {spec.title} ({spec.allowed()}).")
            lines.append(f"# {name}:")
    return "\n".join(lines + _placeholders(schema, {"id", "doi"})) + "\n"


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
