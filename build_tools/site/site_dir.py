"""Which folders a command may replace whole (a site, an exported tree), and the mark that says
we made one.

A build replaces its output folder entirely (build_tools.site.staging), and MkDocs empties it, so a
wrong `--site-dir` or `site_dir:` would destroy whatever is there. MkDocs' own guard (site_dir
must not contain docs_dir) never sees the real target, because we build into a staging folder.
So the target is checked here, before anything is touched: it must be a new folder, an empty
one, or one that a previous build made (it holds the MARKER file), and never the project or a
folder around it or inside its inputs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

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


@dataclass(frozen=True)
class OutputKind:
    """A kind of folder we replace whole, and how its guard speaks about it."""

    marker: str  # the file that says we made the folder, so the next run may replace it
    made_by: str  # the command that writes it, as users type it
    actor: str  # how a refusal names one run of that command ("a build")
    advice: str  # what to do instead
    example: str  # a safe choice inside the project, or ""
    outcome: str  # what a refusal guarantees
    own_entries: frozenset[str] = frozenset()  # names it writes itself, allowed once marked


SITE = OutputKind(MARKER, "livingreview build", "a build", ADVICE, "site/",
                  "the site was not written")


def site_path(path: Path | str) -> Path:
    """The absolute path of a site folder, with links resolved in its parents but not in the
    folder itself: a site folder that is a link is refused, never followed."""
    absolute = Path(os.path.abspath(path))
    if absolute.parent == absolute:  # the file system root
        return absolute
    return absolute.parent.resolve() / absolute.name


def site_dir_refusal(root: Path, target: Path, kind: OutputKind = SITE,
                     others: Mapping[Path, str] = MappingProxyType({})) -> str | None:
    """Why `kind`'s command must not replace `target` for the project at `root` (None: it may).

    `others` adds folders of the project the command must not write into, each with the reason
    (e.g. a theme folder it reads, or the site another command writes)."""
    root = root.resolve()
    advice = kind.advice
    if target.is_symlink():
        return f"is a link; {advice} (a plain folder)"
    if target.exists() and not target.is_dir():
        return f"is not a folder; remove it or {advice}"
    inside = f", such as {kind.example} inside it" if kind.example else ""
    if target == root:
        return f"is the project folder; {advice}{inside}"
    if target in root.parents:
        around = f", such as {kind.example} inside the project" if kind.example else ""
        return f"contains the project folder {root}; {advice}{around}"
    guarded = {root / name: "which the build reads" for name in INPUT_FOLDERS}
    guarded.update({folder.resolve(): why for folder, why in others.items()})
    for folder, why in guarded.items():
        if folder in target.parents or target == folder:
            where = "is" if target == folder else "is inside"
            name = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else folder
            return f"{where} the project's {name}/ folder, {why}; {advice}"
    if not target.exists():
        return None
    try:
        entries = {entry.name for entry in os.scandir(target)}
    except OSError as error:
        return f"cannot be read ({error.strerror}); {advice}"
    marked = is_marked(target, kind)
    found = [name for name in PROJECT_ENTRIES
             if name in entries and not (marked and name in kind.own_entries)]
    found += [f"{name}/" for name in PROJECT_FOLDERS if name in entries and not marked]
    if found:
        return (f"holds {found[0]}, so it looks like a project, not a site, and "
                f"{kind.actor} would replace it; {advice}")
    if entries and not marked:
        return (f"is not empty and was not made by {kind.made_by} (it has no {kind.marker} "
                f"file), so {kind.actor} would delete what is in it; empty it or {advice}")
    return None


def check_output_dir(root: Path, target: Path, kind: OutputKind = SITE,
                     others: Mapping[Path, str] = MappingProxyType({})) -> None:
    """Raise a one-line BuildError when writing `target` could destroy anything."""
    reason = site_dir_refusal(root, target, kind, others)
    if reason is not None:
        raise BuildError(f"{target}: {reason} ({kind.outcome})")


def check_site_dir(root: Path, target: Path) -> None:
    """Raise a one-line BuildError when building the site into `target` could destroy anything."""
    check_output_dir(root, target, SITE)


def is_marked(folder: Path, kind: OutputKind = SITE) -> bool:
    """Whether `folder` was made by `kind`'s command: its marker is a plain file, not a link."""
    marker = folder / kind.marker
    return marker.is_file() and not marker.is_symlink()


def mark_site(folder: Path) -> None:
    """Write the marker that lets the next build replace `folder` (MkDocs keeps hidden files
    when it empties a site folder, so the marker survives its clean-up)."""
    marker = folder / MARKER
    if marker.is_symlink():
        marker.unlink()
    marker.write_text(MARKER_TEXT, "utf-8")
