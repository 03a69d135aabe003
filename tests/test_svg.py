"""The SVG writer: valid XML whatever the labels hold, and a stable, scalable drawing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from build_tools.pages.svg import Drawing, bar_chart, wrap

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '</text><script>alert("x")</script>&amp; <!-- ]]> \' " & <'


def test_bar_chart_escapes_hostile_labels() -> None:
    svg = bar_chart(HOSTILE, [(HOSTILE, 3), ("plain", 1)])
    root = ET.fromstring(svg)
    assert root.find(f".//{SVG}script") is None
    assert "<script>" not in svg
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert " ".join(texts).count("alert") == 1  # the label is shown, as text
    assert root.find(f"{SVG}title").text == HOSTILE


def test_bar_chart_is_accessible_and_scales() -> None:
    root = ET.fromstring(bar_chart("Studies by year", [("2018", 2), ("2021", 1)]))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "title desc"
    assert root.get("width") is None and root.get("viewBox").startswith("0 0 360 ")
    assert root.find(f"{SVG}desc").text == "Number of studies per category. 2018: 2; 2021: 1."


def test_bar_chart_bar_lengths_follow_counts() -> None:
    root = ET.fromstring(bar_chart("t", [("a", 4), ("b", 2), ("c", 0)]))
    bars = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("fill") == "#00796b"]
    assert bars[0] == 2 * bars[1]
    assert bars[2] == 1.5  # a zero still shows a hairline, next to its "0"


def test_drawing_attribute_values_are_quoted() -> None:
    drawing = Drawing(10, 10, "t", "d")
    drawing.text(1, 2, "x", fill='red" onload="alert(1)')
    root = ET.fromstring(drawing.render())
    text = root.find(f"{SVG}text")
    assert text.get("fill") == 'red" onload="alert(1)'
    assert text.get("onload") is None


def test_wrap_splits_long_labels() -> None:
    assert wrap("Interpretative phenomenological analysis", 100, 13) == [
        "Interpretative", "phenomenological", "analysis"]
    assert wrap("", 100, 13) == [""]
