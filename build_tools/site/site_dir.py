"""Which folders a build may replace with a site, and the mark that says a folder is our site.

A build replaces its output folder entirely (build_tools.site.staging), and MkDocs empties it, so a
wrong `--site-dir` or `site_dir:` would destroy whatever is there. MkDocs' own guard (site_dir
must not contain docs_dir) never sees the real target, because we build into a staging folder.
So the target is checked here, before anything is touched: it must be a new folder, an empty
one, or one that a previous build made (it holds the MARKER file), and never the project or a
folder around it or inside its inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

from build_tools.core.errors import BuildError

MARKER = ".living-review-site"
MARKER_TEXT = ("This folder is a site made by `livingreview build`. The next build replaces "
               "everything in it.\n")
# A folder holding any of these is a project (or a checkout), never a site...
PROJECT_ENTRIES = (".git", "review.yaml", "mkdocs.yml")
# ... and one holding these is a project unless a build made it (a site has studies/ pages).
PROJECT_FOLDERS = ("studies", "docs")
# Folders of the project that a build reads: a site inside one would be read or cleaned.
INPUT_FOLDERS = (".git", "studies", "docs", "schema", "cache")
ADVICE = "choose another --site-dir"


def site_path(path: Path | str) -> Path:
    """The absolute path of a site folder, with links resolved in its parents but not in the
    folder itself: a site folder that is a link is refused, never followed."""
    absolute = Path(os.path.abspath(path))
    if absolute.parent == absolute:  # the file system root
        return absolute
    return absolute.parent.resolve() / absolute.name


def site_dir_refusal(root: Path, target: Path) -> str | None:
    """Why a build must not replace `target` for the project at `root` (None: it may)."""
    root = root.resolve()
    if target.is_symlink():
        return f"is a link; {ADVICE} (a plain folder)"
    if target.exists() and not target.is_dir():
        return f"is not a folder; remove it or {ADVICE}"
    if target == root:
        return f"is the project folder; {ADVICE}, such as site/ inside it"
    if target in root.parents:
        return f"contains the project folder {root}; {ADVICE}, such as site/ inside the project"
    for name in INPUT_FOLDERS:
        if (root / name) in target.parents or target == root / name:
            where = "is" if target == root / name else "is inside"
            return f"{where} the project's {name}/ folder, which the build reads; {ADVICE}"
    if not target.exists():
        return None
    try:
        entries = {entry.name for entry in os.scandir(target)}
    except OSError as error:
        return f"cannot be read ({error.strerror}); {ADVICE}"
    marked = is_marked(target)
    found = [name for name in PROJECT_ENTRIES if name in entries]
    found += [f"{name}/" for name in PROJECT_FOLDERS if name in entries and not marked]
    if found:
        return (f"holds {found[0]}, so it looks like a project, not a site, and a build would "
                f"replace it; {ADVICE}")
    if entries and not marked:
        return (f"is not empty and was not made by livingreview build (it has no {MARKER} "
                f"file), so a build would delete what is in it; empty it or {ADVICE}")
    return None


def check_site_dir(root: Path, target: Path) -> None:
    """Raise a one-line BuildError when building into `target` could destroy anything."""
    reason = site_dir_refusal(root, target)
    if reason is not None:
        raise BuildError(f"{target}: {reason} (the site was not written)")


def is_marked(folder: Path) -> bool:
    """Whether `folder` was made by a build: its marker is a plain file, not a link."""
    marker = folder / MARKER
    return marker.is_file() and not marker.is_symlink()


def mark_site(folder: Path) -> None:
    """Write the marker that lets the next build replace `folder` (MkDocs keeps hidden files
    when it empties a site folder, so the marker survives its clean-up)."""
    marker = folder / MARKER
    if marker.is_symlink():
        marker.unlink()
    marker.write_text(MARKER_TEXT, "utf-8")
