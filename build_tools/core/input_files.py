"""What a build may read from the project's folders: regular files inside the project.

docs/ is published as it is, and CI builds pull requests: a link `docs/x.txt -> /proc/self/environ`
would publish the runner's environment, and a named pipe would hang the build for ever. So every
entry of docs/ (and of the theme's custom folder) is checked with `lstat`, which never opens it,
before MkDocs reads anything. A link is followed only when it stays inside the project and ends
at a regular file or a folder that does not contain the link (no loops).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from build_tools.core.errors import Code, Problem

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)
REMEDY = "only regular files inside the project are read; remove it or put a copy of the file here"


def kind_of(mode: int) -> str:
    """Words for what a file system entry is, by its mode."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a link" if stat.S_ISLNK(mode) else "not a regular file"


def read_folder_problems(root: Path, folders: Iterable[str | None]) -> list[Problem]:
    """The problems of every folder MkDocs reads (docs_dir, the theme's custom_dir if any)."""
    return [problem for folder in folders if folder
            for problem in folder_problems(root, Path(folder))]


def folder_problems(root: Path, folder: Path, display: Path | None = None) -> list[Problem]:
    """One problem for each entry under `folder` that a build must not read (never opens one).

    Hidden entries are passed over, as MkDocs leaves them out of the site (`exclude_docs`).
    `display` is the folder the problem paths are shown relative to (default: `root`).
    """
    root = root.resolve()
    shown = display or root
    if folder.is_symlink():
        found = _refused_link(root, folder, ())
    elif folder.is_dir():
        found = _refused(root, folder, (folder.resolve(),))
    else:
        return []
    problems = []
    for path, reason in found:
        problems.append(Problem(_relative(path, shown), 1, "(file)", reason, REMEDY,
                                code=Code.REFUSED_FILE))
    return problems


def _refused(root: Path, folder: Path, ancestors: tuple[Path, ...]) -> Iterator[tuple[Path, str]]:
    """(entry, why) for each refused entry under `folder`; `ancestors` are the real folders on
    the way here, so a link back to one of them is a loop."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        yield folder, f"cannot be read ({error.strerror})"
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            mode = path.lstat().st_mode
        except OSError as error:
            yield path, f"cannot be read ({error.strerror})"
            continue
        if stat.S_ISLNK(mode):
            yield from _refused_link(root, path, ancestors)
        elif stat.S_ISDIR(mode):
            yield from _refused(root, path, (*ancestors, path.resolve()))
        elif not stat.S_ISREG(mode):
            yield path, f"is {kind_of(mode)}, not a regular file"


def _refused_link(
    root: Path, link: Path, ancestors: tuple[Path, ...]
) -> Iterator[tuple[Path, str]]:
    real = Path(os.path.realpath(link))
    if real != root and root not in real.parents:
        yield link, "is a link to a file outside the project"
        return
    if any(part.startswith(".") for part in real.relative_to(root).parts):
        # .git/config holds the token CI checked out with; .env files hold secrets
        yield link, "is a link to a hidden file of the project (such as .git/)"
        return
    try:
        mode = real.stat().st_mode
    except OSError:
        yield link, "is a link to nothing (its target is missing)"
        return
    if stat.S_ISDIR(mode):
        if real in ancestors or any(real in a.parents for a in ancestors):
            yield link, "is a link to a folder that contains it (a loop)"
        else:
            yield from _refused(root, link, (*ancestors, real))
    elif not stat.S_ISREG(mode):
        yield link, f"is a link to {kind_of(mode)}, not to a regular file"


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def read_regular_file(path: Path, limit: int) -> bytes | None:
    """The bytes of `path` if it is a regular file (not a link, even one swapped in after the
    check) of at most `limit` bytes; None otherwise. For caches, whose entries count as missing
    when they are anything else."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, "rb", opener=_no_follow) as handle:
            raw = handle.read(limit + 1)
    except OSError:
        return None
    return raw if len(raw) <= limit else None


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
