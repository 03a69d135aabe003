"""The PRISMA 2020 flow diagram, drawn from the counts of the review's search rounds.

Only counts the review reports are shown; a missing count reads "not reported" and is never
derived from the others. With more than one round the diagram takes PRISMA 2020's layout for
updated reviews: studies of the previous version + new studies = total.
(Page et al., 2021, BMJ 372:n71, figure 1.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from build_tools.evidence.review import SearchRound
from build_tools.pages.svg import ACCENT, INK, LINE, MUTED, PAPER, Drawing, wrap

NOT_REPORTED = "not reported"

# (stage, main box, side box): PRISMA 2020's boxes, keyed by the fields of a round's `prisma:`.
STAGES: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = (
    ("Identification", (("records_identified", "records_removed"),)),
    ("Screening", (
        ("records_screened", "records_excluded"),
        ("reports_sought", "reports_not_retrieved"),
        ("reports_assessed", "reports_excluded"),
    )),
    ("Included", (("studies_included", None), ("reports_included", None))),
)
LABELS = {
    "records_identified": "Records identified from databases and registers",
    "records_removed": "Records removed before screening",
    "records_screened": "Records screened",
    "records_excluded": "Records excluded",
    "reports_sought": "Reports sought for retrieval",
    "reports_not_retrieved": "Reports not retrieved",
    "reports_assessed": "Reports assessed for eligibility",
    "reports_excluded": "Reports excluded",
    "studies_included": "Studies included in review",
    "reports_included": "Reports of included studies",
}
UPDATED_LABELS = {
    "studies_included": "New studies included in review",
    "reports_included": "Reports of new included studies",
}


@dataclass(frozen=True)
class FlowBox:
    """One box of the diagram: what it counts and the count as the review reports it."""

    key: str
    label: str
    count: int | None

    @property
    def shown(self) -> str:
        return f"n = {self.count:,}" if self.count is not None else NOT_REPORTED


@dataclass(frozen=True)
class Flow:
    """The boxes of the latest round, plus the previous/total boxes of an updated review."""

    round_label: str
    stages: tuple[tuple[str, tuple[tuple[FlowBox, FlowBox | None], ...]], ...]
    previous: FlowBox | None
    total: FlowBox | None

    def boxes(self) -> list[FlowBox]:
        """Every box in reading order (the text alternative lists them like this)."""
        found = [self.previous] if self.previous else []
        for _, rows in self.stages:
            for main, side in rows:
                found += [main] + ([side] if side else [])
        return found + ([self.total] if self.total else [])


def build_flow(rounds: Sequence[SearchRound]) -> Flow | None:
    """The flow of the latest search round; earlier rounds become the 'previous studies' box."""
    if not rounds:
        return None
    latest = rounds[-1]
    counts = dict(latest.prisma)
    updated = len(rounds) > 1
    labels = {**LABELS, **(UPDATED_LABELS if updated else {})}

    def box(key: str) -> FlowBox:
        value = counts.get(key)
        return FlowBox(key, labels[key], value if isinstance(value, int) else None)

    stages = tuple(
        (stage, tuple((box(main), box(side) if side else None) for main, side in rows))
        for stage, rows in STAGES
    )
    previous = total = None
    if updated:
        earlier = [r.count("studies_included") for r in rounds[:-1]]
        known = all(isinstance(n, int) for n in earlier)
        previous = FlowBox("previous", "Studies included in the previous version of the review",
                           sum(n for n in earlier if isinstance(n, int)) if known else None)
        new = box("studies_included").count
        total = FlowBox("total", "Total studies included in review",
                        previous.count + new if previous.count is not None and new is not None
                        else None)
    return Flow(latest.label or latest.id or "", stages, previous, total)


WIDTH, MARGIN, GUTTER = 330.0, 16.0, 14.0
MAIN_WIDTH = 175.0
SIDE_X = MARGIN + MAIN_WIDTH + GUTTER
SIDE_WIDTH = WIDTH - SIDE_X - 10
SIZE, PAD, ROW_GAP = 13.0, 7.0, 22.0


def prisma_svg(flow: Flow) -> str:
    """A two-column flow, narrow enough (viewBox 330 wide) to read on a phone."""
    drawing = Drawing(WIDTH, 0, f"PRISMA 2020 flow diagram: {flow.round_label}",
                      "; ".join(f"{b.label}: {b.shown}" for b in flow.boxes()))
    y = 10.0
    previous_bottom = None
    if flow.previous:
        y = _band(drawing, "Previous studies", y)
        height = _box(drawing, MARGIN, y, WIDTH - MARGIN - 10, flow.previous)
        previous_bottom = y + height
        y += height + ROW_GAP
    main_bottom = None
    for stage, rows in flow.stages:
        y = _band(drawing, f"{stage} of new studies" if flow.previous and stage != "Included"
                  else stage, y)
        for main, side in rows:
            heights = [_measure(MAIN_WIDTH, main)] + ([_measure(SIDE_WIDTH, side)] if side else [])
            row_height = max(heights)
            if main_bottom is not None:
                drawing.arrow(MARGIN + MAIN_WIDTH / 2, main_bottom, MARGIN + MAIN_WIDTH / 2, y - 1)
            _box(drawing, MARGIN, y, MAIN_WIDTH, main, row_height)
            if side:
                _box(drawing, SIDE_X, y, SIDE_WIDTH, side, row_height, muted=True)
                drawing.arrow(MARGIN + MAIN_WIDTH, y + row_height / 2, SIDE_X - 1,
                              y + row_height / 2)
            main_bottom = y + row_height
            y += row_height + ROW_GAP
    if flow.total:
        drawing.arrow(MARGIN + MAIN_WIDTH / 2, main_bottom or y, MARGIN + MAIN_WIDTH / 2, y - 1)
        height = _box(drawing, MARGIN, y, WIDTH - MARGIN - 10, flow.total, emphasis=True)
        if previous_bottom is not None:  # previous studies flow down the left edge to the total
            drawing.line(MARGIN, previous_bottom - 8, 7, previous_bottom - 8, stroke=INK,
                         stroke_width=1.5)
            drawing.line(7, previous_bottom - 8, 7, y + height / 2, stroke=INK, stroke_width=1.5)
            drawing.arrow(7, y + height / 2, MARGIN - 1, y + height / 2)
        y += height + ROW_GAP
    drawing.height = y - ROW_GAP + 10
    return drawing.render()


def _band(drawing: Drawing, label: str, y: float) -> float:
    drawing.text(MARGIN, y + 12, label.upper(), fill=ACCENT, font_size=11, font_weight=700,
                 letter_spacing="0.06em")
    drawing.line(MARGIN, y + 17, WIDTH - 10, y + 17, stroke=LINE, stroke_width=1)
    return y + 26


def _measure(width: float, box: FlowBox) -> float:
    return (len(wrap(box.label, width - 2 * PAD, SIZE)) + 1) * SIZE * 1.25 + 2 * PAD


def _box(drawing: Drawing, x: float, y: float, width: float, box: FlowBox,
         height: float | None = None, *, muted: bool = False, emphasis: bool = False) -> float:
    rows = wrap(box.label, width - 2 * PAD, SIZE)
    height = height or _measure(width, box)
    drawing.rect(x, y, width, height, fill=PAPER, stroke=ACCENT if emphasis else INK,
                 stroke_width=2 if emphasis else 1.2, rx=4)
    drawing.lines(x + PAD, y + PAD + SIZE * 0.9, rows, SIZE, fill=MUTED if muted else INK)
    weight = 700 if box.count is not None else None
    style = "italic" if box.count is None else None
    drawing.text(x + PAD, y + PAD + SIZE * 0.9 + len(rows) * SIZE * 1.25, box.shown,
                 fill=INK if box.count is not None else MUTED, font_size=SIZE,
                 font_weight=weight, font_style=style)
    return height
