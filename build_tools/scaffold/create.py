"""Create a new review project all at once: its files are written into a hidden sibling folder,
which is renamed into place only when complete, so a failure leaves nothing half-made."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from build_tools.core.errors import InitRefused, escape_controls
from build_tools.core.project import Project
from build_tools.pages.derived_docs import write_derived_files
from build_tools.scaffold.install_source import install_source
from build_tools.scaffold.skeleton import KINDS, skeleton
from build_tools.scaffold.target import check_init_target, init_target


def init_review(folder: Path | str, kind: str = "qualitative", title: str | None = None, *,
                install: str | None = None, cwd: Path | None = None) -> Path:
    """Make a new `kind` review in `folder` (new or empty) and return its path.

    `install` is how its Makefile installs living-review (default: the running tool's source).
    """
    if kind not in KINDS:
        raise InitRefused(f"--kind {escape_controls(kind)}: unknown kind of review "
                          f"(one of: {', '.join(KINDS)})")
    if title is not None:
        check_title(title)
    target = init_target(folder)
    check_init_target(target, cwd)
    files = skeleton(kind, title, install if install is not None else install_source())
    shown = escape_controls(str(target))
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
    except OSError as error:
        raise InitRefused(f"{shown}: cannot write next to it ({error.strerror}); "
                          "nothing was written") from error
    try:
        _write(staging, files)
        write_derived_files(Project.at(staging))  # the JSON Schema and the data dictionary
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp made it private
        os.rename(staging, target)  # replaces only a new or empty folder (POSIX rename)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)  # our own staging folder, nothing else
        raise InitRefused(f"{shown}: could not be created ({error.strerror}); "
                          "nothing was written") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def check_title(title: str) -> None:
    if not title.strip():
        raise InitRefused("--title: is empty (give the review's title)")
    if not title.isprintable():
        raise InitRefused(f"--title: {escape_controls(title)!r} holds a control character or "
                          "a line break (one line of text)")


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
