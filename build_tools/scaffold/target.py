"""Where `livingreview init` may create a review: only a new or empty folder, never a file, a
link, or a folder inside a project's inputs or site (the guard of site/site_dir.py)."""

from __future__ import annotations

import os
from pathlib import Path

from build_tools.core.errors import InitRefused, escape_controls
from build_tools.site.site_dir import OutputKind, site_dir_refusal, site_path

ADVICE = "choose another DIR"
INIT = OutputKind(
    marker=".living-review-init",  # never written: init only creates new or empty folders
    made_by="livingreview init", actor="init", advice=ADVICE, example="",
    outcome="nothing was written",
)
PROJECT_FILE = "review.yaml"


def init_target(path: Path | str) -> Path:
    """The absolute folder to create: links resolved in its parents, never in itself."""
    return site_path(path)


def check_init_target(target: Path, cwd: Path | None = None) -> None:
    """Raise a one-line InitRefused when a new review must not be made at `target`."""
    reason = init_refusal(target, cwd)
    if reason is not None:
        raise InitRefused(escape_controls(f"{target}: {reason} ({INIT.outcome})"))


def init_refusal(target: Path, cwd: Path | None = None) -> str | None:
    """Why a new review must not be made at `target` (None: it may)."""
    if target.is_symlink():
        return f"is a link; {ADVICE} (a new or empty folder)"
    if os.path.lexists(target) and not target.is_dir():
        return f"is not a folder; {ADVICE} (a new or empty folder)"
    if target.is_dir():
        try:
            empty = is_empty(target)
        except OSError as error:
            return f"cannot be read ({error.strerror}); {ADVICE}"
        if not empty:
            return f"is not empty, and init writes only into a new or empty folder; {ADVICE}"
    parent = target.parent
    if not parent.is_dir():
        return f"its parent folder {parent} does not exist; create it first or {ADVICE}"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"its parent folder {parent} is not writable; {ADVICE}"
    for root in _projects_around(target, cwd):
        others = {root / "site": "which a build replaces"}
        reason = site_dir_refusal(root, target, INIT, others)
        if reason is not None:
            return reason
    return None


def is_empty(folder: Path) -> bool:
    """Whether `folder` holds nothing at all (hidden entries count)."""
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _projects_around(target: Path, cwd: Path | None) -> list[Path]:
    """The current project (when the current folder is one) and every project `target` is in."""
    found = []
    here = Path.cwd() if cwd is None else cwd
    if (here / PROJECT_FILE).is_file():
        found.append(here.resolve())
    found += [folder for folder in target.parents if (folder / PROJECT_FILE).is_file()]
    return found
