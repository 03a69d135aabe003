"""The built site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

One site is built for the whole module: the test scenario (tests/scenarios) plus one synthetic
study (clearly marked, only in this tmp copy) so the evidence matrix has links to follow.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import axe_playwright_python.sync_playwright as axe_api
import pytest
import yaml

from build_tools.site.build import build_site
from tests.browser import Visit
from tests.factories import DEFAULT_SCENARIO, SCENARIOS, make_project

SYNTHETIC = {
    "id": "synthetic_test_study",
    "title": "SYNTHETIC test study, not a real publication",
    "first_author": "Testperson",
    "year": 2022,
    "perspective": "both",
    "country": "Testland",
    "contributions": [{"subtheme": "human-connection"}, {"subtheme": "reciprocal-trust"}],
    # a translation table and an excerpt, so their pages are checked too
    "translations": [
        {"subtheme": "human-connection", "concept": "SYNTHETIC made-up concept",
         "relation": "reciprocal", "page": "1", "source": "made up by the test"},
        {"subtheme": "empathy-and-hope", "concept": "SYNTHETIC made-up counter-concept",
         "relation": "refutational", "page": "2", "source": "made up by the test"}],
    "excerpts": [{"subtheme": "empathy-and-hope", "speaker": "client",
                  "text": "SYNTHETIC words made up by the test.", "page": "2"}],
    "sources": [{"description": "Synthetic record written by tests/test_browser.py"}],
}
# A made-up line of argument over the scenario's subthemes, so its drawing is checked too.
SYNTHETIC_ARGUMENT = {
    "title": "SYNTHETIC line of argument made up by tests/test_browser.py",
    "levels": [{"id": "micro", "label": "Micro-processes"},
               {"id": "macro", "label": "Macro-processes"}],
    "nodes": [
        {"id": "trust", "label": "SYNTHETIC trust", "level": "micro",
         "subthemes": ["reciprocal-trust"]},
        {"id": "hope", "label": "SYNTHETIC hope with a long label that has to wrap in its box",
         "level": "micro", "subthemes": ["empathy-and-hope"]},
        {"id": "alliance", "label": "SYNTHETIC alliance", "level": "macro",
         "themes": ["working-on-the-edge"]}],
    "edges": [{"from": "trust", "to": "alliance", "relation": "builds"},
              {"from": "hope", "to": "alliance", "relation": "sustains"},
              {"from": "trust", "to": "hope", "relation": "allows"}],
}
AXE_PAGES = {
    "home": "",
    "studies": "studies/",
    "study": "studies/aherne-2018/",
    "theme": "themes/working-on-the-edge/",
    "matrix": "evidence/matrix/",
    "prisma": "evidence/prisma/",
    "translations": "translations/",
    "translation concept": "translations/human-connection/",
    "line of argument": "line-of-argument/",
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("project"))
    (project.studies_dir / "synthetic_test_study.yaml").write_text(
        yaml.safe_dump(SYNTHETIC, sort_keys=False), "utf-8")
    review = yaml.safe_load(project.review_file.read_text("utf-8"))
    review["line_of_argument"] = SYNTHETIC_ARGUMENT
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")
    return build_site(project, strict=True)


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join()


@pytest.fixture
def visit(browser: object) -> Iterator[Visit]:
    opened = Visit(browser)
    yield opened
    opened.close()


def test_site_builds_every_page(built_site: Path) -> None:
    expected = ["index.html", "methods/index.html", "studies/index.html",
                "themes/working-on-the-edge/index.html", "themes/ready-willing-able/index.html",
                "evidence/matrix/index.html", "evidence/findings/index.html",
                "evidence/appraisal/index.html", "evidence/prisma/index.html",
                "evidence/charts/index.html", "evidence/prisma.svg", "evidence/chart-year.svg",
                "evidence/chart-perspective.svg", "evidence/chart-country.svg",
                "evidence/chart-method.svg", "assets/studies-table.js"]
    expected += [f"studies/{p.stem}/index.html"
                 for p in (SCENARIOS / DEFAULT_SCENARIO / "studies").glob("*.yaml")]
    missing = [path for path in expected if not (built_site / path).is_file()]
    assert missing == []
    prisma = (built_site / "evidence/prisma/index.html").read_text("utf-8")
    assert "3,654" in prisma and "not reported" in prisma
    findings = (built_site / "evidence/findings/index.html").read_text("utf-8")
    assert "not assessed" in findings


def test_table_filter_narrows_rows_and_opens_the_study(visit: Visit, base_url: str) -> None:
    page = visit.page
    page.goto(base_url + "studies/")
    rows = page.locator(".lr-filterable tbody tr:visible")
    assert rows.count() == 5
    page.get_by_label("Country").select_option("Ireland")
    assert rows.count() == 2
    assert page.get_by_role("status").inner_text() == "Showing 2 of 5 studies."
    page.get_by_label("Contains").fill("connectedness")
    assert rows.count() == 1
    rows.first.get_by_role("link").click()
    page.wait_for_url(base_url + "studies/aherne-2018/")
    assert "A conceptual model of connectedness" in page.locator("h1").inner_text()
    assert visit.errors == [] and visit.foreign == []


def test_table_sorts_by_year_with_missing_years_last(visit: Visit, base_url: str) -> None:
    page = visit.page
    page.goto(base_url + "studies/")
    page.get_by_role("button", name="Year").click()
    years = page.locator(".lr-filterable tbody tr td:nth-child(2)").all_inner_texts()
    assert years == ["2017", "2018", "2021", "2022", "not yet curated"]
    page.get_by_role("button", name="Year").click()
    years = page.locator(".lr-filterable tbody tr td:nth-child(2)").all_inner_texts()
    assert years == ["2022", "2021", "2018", "2017", "not yet curated"]
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Year")


def test_matrix_links_open_the_study_pages(visit: Visit, base_url: str) -> None:
    page = visit.page
    page.goto(base_url + "evidence/matrix/")
    ticks = page.locator("a.lr-tick")
    assert ticks.count() == 2
    for index in range(2):
        page.goto(base_url + "evidence/matrix/")
        ticks.nth(index).click()
        page.wait_for_url("**/studies/synthetic_test_study/#contribution-to-the-synthesis")
        assert page.locator("h1").inner_text().startswith(SYNTHETIC["title"])


@pytest.mark.parametrize(("query", "study"), [("Aherne", "aherne-2018"),
                                              ("Fogarty", "fogarty-2021"),
                                              ("connectedness", "aherne-2018"),
                                              ("psychosis", "awenat-psychosis-9-38")])
def test_search_finds_a_study(visit: Visit, base_url: str, query: str, study: str) -> None:
    page = visit.page
    page.goto(base_url)
    field = page.locator("input.md-search__input")
    field.click()
    field.press_sequentially(query, delay=50)  # Material searches on key presses
    result = page.locator(f".md-search-result__item a[href*='studies/{study}/']")
    result.first.wait_for(timeout=10_000)
    assert visit.errors == [] and visit.foreign == []


def test_every_page_loads_without_errors_or_other_hosts(
    browser: object, built_site: Path, base_url: str
) -> None:
    pages = sorted(p.relative_to(built_site).as_posix().removesuffix("index.html")
                   for p in built_site.rglob("index.html"))
    assert len(pages) >= 14
    problems = []
    for path in pages:
        visit = Visit(browser)
        response = visit.page.goto(base_url + path)
        visit.page.wait_for_load_state("networkidle")
        if response is None or response.status != 200:
            problems.append(f"{path}: status {response.status if response else None}")
        problems += [f"{path}: console error {e}" for e in visit.errors]
        problems += [f"{path}: request to {u}" for u in visit.foreign]
        visit.close()
    assert problems == []


@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_serious_violation(browser: object, base_url: str, name: str,
                                        tmp_path: Path) -> None:
    problems = []
    for width in (1280, 390):
        visit = Visit(browser, width=width)
        visit.page.goto(base_url + AXE_PAGES[name])
        visit.page.wait_for_load_state("networkidle")
        visit.page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
        results = axe_api.Axe().run(visit.page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{width}px {violation['id']}: {violation['help']} {targets}")
        visit.close()
    assert problems == []
