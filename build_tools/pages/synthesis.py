"""The translation table of a meta-ethnography: its page, one page per concept, and its CSV.

Studies are rows and the review's subthemes columns (a phone scrolls the table inside its own
box); each cell is the study's own concept for the subtheme, reciprocal or refutational, with
its page and source. Because a wide table is hard to read on a small screen, each subtheme also
gets a page of its own listing its studies' concepts. No translation curated: no page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from build_tools.evidence.assemble import Evidence, Study, Subtheme
from build_tools.evidence.synthesis import Translation
from build_tools.formats.datapackage import csv_cell
from build_tools.pages.page import Page

FOLDER = "translations"
CSV_NAME = "translation-table.csv"
NAV = ("Themes", "Translation table")  # in the Themes section, after the themes
CSV_COLUMNS = ("subtheme", "subtheme_title", "study", "study_label", "concept", "relation",
               "page", "source")

RenderPage = Callable[..., Page]  # render.Renderer.page(template, path, nav, **context)


@dataclass(frozen=True)
class Concept:
    """A column of the table: a subtheme, with its translations in the studies' order."""

    subtheme: Subtheme
    translations: tuple[tuple[Study, Translation], ...]

    @property
    def path(self) -> str:
        return f"{self.subtheme.id}/index.md"

    def count(self, relation: str) -> int:
        return sum(t.relation == relation for _, t in self.translations)


@dataclass(frozen=True)
class TableRow:
    """A row of the table: a study and, per concept, its translations (empty: not curated)."""

    study: Study
    cells: tuple[tuple[Translation, ...], ...]


def translation_pages(evidence: Evidence, render: RenderPage) -> list[Page]:
    """The table (in the navigation), a page per concept with translations, and the CSV."""
    if not evidence.translations:
        return []
    concepts = translation_concepts(evidence)
    rows = translation_rows(evidence, concepts)
    pages = [render("translations.md.j2", f"{FOLDER}/index.md", NAV, concepts=concepts,
                    rows=rows, csv_name=CSV_NAME)]
    pages += [render("translation_concept.md.j2", f"{FOLDER}/{concept.path}", None,
                     concept=concept)
              for concept in concepts if concept.translations]
    pages.append(Page(f"{FOLDER}/{CSV_NAME}", translation_csv(concepts)))
    return pages


def translation_concepts(evidence: Evidence) -> tuple[Concept, ...]:
    """Every subtheme (at any depth, in review.yaml's order), and a theme itself when a
    translation names it, each with its translations."""
    subthemes = [s for theme in evidence.themes for s in theme.subthemes]
    known = {s.id for s in subthemes}
    named = {t.subtheme for t in evidence.translations}
    subthemes += [evidence.subtheme(t.id) for t in evidence.themes if t.id in named - known]
    found: dict[str, list[tuple[Study, Translation]]] = {}
    for study in evidence.studies:
        for translation in evidence.translations:
            if translation.study == study.id:
                found.setdefault(translation.subtheme, []).append((study, translation))
    return tuple(Concept(s, tuple(found.get(s.id, ()))) for s in subthemes)


def translation_rows(evidence: Evidence, concepts: Sequence[Concept]) -> tuple[TableRow, ...]:
    """The studies with at least one translation, in the site's order of studies."""
    translated = {t.study for t in evidence.translations}
    return tuple(
        TableRow(study, tuple(tuple(t for s, t in concept.translations if s.id == study.id)
                              for concept in concepts))
        for study in evidence.studies if study.id in translated)


def translation_csv(concepts: Sequence[Concept]) -> bytes:
    """One line per translation, with the subtheme's title and the study's label beside their
    ids; cells as in the data package (formulas defused, no control characters)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for concept in concepts:
        for study, translation in concept.translations:
            writer.writerow([csv_cell(value) for value in (
                concept.subtheme.id, concept.subtheme.title, study.id, study.label,
                translation.concept, translation.relation, translation.page,
                translation.source)])
    return buffer.getvalue().encode("utf-8")
