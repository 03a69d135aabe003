"""The "Evidence" pages: matrix, summary of findings, appraisal grid, PRISMA flow and charts.

Each view is computed here from the assembled evidence (data in, data out); templates only lay
the numbers out. Figures are SVG files written next to the page that shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from build_tools.crossref.works import CITATION_FIELDS
from build_tools.evidence.assemble import Evidence, Study
from build_tools.evidence.findings import review_findings
from build_tools.pages.page import Page
from build_tools.pages.paging import numbered_paths, split_into_parts
from build_tools.pages.prisma import build_flow, prisma_svg
from build_tools.pages.study_rows import (
    AppraisalColumns,
    MatrixColumns,
    RowWriter,
    SubthemeColumn,
    appraisal_row,
    matrix_row,
)
from build_tools.pages.svg import bar_chart

MISSING = "not yet curated"
SECTION = "Evidence"

RenderPage = Callable[..., Page]  # render.Renderer.page(template, path, nav, **context)


@dataclass(frozen=True)
class Chart:
    """One figure: its title, the SVG file name and the counts (also shown as a table)."""

    id: str
    title: str
    counts: tuple[tuple[str, int], ...]
    label: str = ""  # what is counted, e.g. "analysis method"

    @property
    def file(self) -> str:
        return f"chart-{self.id}.svg"


@dataclass(frozen=True)
class SplitCounts:
    """How many curated studies support a subtheme: in all (each study once, whatever its value
    of the split field, which may be empty), and by the declared split field's values."""

    subtheme: Any
    counts: tuple[int, ...]
    total: int


def evidence_pages(evidence: Evidence, render: RenderPage, rows: RowWriter) -> list[Page]:
    """The pages of the Evidence section, in navigation order, with their figures; the rows of
    the matrix and the appraisal grid come from `rows` (pages.study_rows)."""
    flow = build_flow(evidence.review.search_rounds)
    charts = study_charts(evidence)
    pages = matrix_pages(evidence, render, rows)
    findings = review_findings(evidence)
    if findings and evidence.findings_framework:  # no framework or no finding: no page
        pages.append(render("findings.html.j2", "evidence/findings.md",
                            (SECTION, "Summary of findings"), findings=findings,
                            framework=evidence.findings_framework))
    pages += appraisal_pages(evidence, render, rows)
    studies = evidence.review.wording.studies
    if flow is not None:  # no search round recorded: no PRISMA page
        pages.append(render("prisma.md.j2", "evidence/prisma.md", (SECTION, f"Flow of {studies}"),
                            flow=flow))
    if charts:
        pages.append(render("charts.md.j2", "evidence/charts.md", (SECTION, "Charts"),
                            charts=charts))
    if flow is not None:
        pages.append(Page("evidence/prisma.svg", prisma_svg(flow), None))
    for chart in charts:
        pages.append(Page(f"evidence/{chart.file}",
                          bar_chart(chart.title, list(chart.counts), studies), None))
    return pages


def matrix_pages(evidence: Evidence, render: RenderPage, rows: RowWriter) -> list[Page]:
    """The evidence matrix in parts (no themes: nothing to map studies to, no matrix); the
    first part also lists the unmapped studies and the counts per subtheme."""
    if not evidence.themes:
        return []
    split = evidence.matrix_split
    columns = MatrixColumns(tuple(SubthemeColumn(subtheme.id, subtheme.title)
                                  for theme in evidence.themes for subtheme in theme.subthemes),
                            split is not None)
    mapped = [s for s in evidence.studies if s.contributions]
    shared = {"unmapped": [s for s in evidence.studies if not s.contributions],
              "split_field": split, "split_values": split_values(evidence),
              "split": subtheme_splits(evidence)}
    return [render("matrix.html.j2", part.path,
                   (SECTION, "Evidence matrix") if part.number == 1 else None, part=part,
                   rows=rows.write("matrix_row", part.path, columns,
                                   [matrix_row(study, split.name if split else None)
                                    for study in part.items]), **shared)
            for part in split_into_parts(mapped, rows_per_page(len(columns.subthemes)),
                                         numbered_paths("evidence/matrix"), _label_range)]


def appraisal_pages(evidence: Evidence, render: RenderPage, rows: RowWriter) -> list[Page]:
    """The appraisal grid in parts (no tool declared: no page); the first part also lists the
    unappraised studies and the questions."""
    tool = evidence.review.appraisal_tool
    questions = evidence.appraisal_questions
    if tool is None or not questions:
        return []
    appraised = [s for s in evidence.studies if s.appraisal]
    unappraised = [s for s in evidence.studies if not s.appraisal]
    columns = AppraisalColumns(tool.total)
    return [render("appraisal.html.j2", part.path,
                   (SECTION, "Quality appraisal") if part.number == 1 else None, part=part,
                   rows=rows.write("appraisal_row", part.path, columns,
                                   [appraisal_row(study, questions, tool)
                                    for study in part.items]),
                   unappraised=unappraised)
            for part in split_into_parts(appraised, rows_per_page(len(questions)),
                                         numbered_paths("evidence/appraisal"), _label_range)]


def rows_per_page(columns: int) -> int:
    """How many rows of a table with this many columns keep a page near 300 KB of Markdown
    (well under 1 MB of HTML); a review of a few hundred studies keeps one page."""
    return max(100, min(1000, 300_000 // (150 + 80 * columns)))


def _label_range(chunk: Sequence[Study]) -> str:
    return f"{chunk[0].label} – {chunk[-1].label}"


def split_values(evidence: Evidence) -> tuple[str, ...]:
    """The split field's values, in the schema's order (so a zero still gets its column); none
    when the schema declares no `x-matrix-split`."""
    spec = evidence.matrix_split
    return tuple(str(v) for v in (spec.constraints.get("enum", []) if spec else []))


def subtheme_splits(evidence: Evidence) -> list[SplitCounts]:
    values = split_values(evidence)
    result = []
    for theme in evidence.themes:
        for subtheme in theme.subthemes:
            studies = {study.id: study for study in subtheme.all_studies}
            split = evidence.matrix_split
            counter = Counter(s.values.get(split.name) for s in studies.values()) if split \
                else Counter()
            result.append(SplitCounts(subtheme, tuple(counter.get(v, 0) for v in values),
                                      len(studies)))
    return result


def study_charts(evidence: Evidence) -> tuple[Chart, ...]:
    """One chart per field the schema declares in the studies table's `x-charts` (none: no
    chart page). A field with an enum keeps its order and its zeros; whole numbers are in
    order; other values by count. Citation fields (year) come from the citation, which prefers
    Crossref."""
    charts = []
    for spec in evidence.charts:
        field = spec.field
        counts = Counter(_shown(_value(study, field.name)) for study in evidence.studies)
        enum = [str(v) for v in field.constraints.get("enum", [])]
        if enum:
            shown = [(v, counts[v]) for v in [*enum, MISSING] if v in counts or v != MISSING]
        elif field.type in ("integer", "year", "number"):
            shown = sorted(counts.items(), key=lambda item: (item[0] == MISSING, item[0]))
        else:
            shown = sorted(counts.items(),
                           key=lambda item: (item[0] == MISSING, -item[1], item[0]))
        label = (field.title or field.name).lower()
        title = spec.title or f"{evidence.review.wording.studies.capitalize()} by {label}"
        charts.append(Chart(spec.id, title, tuple(shown), label))
    return tuple(charts)


def _value(study: Study, name: str) -> Any:
    if name in CITATION_FIELDS and hasattr(study.citation, name):
        return getattr(study.citation, name)
    return study.values.get(name)


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return MISSING
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
