"""The one place the browser tests find and start Chromium (Debian's here, any Chromium on CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Route

# --disable-background-networking & co.: Chromium must not try to reach Google from a closed
# network (it would fail many times at start) — the pages under test may only talk to 127.0.0.1.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def chromium_path() -> str:
    """$LIVINGREVIEW_CHROMIUM, else the first Chromium on PATH; `make test` installs one."""
    configured = os.environ.get("LIVINGREVIEW_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium"  # Playwright then says plainly that it is missing


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium for one test module; a missing Chromium fails (never skips) the test,
    with the command that installs it."""
    import playwright.sync_api as playwright_api

    executable = chromium_path()
    if not Path(executable).exists():
        pytest.fail(f"{executable} is missing: run `make browser` (installs Debian's chromium)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def served_locally(url: str) -> bool:
    """A request a site served on 127.0.0.1 may make."""
    return urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:"))


def opened_from_disk(url: str) -> bool:
    """A request a site opened from disk (file://) may make."""
    return url.startswith(("file:", "data:", "blob:", "about:"))


class Visit:
    """One page in a fresh browser context that records console errors and every request
    `is_local` refuses. With `block`, such requests are also aborted (a served site); a site
    opened from disk is only watched, since routes do not see file:// loads."""

    def __init__(self, browser: Browser, is_local: Callable[[str], bool] = served_locally,
                 *, width: int = 1280, block: bool = True) -> None:
        self.is_local = is_local
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           service_workers="block")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        if block:
            self.context.route("**/*", self._route)
        else:
            self.context.on("request", lambda r: None if is_local(r.url)
                            else self.foreign.append(r.url))

    def _route(self, route: Route) -> None:
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()
