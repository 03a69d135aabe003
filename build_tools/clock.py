"""The one place that decides "today" for a build, so two builds of one commit are identical.

Order: SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/), then the
date of the project's last git commit, then — outside git only — the current date.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path


def build_date(root: Path) -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%cs"],
            capture_output=True, text=True, check=False, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        result = None
    if result is not None and result.returncode == 0 and result.stdout.strip():
        return dt.date.fromisoformat(result.stdout.strip())
    return dt.datetime.now(tz=dt.UTC).date()
