"""The rows of the pages that list every study, rendered one by one and kept between builds.

The evidence matrix, the appraisal grid, the studies table and a theme's long lists have a row
per study: at 10,000 studies, rendering them took seconds of every build, a rebuild after one
study changed included (docs/performance.md). Each row is a macro of `_rows.html.j2` called with
two views: the table's (`columns`) and the row's, dataclasses that hold exactly what the macro
shows. It is rendered with StrictUndefined and sees nothing else but the page's address, so the
row's key, a hash of both views, the address, the address style, the package's code and the
libraries' versions, changes whenever the row could; a rebuild renders the rows that changed
and reads the others from the output cache (`tests/test_study_rows.py` compares pages built
with and without it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from build_tools.core.output_cache import OutputCache, code_digest, content_key, text_key
from build_tools.evidence.assemble import Study
from build_tools.evidence.review import AppraisalTool
from build_tools.pages.output_keys import library_versions

ROWS_TEMPLATE = "_rows.html.j2"
ROW_FORMAT = 1  # part of every key: raise it when what a row shows changes otherwise
MAX_ROW_BYTES = 4 * 1024 * 1024  # a theme list's row holds its study's note, which may be long
ANSWER_CLASSES = {"green": "yes", "red": "no", "amber": "some", "grey": "unclear"}  # CSS


@dataclass(frozen=True)
class SubthemeColumn:
    id: str
    title: str


@dataclass(frozen=True)
class MatrixColumns:
    """The evidence matrix: its subthemes, and whether the split field has a column."""

    subthemes: tuple[SubthemeColumn, ...]
    split: bool


@dataclass(frozen=True)
class MatrixRow:
    id: str
    label: str
    supports: tuple[str, ...]  # the ids of the subthemes the study supports
    split_value: Any


@dataclass(frozen=True)
class AppraisalCell:
    answer: str
    css_class: str  # the colour of the answer on the tool's scale (ANSWER_CLASSES)


@dataclass(frozen=True)
class AppraisalColumns:
    total: bool  # the tool adds its answers up


@dataclass(frozen=True)
class AppraisalRow:
    id: str
    label: str
    cells: tuple[AppraisalCell | None, ...]  # one per question; None: not reported
    total: int


@dataclass(frozen=True)
class StudiesRow:
    id: str
    label: str
    title: Any  # the title with its face markup, else as text, else None
    year: int | None
    values: tuple[Any, ...]  # one per column of the table
    status: str


@dataclass(frozen=True)
class ThemeListItem:
    id: str
    label: str
    title: Any
    note: str | None  # what the study says about the theme or subtheme


def matrix_row(study: Study, split_name: str | None) -> MatrixRow:
    supports = tuple(sorted({contribution.subtheme for contribution in study.contributions}))
    return MatrixRow(study.id, study.label, supports,
                     study.values.get(split_name) if split_name else None)


def appraisal_row(study: Study, questions: Sequence[tuple[int, str]],
                  tool: AppraisalTool) -> AppraisalRow:
    cells = []
    for number, _ in questions:
        answer = study.appraisal.get(number)
        cells.append(None if answer is None else
                     AppraisalCell(answer.answer, ANSWER_CLASSES[tool.colour(answer.answer)]))
    total = sum(tool.score(answer.answer) for answer in study.appraisal.values())
    return AppraisalRow(study.id, study.label, tuple(cells), total)


def studies_row(study: Study, columns: Sequence[str]) -> StudiesRow:
    return StudiesRow(study.id, study.label, study.citation.shown_title, study.citation.year,
                      tuple(study.values.get(name) for name in columns), study.curation_status)


def theme_list_item(study: Study, note: str | None) -> ThemeListItem:
    return ThemeListItem(study.id, study.label, study.citation.shown_title, note)


@dataclass(frozen=True)
class RowWriter:
    """Renders rows with the package's Jinja environment, keeping them in `cache` (None:
    rendered every time)."""

    environment: Any  # jinja2.Environment
    use_directory_urls: bool
    cache: OutputCache | None

    def write(self, macro: str, here: str, columns: Any, rows: Sequence[Any]) -> list[Markup]:
        """Each row's HTML for the page at `here`, in order."""
        module = self.environment.get_template(ROWS_TEMPLATE).make_module(
            {"here": here, "use_directory_urls": self.use_directory_urls})
        write = getattr(module, macro)
        if self.cache is None:
            return [write(columns, row) for row in rows]
        shared = content_key(ROW_FORMAT, code_digest(), library_versions(), macro, here,
                             self.use_directory_urls, repr(columns))
        keys = [text_key(shared, repr(row)) for row in rows]
        kept = self.cache.get_texts(dict.fromkeys(keys, ""), MAX_ROW_BYTES)
        written = []
        for key, row in zip(keys, rows, strict=True):
            text = kept.get(key)
            if text is None:
                text = str(write(columns, row))
                self.cache.put_text(key, "", text, MAX_ROW_BYTES)
                kept[key] = text  # a row shown twice on the page is rendered once
            written.append(Markup(text))
        return written
