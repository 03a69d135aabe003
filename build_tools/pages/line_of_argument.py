"""The line-of-argument page: the model declared in review.yaml as a drawing and as tables.

The drawing is our own layered layout, not Graphviz: `dot` is a binary CI cannot be assumed to
have, and a layout engine's output can change between its versions, while a review's model is
small (a handful of nodes per level). Rows are the levels in declared order, nodes sit in a row
in declared order, centred; edges are straight arrows between rows and arcs below a row, with
their relation written on them. Coordinates are whole numbers and nothing is random, so two
builds give the same bytes. Each node is a link to its row of the table alternative, which
also lists the themes and studies that support it. No model declared: no page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from build_tools.core.neutral import one_line
from build_tools.evidence.assemble import Evidence
from build_tools.evidence.line_of_argument import levels_in_use, supported_nodes
from build_tools.evidence.review import ArgumentNode, LineOfArgument
from build_tools.pages.page import Page
from build_tools.pages.svg import (
    ACCENT,
    CHAR_WIDTH,
    INK,
    LINE,
    MUTED,
    PAPER,
    Drawing,
    attributes,
    wrap,
)

PATH = "line-of-argument.md"
NAV = ("Themes", "Line of argument")  # in the Themes section, after the translation table
ANCHOR = "node-"  # a node's row in the table (line_of_argument.md.j2 writes the same)
SVG_IDS = "loa-"  # the drawing's own ids (title, desc, arrow), unique on the page

MARGIN, BOX_WIDTH, GAP = 16, 176, 32
SIZE, LINE_HEIGHT, PAD, MAX_LINES = 12, 15, 8, 4  # 12 * 1.25 = 15: whole numbers
BAND, ROW_GAP, ARC = 28, 72, 40
RELATION_SIZE, RELATION_CHARACTERS = 11, 28

RenderPage = Callable[..., Page]  # render.Renderer.page(template, path, nav, **context)


@dataclass(frozen=True)
class EdgeRow:
    """An edge whose ends are declared nodes (others exist only in unvalidated data)."""

    source: ArgumentNode
    relation: str | None
    target: ArgumentNode


def line_of_argument_pages(evidence: Evidence, render: RenderPage) -> list[Page]:
    model = evidence.review.line_of_argument
    if model is None:
        return []
    return [render("line_of_argument.md.j2", PATH, NAV, model=model,
                   nodes=supported_nodes(evidence, model), edges=edge_rows(model),
                   drawing=Markup(argument_svg(model).rstrip("\n")))]


def edge_rows(model: LineOfArgument) -> tuple[EdgeRow, ...]:
    rows = []
    for edge in model.edges:
        source, target = model.node(edge.source), model.node(edge.target)
        if source is not None and target is not None and source != target:
            rows.append(EdgeRow(source, edge.relation, target))
    return tuple(rows)


@dataclass(frozen=True)
class Box:
    """A node's place in the drawing."""

    node: ArgumentNode
    row: int
    x: int
    y: int
    height: int
    lines: tuple[str, ...]

    @property
    def bottom(self) -> int:
        return self.y + self.height


def argument_svg(model: LineOfArgument) -> str:
    """The model as an inline SVG: a group of links (role="group") with a title and a
    description in words; every label escaped, every number whole."""
    levels = levels_in_use(model)
    rows = [[node for node in model.nodes if node.level == level.id] for level in levels]
    widest = max((len(row) for row in rows), default=1)
    width = max(360, 2 * MARGIN + widest * BOX_WIDTH + (widest - 1) * GAP)
    drawing = Drawing(width, 0, one_line(model.title or "Line of argument"), describe(model),
                      role="group", ids=SVG_IDS)
    boxes: dict[str, Box] = {}
    y = 10
    for number, (level, row) in enumerate(zip(levels, rows, strict=True)):
        drawing.text(MARGIN, y + 14, one_line(level.label), fill=ACCENT, font_size=12,
                     font_weight=700)
        drawing.line(MARGIN, y + 20, width - MARGIN, y + 20, stroke=LINE, stroke_width=1)
        y += BAND
        wrapped = [_label_lines(node.label) for node in row]
        height = 2 * PAD + max(len(lines) for lines in wrapped) * LINE_HEIGHT
        left = (width - len(row) * BOX_WIDTH - (len(row) - 1) * GAP) // 2
        for position, (node, lines) in enumerate(zip(row, wrapped, strict=True)):
            boxes[node.id] = Box(node, number, left + position * (BOX_WIDTH + GAP), y, height,
                                 tuple(lines))
        y += height + ROW_GAP
    edges = edge_rows(model)
    ports = _ports(edges, boxes)
    labels = [_edge(drawing, index, edge, boxes, ports) for index, edge in enumerate(edges)]
    for box in boxes.values():
        _box(drawing, box)
    for x, label_y, relation in labels:
        if relation:
            _relation(drawing, x, label_y, relation)
    drawing.height = y - ROW_GAP + (ARC if any(boxes[e.source.id].row == boxes[e.target.id].row
                                               for e in edges) else 0) + 12
    return drawing.render()


