"""The PRISMA 2020 flow: reported counts only, and the updated-review layout for later rounds."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from build_tools.evidence.review import SearchRound, review_from_data
from build_tools.pages.prisma import build_flow, prisma_svg

SVG = "{http://www.w3.org/2000/svg}"


def rounds(*items: dict) -> tuple[SearchRound, ...]:
    """Search rounds as review.yaml gives them, typed as the pages read them."""
    return review_from_data({"search_rounds": list(items)}).search_rounds


def _texts(svg: str) -> str:
    return " | ".join("".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text"))


def test_flow_of_one_round_shows_missing_counts_as_not_reported() -> None:
    flow = build_flow(rounds({"id": "r1", "label": "First searches",
                               "prisma": {"records_screened": 3654, "reports_assessed": 82,
                                          "studies_included": 37}}))
    shown = {box.key: box.shown for box in flow.boxes()}
    assert shown["records_screened"] == "n = 3,654"
    assert shown["records_excluded"] == "not reported"  # never 3654 - 82
    assert shown["studies_included"] == "n = 37"
    assert flow.previous is None and flow.total is None
    text = _texts(prisma_svg(flow))
    assert "n = 3,654" in text and "not reported" in text
    assert "PREVIOUS STUDIES" not in text


def test_flow_of_later_round_adds_previous_and_total() -> None:
    flow = build_flow(rounds(
        {"id": "r1", "prisma": {"studies_included": 37}},
        {"id": "r2", "label": "Update 2025", "prisma": {"studies_included": 5}},
    ))
    assert flow.previous.count == 37
    assert flow.total.shown == "n = 42"
    labels = [box.label for box in flow.boxes()]
    assert labels[0] == "Studies included in the previous version of the review"
    assert "New studies included in review" in labels
    assert labels[-1] == "Total studies included in review"
    svg = prisma_svg(flow)
    assert "PREVIOUS STUDIES" in _texts(svg)
    assert ET.fromstring(svg).find(f"{SVG}title").text == "PRISMA 2020 flow diagram: Update 2025"


def test_flow_total_is_not_reported_when_a_part_is_missing() -> None:
    flow = build_flow(rounds({"id": "r1", "prisma": {}},
                             {"id": "r2", "prisma": {"studies_included": 5}}))
    assert flow.previous.shown == "not reported"
    assert flow.total.shown == "not reported"


def test_flow_without_rounds_is_none() -> None:
    assert build_flow([]) is None


def test_prisma_svg_is_narrow_for_phones() -> None:
    svg = prisma_svg(build_flow(rounds({"id": "r1", "prisma": {"studies_included": 1}})))
    width = float(ET.fromstring(svg).get("viewBox").split()[2])
    assert width <= 360
