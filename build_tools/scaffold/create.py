"""Create a new review project all at once: its files are written into a hidden sibling folder,
which is renamed into place only when complete, so a failure leaves nothing half-made."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from build_tools.core.errors import InitRefused, escape_controls
from build_tools.core.project import Project
from build_tools.pages.derived_docs import write_derived_files
from build_tools.scaffold.install_source import install_source
from build_tools.scaffold.skeleton import KINDS, skeleton
from build_tools.scaffold.target import check_init_target, init_target, is_empty


def init_review(folder: Path | str, kind: str = "qualitative", title: str | None = None, *,
                install: str | None = None, cwd: Path | None = None) -> Path:
    """Make a new `kind` review in `folder` (new or empty) and return its path. It is written
    into a hidden sibling folder first, so a failure half-way leaves nothing behind.

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
        _place(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)  # our own staging folder, nothing else
        raise InitRefused(f"{shown}: could not be created ({error.strerror}); "
                          "nothing was written") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _place(staging: Path, target: Path) -> None:
    """Move the finished project into place, overwriting nothing.

    A new folder is the staging folder renamed, in one step. An existing empty folder is kept
    (a shell may stand in it: `mkdir r && cd r && livingreview init .`) and filled entry by
    entry: files by a hard link, which fails rather than replace a file someone wrote there
    meanwhile, folders by a rename, which fails onto a folder that is not empty. On a failure,
    the entries already moved in are taken out again (they are ours: the folder was empty).
    """
    if not target.is_dir():
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp made it private
        os.rename(staging, target)  # fails if a non-empty folder appeared there meanwhile
        return
    if not is_empty(target):  # filled since it was checked
        raise OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY))
    moved: list[Path] = []
    try:
        for entry in sorted(staging.iterdir()):
            destination = target / entry.name
            if entry.is_dir():
                os.rename(entry, destination)
            else:
                os.link(entry, destination)
                entry.unlink()
            moved.append(destination)
    except BaseException:
        for destination in moved:
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination, ignore_errors=True)
            else:
                destination.unlink(missing_ok=True)
        raise
    staging.rmdir()


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
