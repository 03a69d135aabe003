"""Swap a freshly built site in for the old one, and recover from a build that was killed.

A build writes into `.<site>-new-<pid>-<random>` next to the site and then makes two renames:
the old site to `.<site>-old-<pid>-<random>`, the new one into place. A build killed at any
moment therefore leaves the site folder as it was, or a leftover folder whose name says which
process made it. The next build removes the leftovers of dead processes and, when it was killed
between the two renames (no site, an old one set aside), puts the old site back first.

A folder is taken for a leftover only when its name says so and it is a plain folder that is
empty or holds the site marker (build_tools.site.site_dir), which the staging folder gets the moment
it is made: a folder of the user's that happens to be called `.site-old-backup` is never touched.

Once the new site is in, the old one is renamed `.<site>-gone-<pid>-<random>` and removed. A
large one (BACKGROUND_FROM entries or more) is removed by a detached process, so the command
does not wait for it: removing a site of 10,000 study pages took ~4 s on our build machine,
10 % of a rebuild. A `gone` folder is never put back; the next build removes any it finds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from build_tools.core.detached import start_detached_python
from build_tools.core.errors import BuildError
from build_tools.site.site_dir import MARKER, is_marked, mark_site

_LEFTOVER = re.compile(
    r"^\.(?P<site>.+?)-(?P<kind>new|old|gone)-(?:(?P<pid>\d+)-)?[0-9a-z_]+$")
BACKGROUND_FROM = 2000  # entries of an old site worth removing without waiting for it
_REMOVER = ("import sys; sys.path.insert(0, sys.argv[2]); "
            "from build_tools.site.staging import remove_tree; remove_tree(sys.argv[1])")
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])  # holds build_tools, installed or not


def make_staging_dir(target: Path) -> Path:
    """An empty folder beside `target` (one file system, so the final rename is atomic)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-{os.getpid()}-",
                                        dir=target.parent))
        mark_site(staging)
    except OSError as error:
        raise output_error(error, target) from None
    return staging


def replace_directory(new: Path, target: Path) -> None:
    """Two renames on one file system; the old tree is removed only after the new one is in."""
    old = None
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise BuildError(f"{target}: is not a folder; remove it or choose another "
                             "--site-dir (the site was not written)")
        old = target.with_name(f".{target.name}-old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    with _interrupts_held():  # Ctrl-C between the renames would leave no site at all
        if old is not None:
            os.rename(target, old)
        os.rename(new, target)
    if old is not None:
        remove_old_tree(old)


def remove_old_tree(old: Path) -> None:
    """Remove a site set aside after the swap: marked `gone` first (never put back), then here,
    or by a detached process when it is large."""
    head, _, tail = old.name.rpartition("-old-")  # the last: a site's own name may hold one
    gone = old.with_name(f"{head}-gone-{tail}")
    try:
        os.rename(old, gone)
    except OSError:
        gone = old
    if _entries_reach(gone, BACKGROUND_FROM) and _remove_detached(gone):
        return
    remove_tree(gone)


def remove_tree(folder: Path | str) -> None:
    """Remove a folder of ours with its site marker last, so that a removal stopped half-way
    still leaves a folder the next build knows as its own and removes (links are removed,
    never followed)."""
    folder = Path(folder)
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name == MARKER:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
    except OSError:
        pass
    shutil.rmtree(folder, ignore_errors=True)


def _entries_reach(folder: Path, count: int) -> bool:
    """Whether the tree holds at least `count` entries (it stops counting there)."""
    seen = 0
    pending = [folder]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen >= count:
                        return True
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
        except OSError:
            continue
    return False


def _remove_detached(folder: Path) -> bool:
    """Start a process of its own session that removes `folder` (`remove_tree`); False when
    none could start."""
    return start_detached_python(_REMOVER, str(folder), _PACKAGE_PARENT, cwd=folder.parent)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for a moment; they are delivered when it ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def recover_interrupted_build(target: Path) -> list[Path]:
    """Put back a site set aside by a killed build; remove what killed builds left behind.

    Folders of processes still running (another build at this moment) are left alone.
    Returns the folders removed.
    """
    if not target.parent.is_dir():
        return []
    leftovers: dict[str, list[Path]] = {"new": [], "old": [], "gone": []}
    for path in target.parent.iterdir():
        match = _LEFTOVER.match(path.name)
        if (match and match["site"] == target.name and _ours(path)
                and not _running(match["pid"])):
            leftovers[match["kind"]].append(path)
    old = sorted((p for p in leftovers["old"] if is_marked(p)), key=lambda p: p.lstat().st_ctime)
    if old and not (target.exists() or target.is_symlink()):
        os.rename(old.pop(), target)
    removed = (leftovers["new"] + leftovers["gone"]
               + [p for p in leftovers["old"] if p.exists() and p != target])
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def discard_own_staging(target: Path) -> None:
    """Remove this process's staging folders for `target` (a build that failed or was stopped)."""
    for path in _candidates(target):
        match = _LEFTOVER.match(path.name)
        if (match and match["site"] == target.name and match["kind"] == "new"
                and match["pid"] == str(os.getpid()) and _ours(path)):
            shutil.rmtree(path, ignore_errors=True)


def _candidates(target: Path) -> list[Path]:
    try:
        return [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}-")]
    except OSError:
        return []


def _ours(path: Path) -> bool:
    """A plain folder (not a link) that a build made: empty, or holding the site marker."""
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        return is_marked(path) or not any(path.iterdir())
    except OSError:
        return False


def _running(pid_text: str | None) -> bool:
    """Whether the build that made a leftover folder is still running (no pid: an old build)."""
    if pid_text is None:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # our own folders from an earlier build in this process were cleaned up
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_ADVICE = {
    errno.ENOSPC: "free some disk space, then build again",
    errno.EFBIG: "free some disk space or raise the file size limit (ulimit -f), then build again",
    errno.EDQUOT: "free some space within your disk quota, then build again",
    errno.EROFS: "the file system is read-only; choose another --site-dir",
    errno.EACCES: "check that you may write to this folder, or choose another --site-dir",
    errno.EPERM: "check that you may write to this folder, or choose another --site-dir",
    errno.ENOTDIR: "a file is in the way of a folder; remove it or choose another --site-dir",
    errno.EEXIST: "a file is in the way of a folder; remove it or choose another --site-dir",
}


def output_error(error: OSError, target: Path, staging: Path | None = None) -> BuildError:
    """One line naming the file, what went wrong and what to do; the staging name is hidden."""
    names = [str(n) for n in (error.filename2, error.filename) if n]  # a copy's target first
    written = [n for n in names if staging is not None and n.startswith(str(staging))]
    where = (written or names or [str(target)])[0]
    if staging is not None and where.startswith(str(staging)):
        where = str(target) + where[len(str(staging)):]
    reason = error.strerror or str(error)
    advice = _ADVICE.get(error.errno or 0, "check the disk and the folder, then build again")
    return BuildError(f"could not write {where}: {reason}; {advice} "
                      "(the previous site was not changed)")
