"""`livingreview build --offline`: the site opened from disk (file://) in headless Chromium,
with no server: navigation, the studies table's links and search work, and nothing is loaded from
another host. The shim that makes search work there is the stored copy of iframe-worker 1.0.4."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from build_tools.cli.main import main
from build_tools.core.project import Project
from build_tools.site.build import build_site
from build_tools.site.offline import SHIM, SHIM_PATH
from tests.browser import Visit, opened_from_disk
from tests.conftest import make_project


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("project"))
    return build_site(project, strict=True, offline=True)


@pytest.fixture
def visit(browser: object) -> Iterator[Visit]:
    opened = Visit(browser, opened_from_disk, block=False)
    yield opened
    opened.close()


def test_navigation_and_table_links_work_from_disk(visit: Visit, offline_site: Path) -> None:
    page = visit.page
    page.goto((offline_site / "index.html").as_uri())
    page.locator("nav.md-nav--primary").get_by_role("link", name="Studies").first.click()
    page.wait_for_url("**/studies/index.html")
    page.locator(".lr-filterable tbody tr").filter(has_text="connectedness").get_by_role(
        "link").first.click()
    page.wait_for_url("**/studies/aherne-2018.html")
    assert "A conceptual model of connectedness" in page.locator("h1").inner_text()
    page.locator("nav.md-nav--primary").get_by_role("link", name="Methods").first.click()
    page.wait_for_url("**/methods.html")
    assert page.locator("h1").count() == 1
    assert visit.errors == [] and visit.foreign == []


@pytest.mark.parametrize(("query", "study"), [("Aherne", "aherne-2018"),
                                              ("psychosis", "awenat-psychosis-9-38")])
def test_search_works_from_disk(visit: Visit, offline_site: Path, query: str,
                                study: str) -> None:
    page = visit.page
    page.goto((offline_site / "evidence" / "matrix.html").as_uri())
    field = page.locator("input.md-search__input")
    field.click()
    field.press_sequentially(query, delay=50)  # Material searches on key presses
    result = page.locator(f".md-search-result__item a[href*='studies/{study}.html']")
    result.first.wait_for(timeout=10_000)
    result.first.click()
    page.wait_for_url(f"**/studies/{study}.html*")
    assert visit.errors == [] and visit.foreign == []


def test_every_link_of_every_page_is_a_file_on_disk(offline_site: Path) -> None:
    """From disk a link to a folder shows a folder listing: every local link names a file."""
    broken = []
    for page in offline_site.rglob("*.html"):
        if page.name == "404.html":
            continue  # a server's answer to an unknown URL (absolute links); not read from disk
        raw = page.read_text("utf-8")
        for target in re.findall(r'(?:href|src)="([^"]*)"', raw):
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another host (a source's address) or an anchor on the same page
            path = (page.parent / unquote(parts.path)).resolve()
            if not path.is_file():
                broken.append(f"{page.relative_to(offline_site)}: {target}")
    assert broken == []


def test_offline_pages_load_only_the_stored_shim(offline_site: Path) -> None:
    assert (offline_site / SHIM_PATH).read_bytes() == SHIM.read_bytes()
    assert (offline_site / "search" / "search_index.js").is_file()
    for page in offline_site.rglob("*.html"):
        raw = page.read_text("utf-8")
        scripts = re.findall(r'<script[^>]+src="([^"]+)"', raw)
        assert not [s for s in scripts if "://" in s], page
        assert sum("iframe-worker" in s for s in scripts) == 1, page


def test_stored_shim_is_iframe_worker_1_0_4_unchanged() -> None:
    recorded = (SHIM.parent / "SOURCE.md").read_text("utf-8")
    assert "iframe-worker 1.0.4" in recorded
    assert f"`shim.js` sha256: `{hashlib.sha256(SHIM.read_bytes()).hexdigest()}`" in recorded


def test_default_build_keeps_directory_urls_and_no_shim(project: Project) -> None:
    site = build_site(project)
    assert (site / "studies" / "aherne-2018" / "index.html").is_file()
    assert not (site / SHIM_PATH).exists()
    assert 'rel="alternate" type="application/atom+xml"' in (site / "index.html").read_text()


def test_cli_build_offline_says_to_open_the_file(project: Project, capsys) -> None:
    assert main(["build", "--offline", "--project", str(project.root)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Site built in {project.site_dir}",
        f"Open it from disk: {project.site_dir / 'index.html'}",
    ]
