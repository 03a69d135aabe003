"""In headless Chromium: Material's version selector lists both versions, and 1.0 shows the
outdated banner linking to the latest version. The gh-pages branch is served on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import io
import subprocess
import tarfile
import threading
from collections.abc import Iterator

import pytest

from tests.release_scenario import two_releases


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The published gh-pages branch of a two-release repository, served from a thread."""
    scenario = two_releases(tmp_path_factory.mktemp("browser"))
    pages = tmp_path_factory.mktemp("pages")
    archive = subprocess.run(["git", "-C", str(scenario.project.root), "archive", "gh-pages"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(pages, filter="data")
    handler = functools.partial(QuietHandler, directory=str(pages))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def open_page(browser: object, url: str) -> object:
    page = browser.new_page()  # type: ignore[attr-defined]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_selector(".md-version__current", state="attached", timeout=10_000)
    page.requests = requests
    return page


def test_version_selector_lists_both_versions(browser: object, server: str) -> None:
    page = open_page(browser, f"{server}/latest/")
    # Material shows the alias "latest" right after the version's title.
    assert page.locator(".md-version__current").inner_text() == "1.1 (2026-03-01)latest"
    titles = page.locator(".md-version__list .md-version__link").all_inner_texts()
    assert [t.strip() for t in titles] == ["1.1 (2026-03-01)latest", "1.0 (2026-01-15)"]
    assert all(url.startswith(server) for url in page.requests)
    page.close()


def test_old_version_shows_the_outdated_banner_linking_to_latest(
    browser: object, server: str
) -> None:
    page = open_page(browser, f"{server}/1.0/methods/")
    banner = page.locator("[data-md-component=outdated]")
    banner.wait_for(state="visible", timeout=10_000)
    assert "You are viewing an older version of this living review." in banner.inner_text()
    page.locator("a.lr-latest").click()
    page.wait_for_url(f"{server}/latest/")
    assert "version 1.1" in page.title()
    assert page.locator("[data-md-component=outdated]").is_hidden()
    page.close()


def test_latest_version_shows_no_outdated_banner(browser: object, server: str) -> None:
    page = open_page(browser, f"{server}/1.1/")
    assert page.locator("[data-md-component=outdated]").is_hidden()
    assert "Version 1.1 of this living review, released 1 March 2026" in page.locator(
        "[data-md-component=announce]").inner_text()
    page.close()
