"""Warn when a record's fallback citation disagrees with the Crossref work cached for its DOI.

The cached work wins on the site, so a disagreeing title or year is most often a typo in the
record, and sometimes a wrong DOI: either way a curator should look.
"""

from __future__ import annotations

import re
import unicodedata

from build_tools.core.errors import Code, Problem
from build_tools.crossref.cache import CachedWork, normalise_doi
from build_tools.crossref.markup import plain_text
from build_tools.crossref.works import work_texts, work_years
from build_tools.records.tables import Row


def comparable_title(title: str) -> str:
    """Case, accents, punctuation, markup and spacing do not count as disagreement."""
    text = unicodedata.normalize("NFKD", plain_text(title)).casefold()
    if not text.isascii():  # combining marks are never ASCII: most titles skip this pass
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def check_against_cache(rows: list[Row], works: dict[str, CachedWork]) -> list[Problem]:
    """One warning per disagreeing title or year of a study whose work is cached (`works` as
    read by cache.read_cached_works, keyed by normalised DOI)."""
    problems = []
    for row in rows:
        doi = row.values.get("doi")
        cached = works.get(normalise_doi(doi)) if isinstance(doi, str) and doi else None
        if cached is None:
            continue
        work = cached.work
        title = row.values.get("title")
        titles = work_texts(work.get("title"))
        if isinstance(title, str) and titles and comparable_title(title) not in {
                comparable_title(t) for t in titles}:
            problems.append(Problem(
                row.document.path, row.line("title"), "title",
                f"differs from the Crossref work cached for {doi}: \"{plain_text(titles[0])}\"",
                "the site shows Crossref's title; correct the record or the DOI",
                severity="warning", code=Code.DIFFERS_FROM_CROSSREF))
        year = row.values.get("year")
        years = work_years(work)
        if isinstance(year, int) and years and year not in years:
            shown = ", ".join(str(y) for y in sorted(years))
            problems.append(Problem(
                row.document.path, row.line("year"), "year",
                f"{year} differs from the Crossref work cached for {doi}: {shown}",
                "the site shows Crossref's year; correct the record or the DOI",
                severity="warning", code=Code.DIFFERS_FROM_CROSSREF))
    return problems
