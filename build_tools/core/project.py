"""Where a review project keeps its files: one typed place, defaults from the standard layout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from build_tools.core.errors import ProjectError, escape_controls


@dataclass(frozen=True)
class Project:
    """Paths of a review project; everything is relative to `root` unless overridden."""

    root: Path
    review_file: Path
    studies_dir: Path
    schema_file: Path
    cache_dir: Path
    site_dir: Path
    mkdocs_file: Path

    @classmethod
    def at(cls, root: Path | str = ".") -> Project:
        root = Path(root).resolve()
        return cls(
            root=root,
            review_file=root / "review.yaml",
            studies_dir=root / "studies",
            schema_file=root / "schema" / "datapackage.yaml",
            cache_dir=root / "cache" / "crossref",
            site_dir=root / "site",
            mkdocs_file=root / "mkdocs.yml",
        )

    def display(self, path: Path) -> str:
        """A path as users see it in messages: relative to the project, with forward slashes."""
        # abspath, not resolve: a symlink is named as the link, not as its target
        absolute = os.path.abspath(path)
        inside = str(self.root).rstrip(os.sep) + os.sep
        if os.sep == "/" and absolute.startswith(inside) and len(absolute) > len(inside):
            return absolute[len(inside):]  # the common case, as text (one per file read)
        try:
            return Path(absolute).relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def require_project(folder: Path | str) -> None:
    """Raise a one-line ProjectError unless `folder` is a review project (holds review.yaml).

    Every command reads review.yaml first; without this check a mistyped --project would show
    up as a missing review.yaml, or worse, as an empty review.
    """
    shown = escape_controls(os.path.abspath(folder))
    where = "pass the review project's folder with --project, or run from inside it"
    if not os.path.lexists(folder):
        raise ProjectError(f"{shown}: no such folder; {where}")
    if not os.path.isdir(folder):
        raise ProjectError(f"{shown}: is not a folder; {where}")
    if not os.path.lexists(os.path.join(folder, "review.yaml")):
        raise ProjectError(f"{shown}: not a review project (it has no review.yaml); {where}")
