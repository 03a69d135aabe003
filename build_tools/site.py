"""Build the whole site with MkDocs into a staging directory, then update the live site.

A failed build leaves the previous site exactly as it was: the live site is touched only after
MkDocs has succeeded. The update then replaces only the files whose bytes changed (each with one
atomic rename) and deletes the files the new build no longer has, so a rebuild with nothing
changed rewrites nothing and keeps every modification time. A build killed during that short
update leaves a site whose every file is whole, old or new; the next build completes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from build_tools.clock import build_date
from build_tools.errors import BuildError
from build_tools.pipeline import GeneratedSite, generate_site
from build_tools.project import Project


def build_site(project: Project, *, strict: bool = False, site_dir: Path | None = None) -> Path:
    """Validate and generate, build with MkDocs, and replace `site_dir` only on success."""
    generated = generate_site(project)  # raises InvalidRecords before anything is touched
    target = (site_dir or project.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-new-", dir=target.parent))
    try:
        run_mkdocs(project, generated, staging, strict=strict)
        update_site(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def run_mkdocs(project: Project, generated: GeneratedSite, site_dir: Path, *, strict: bool) -> None:
    if not project.mkdocs_file.is_file():
        raise BuildError(f"{project.display(project.mkdocs_file)}: not found (run from the "
                         "project folder or pass --project)")
    try:
        config = load_config(str(project.mkdocs_file), site_dir=str(site_dir), strict=strict)
        plugin = config.plugins.get("living-review")
        if plugin is not None:
            plugin.pregenerated = generated  # type: ignore[attr-defined]
        with _quiet_mkdocs_info(), _fixed_build_date(project):
            mkdocs_build(config)
    except MkDocsException as error:
        raise BuildError(f"MkDocs failed: {error}") from None
    except OSError as error:
        raise BuildError(f"could not write the site: {error}") from None


def update_site(staging: Path, target: Path) -> SiteUpdate:
    """Make `target` hold exactly the files of `staging`, writing only what differs.

    `staging` must be on the same file system (it is created next to `target`), so each changed
    file arrives by one atomic rename and readers never see half a file.
    """
    if not target.exists():
        os.rename(staging, target)
        return SiteUpdate(written=sum(1 for p in target.rglob("*") if p.is_file()), removed=0)
    written = removed = 0
    staged = set()
    for source in sorted(p for p in staging.rglob("*") if not p.is_dir()):
        relative = source.relative_to(staging)
        staged.add(relative)
        live = target / relative
        if live.is_file() and not live.is_symlink() and _same_bytes(source, live):
            continue
        _make_room(target, relative)
        os.replace(source, live)
        written += 1
    for live in sorted(target.rglob("*"), reverse=True):  # children before their folders
        relative = live.relative_to(target)
        if live.is_dir() and not live.is_symlink():
            if not any(live.iterdir()):
                live.rmdir()
        elif relative not in staged:
            live.unlink()
            removed += 1
    return SiteUpdate(written, removed)


@dataclass(frozen=True)
class SiteUpdate:
    """How many files of the live site an update wrote and removed."""

    written: int
    removed: int


def _same_bytes(first: Path, second: Path) -> bool:
    if first.stat().st_size != second.stat().st_size:
        return False
    return first.read_bytes() == second.read_bytes()


def _make_room(target: Path, relative: Path) -> None:
    """Clear whatever stands where the new file or its folders go (a file becoming a folder)."""
    current = target
    for part in relative.parts[:-1]:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            current.unlink()
        current.mkdir(exist_ok=True)
    live = target / relative
    if live.is_dir() and not live.is_symlink():
        shutil.rmtree(live)


@contextlib.contextmanager
def _fixed_build_date(project: Project):  # type: ignore[no-untyped-def]
    """MkDocs stamps the sitemap with the build date; use the project's (clock.build_date) so an
    unchanged project rebuilds to the same bytes on any day."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        yield
        return
    date = build_date(project.root)
    os.environ["SOURCE_DATE_EPOCH"] = str(
        int(dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC).timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


@contextlib.contextmanager
def _quiet_mkdocs_info():  # type: ignore[no-untyped-def]
    """MkDocs logs each step at INFO; we print one summary line instead. Warnings still show."""
    logger = logging.getLogger("mkdocs")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)
