"""A tiny SVG writer: figures are built at build time as text, with every label XML-escaped.

No plotting library: the figures are simple (boxes, bars, lines), and a few lines of our own keep
the output byte-for-byte stable, offline, and free of anything a label could inject.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from html import escape as _html_escape


def escape(text: str) -> str:
    """XML text: & < > and both quotes as entities (xml.sax would import urllib, see below)."""
    return _html_escape(text, quote=True)


def quoteattr(text: str) -> str:
    """A double-quoted XML attribute value. (Not xml.sax.saxutils: it imports urllib.request,
    and a build must not even load an HTTP client, tests/test_site_update.py.)"""
    return f'"{_html_escape(text, quote=True)}"'

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#00796b"  # Material teal 700: 5.3:1 against white
PAPER = "#ffffff"
LINE = "#9aa5b1"
CHAR_WIDTH = 0.56  # average glyph width in ems, for wrapping without a font renderer


def attributes(**values: object) -> str:
    """Attributes with Python names (stroke_width → stroke-width), values quoted and escaped."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        parts.append(f"{name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}")
    return " ".join(parts)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Split a label into lines that fit `width` pixels at font `size` (an estimate)."""
    columns = max(8, int(width / (size * CHAR_WIDTH)))
    return textwrap.wrap(" ".join(str(text).split()), columns, break_long_words=False) or [""]


@dataclass
class Drawing:
    """An SVG document that scales to its container (viewBox, no fixed pixel size)."""

    width: float
    height: float
    title: str
    description: str
    elements: list[str] = field(default_factory=list)
    role: str = "img"  # "group" when it holds links, which an image would hide
    ids: str = ""  # prefix of its ids (title, desc, arrow) when it is inline in a page

    def add(self, element: str) -> None:
        self.elements.append(element)

    def rect(self, x: float, y: float, w: float, h: float, **style: object) -> None:
        self.add(f"<rect {attributes(x=_n(x), y=_n(y), width=_n(w), height=_n(h), **style)}/>")

    def line(self, x1: float, y1: float, x2: float, y2: float, **style: object) -> None:
        coords = attributes(x1=_n(x1), y1=_n(y1), x2=_n(x2), y2=_n(y2))
        self.add(f"<line {coords} {attributes(**style)}/>")

    def text(self, x: float, y: float, content: str, **style: object) -> None:
        self.add(f"<text {attributes(x=_n(x), y=_n(y), **style)}>{escape(str(content))}</text>")

    def lines(self, x: float, y: float, rows: list[str], size: float, **style: object) -> None:
        """Several lines of text, the first baseline at y."""
        spans = "".join(
            f"<tspan {attributes(x=_n(x), dy=_n(0 if i == 0 else size * 1.25))}>"
            f"{escape(row)}</tspan>"
            for i, row in enumerate(rows)
        )
        self.add(f"<text {attributes(x=_n(x), y=_n(y), font_size=_n(size), **style)}>"
                 f"{spans}</text>")

    def arrow(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.line(x1, y1, x2, y2, stroke=INK, stroke_width=1.5, marker_end=self.marker)

    @property
    def marker(self) -> str:
        """The arrowhead, for `marker-end` of any line or path of this drawing."""
        return f"url(#{self.ids}arrow)"

    def render(self) -> str:
        prefix = self.ids
        head = attributes(
            xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {_n(self.width)} {_n(self.height)}",
            role=self.role, aria_labelledby=f"{prefix}title {prefix}desc", font_family=FONT,
        )
        marker = (
            f'<defs><marker id="{prefix}arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{INK}"/></marker></defs>'
        )
        body = "\n".join(self.elements)
        return (
            f"<svg {head}>\n<title id=\"{prefix}title\">{escape(self.title)}</title>\n"
            f"<desc id=\"{prefix}desc\">{escape(self.description)}</desc>\n{marker}\n"
            f"<rect width=\"100%\" height=\"100%\" fill=\"{PAPER}\" rx=\"6\"/>\n{body}\n</svg>\n"
        )


def _n(value: float) -> str:
    """Numbers without float noise, so output is stable across runs and platforms."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(title: str, counts: list[tuple[str, int]], unit: str = "studies") -> str:
    """Horizontal bars, one per category: labels stay readable at phone width."""
    width, label_width, size, bar_height, gap = 360.0, 150.0, 13.0, 22.0, 10.0
    wrapped = [wrap(label, label_width - 10, size) for label, _ in counts]
    heights = [max(bar_height, len(rows) * size * 1.25 + 6) for rows in wrapped]
    top = 12.0
    height = top + sum(h + gap for h in heights) + 4
    most = max((count for _, count in counts), default=0) or 1
    described = "; ".join(f"{label}: {count}" for label, count in counts) or "no data"
    drawing = Drawing(width, height, title, f"Number of {unit} per category. {described}.")
    y = top
    for (_label, count), rows, row_height in zip(counts, wrapped, heights, strict=True):
        text_top = y + row_height / 2 - (len(rows) - 1) * size * 0.625 + size * 0.35
        drawing.lines(label_width - 8, text_top, rows, size, fill=INK, text_anchor="end")
        length = (width - label_width - 40) * count / most
        drawing.rect(label_width, y + (row_height - bar_height) / 2, max(length, 1.5), bar_height,
                     fill=ACCENT, rx=2)
        drawing.text(label_width + length + 6, y + row_height / 2 + size * 0.35, str(count),
                     fill=INK, font_size=_n(size))
        y += row_height + gap
    return drawing.render()
