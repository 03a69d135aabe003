"""The one place that decides "today" for a build, so two builds of one commit are identical.

Order: SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/), then the
date of the project's last git commit, then — outside git only — the current date.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from build_tools.core import gitrepo
from build_tools.core.errors import GitError


def source_date() -> dt.date | None:
    """The date SOURCE_DATE_EPOCH pins, if it is set to a whole number of seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date() if epoch.isdigit() else None


def epoch_of(date: dt.date) -> str:
    """SOURCE_DATE_EPOCH for a date: midnight UTC, so MkDocs' sitemap dates are that day."""
    return str(int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp()))


def today() -> dt.date:
    return dt.datetime.now(tz=dt.UTC).date()


def build_date(root: Path) -> dt.date:
    pinned = source_date()
    if pinned is not None:
        return pinned
    committed = ""
    try:
        result = gitrepo.run(root, "log", "-1", "--format=%cs", timeout=10)
        if result.returncode == 0:
            committed = result.stdout.decode("utf-8", "replace").strip()
    except GitError:  # no git, or it hangs: as outside git
        pass
    return dt.date.fromisoformat(committed) if committed else today()