def describe(model: LineOfArgument) -> str:
    """The drawing in words, for its <desc>: the nodes of each level, then every edge."""
    levels = levels_in_use(model)
    parts = [f"{len(model.nodes)} {'node' if len(model.nodes) == 1 else 'nodes'} on "
             f"{len(levels)} {'level' if len(levels) == 1 else 'levels'}."]
    parts += [f"{one_line(level.label)}: "
              + "; ".join(one_line(n.label) for n in model.nodes if n.level == level.id) + "."
              for level in levels]
    edges = edge_rows(model)
    sentences = [" ".join(one_line(part) for part in
                          (e.source.label, e.relation or "relates to", e.target.label))
                 for e in edges]
    parts.append("Edges: " + "; ".join(sentences) + "." if edges else "No edges.")
    parts.append("Each node links to its row in the table below.")
    return " ".join(parts)


Ports = dict[tuple[str, int], int]  # (node, index of the edge) -> x where the edge meets it


def _ports(edges: Sequence[EdgeRow], boxes: dict[str, Box]) -> Ports:
    """Where each edge leaves and enters its boxes: the edges on one side of a box are spread
    evenly along it, in the edges' order, so no two start at the same point."""
    sides: dict[tuple[str, str], list[int]] = {}
    for index, edge in enumerate(edges):
        source, target = boxes[edge.source.id], boxes[edge.target.id]
        for box, other in ((source, target), (target, source)):
            side = "top" if other.row < box.row else "bottom"
            sides.setdefault((box.node.id, side), []).append(index)
    ports: Ports = {}
    for (node_id, _side), indices in sides.items():
        box = boxes[node_id]
        for order, index in enumerate(indices):
            ports[(node_id, index)] = box.x + (order + 1) * BOX_WIDTH // (len(indices) + 1)
    return ports


def _edge(drawing: Drawing, index: int, edge: EdgeRow, boxes: dict[str, Box],
          ports: Ports) -> tuple[int, int, str | None]:
    """Edge number `index` as an arrow; returns where its relation is written."""
    source, target = boxes[edge.source.id], boxes[edge.target.id]
    x1, x2 = ports[(source.node.id, index)], ports[(target.node.id, index)]
    style = attributes(fill="none", stroke=INK, stroke_width="1.5", marker_end=drawing.marker)
    if source.row == target.row:  # an arc below the row
        y1 = source.bottom
        drawing.add(f'<path d="M {x1} {y1} C {x1} {y1 + ARC}, {x2} {y1 + ARC}, {x2} {y1 + 2}" '
                    f'{style}/>')
        return (x1 + x2) // 2, y1 + ARC * 3 // 4, edge.relation
    if source.row < target.row:
        y1, y2 = source.bottom, target.y - 2
    else:
        y1, y2 = source.y, target.bottom + 2
    drawing.add(f'<path d="M {x1} {y1} L {x2} {y2}" {style}/>')
    return (x1 + x2) // 2, (y1 + y2) // 2, edge.relation


def _box(drawing: Drawing, box: Box) -> None:
    """A node: a link to its row of the table, around its box and label."""
    drawing.add(f'<a {attributes(href=f"#{ANCHOR}{box.node.id}")}>')
    drawing.rect(box.x, box.y, BOX_WIDTH, box.height, fill=PAPER, stroke=ACCENT,
                 stroke_width=1.5, rx=4)
    top = box.y + (box.height - len(box.lines) * LINE_HEIGHT) // 2 + SIZE
    drawing.lines(box.x + BOX_WIDTH // 2, top, list(box.lines), SIZE, fill=INK,
                  text_anchor="middle")
    drawing.add("</a>")


def _relation(drawing: Drawing, x: int, y: int, relation: str) -> None:
    """The relation on its edge, on a patch of paper so the line does not cross it."""
    text = _shorten(one_line(relation), RELATION_CHARACTERS)
    width = int(len(text) * RELATION_SIZE * CHAR_WIDTH) + 8
    drawing.rect(x - width // 2, y - RELATION_SIZE // 2 - 3, width, RELATION_SIZE + 5,
                 fill=PAPER, rx=3)
    drawing.text(x, y + RELATION_SIZE // 2 - 1, text, fill=MUTED, font_size=RELATION_SIZE,
                 font_style="italic", text_anchor="middle")


def _label_lines(label: str) -> list[str]:
    """A label wrapped to its box; past MAX_LINES it ends in an ellipsis (the table has it
    whole)."""
    width = (BOX_WIDTH - 2 * PAD) * 100 // int(SIZE * CHAR_WIDTH * 100)
    lines = [_shorten(line, width) for line in wrap(one_line(label), BOX_WIDTH - 2 * PAD, SIZE)]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES - 1], lines[MAX_LINES - 1][:width - 2].rstrip() + " …"]
    return lines


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
