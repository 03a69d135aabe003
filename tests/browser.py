"""The one place the browser tests find and start Chromium (Debian's here, any Chromium on CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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
