"""The one place the browser tests find and start Chromium (Debian's here, any Chromium on CI)."""

from __future__ import annotations

import os
import shutil

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
