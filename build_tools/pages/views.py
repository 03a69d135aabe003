"""The "Evidence" pages: matrix, summary of findings, appraisal grid, PRISMA flow and charts.

Each view is computed here from the assembled evidence (data in, data out); templates only lay
the numbers out. Figures are SVG files written next to the page that shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from build_tools.evidence.assemble import Evidence, Study
from build_tools.evidence.findings import review_findings
from build_tools.pages.page import Page
from build_tools.pages.prisma import build_flow, prisma_svg
from build_tools.pages.svg import bar_chart

MISSING = "not yet curated"
SECTION = "Evidence"
SPLIT_FIELD = "perspective"  # the matrix counts each subtheme's studies by this field's values

RenderPage = Callable[..., Page]  # render.Renderer.page(template, path, nav, **context)


@dataclass(frozen=True)
class Chart:
    """One figure: its title, the SVG file name and the counts (also shown as a table)."""

    id: str
    title: str
    counts: tuple[tuple[str, int], ...]

    @property
    def file(self) -> str:
        return f"chart-{self.id}.svg"


@dataclass(frozen=True)
class SplitCounts:
    """How many curated studies support a subtheme, by perspective."""

    subtheme: Any
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


def evidence_pages(evidence: Evidence, render: RenderPage) -> list[Page]:
    """The pages of the Evidence section, in navigation order, with their figures."""
    flow = build_flow([r for r in evidence.review.get("search_rounds") or []
                       if isinstance(r, dict)])
    charts = study_charts(evidence)
    pages = [
        render("matrix.md.j2", "evidence/matrix.md", (SECTION, "Evidence matrix"),
               mapped=[s for s in evidence.studies if s.contributions],
               unmapped=[s for s in evidence.studies if not s.contributions],
               split_values=split_values(evidence), split=subtheme_splits(evidence)),
        render("cerqual.md.j2", "evidence/findings.md", (SECTION, "Summary of findings"),
               findings=review_findings(evidence)),
        render("appraisal.md.j2", "evidence/appraisal.md", (SECTION, "Quality appraisal"),
               appraised=[s for s in evidence.studies if s.appraisal],
               unappraised=[s for s in evidence.studies if not s.appraisal]),
        render("prisma.md.j2", "evidence/prisma.md", (SECTION, "Flow of studies"), flow=flow),
        render("charts.md.j2", "evidence/charts.md", (SECTION, "Charts"), charts=charts),
    ]
    if flow is not None:
        pages.append(Page("evidence/prisma.svg", prisma_svg(flow), None))
    for chart in charts:
        pages.append(Page(f"evidence/{chart.file}", bar_chart(chart.title, list(chart.counts)),
                          None))
    return pages


def split_values(evidence: Evidence) -> tuple[str, ...]:
    """The perspective values, in the schema's order (so a zero still gets its column)."""
    spec = next((f for f in evidence.study_fields if f.name == SPLIT_FIELD), None)
    return tuple(str(v) for v in (spec.constraints.get("enum", []) if spec else []))


def subtheme_splits(evidence: Evidence) -> list[SplitCounts]:
    values = split_values(evidence)
    result = []
    for theme in evidence.themes:
        for subtheme in theme.subthemes:
            counter = Counter(study.values.get(SPLIT_FIELD) for study, _ in subtheme.studies)
            result.append(SplitCounts(subtheme, tuple(counter.get(v, 0) for v in values)))
    return result


def study_charts(evidence: Evidence) -> tuple[Chart, ...]:
    """Studies by year, perspective, country and analysis method, from the curated records."""
    studies = evidence.studies
    years = Counter(_shown(s.citation.year) for s in studies)
    by_year = sorted(years.items(), key=lambda item: (item[0] == MISSING, item[0]))
    perspectives = Counter(_shown(s.values.get(SPLIT_FIELD)) for s in studies)
    order = [*split_values(evidence), MISSING]
    by_perspective = [(v, perspectives[v]) for v in order if v in perspectives or v != MISSING]
    return (
        Chart("year", "Studies by year of publication", tuple(by_year)),
        Chart("perspective", "Studies by perspective", tuple(by_perspective)),
        Chart("country", "Studies by country", _by_count(studies, "country")),
        Chart("method", "Studies by analysis method", _by_count(studies, "analysis_method")),
    )


def _by_count(studies: tuple[Study, ...], field: str) -> tuple[tuple[str, int], ...]:
    counts = Counter(_shown(s.values.get(field)) for s in studies)
    return tuple(sorted(counts.items(), key=lambda item: (item[0] == MISSING, -item[1], item[0])))


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return MISSING
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
