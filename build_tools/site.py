"""Build the whole site with MkDocs into a temporary directory, then swap it in.

A failed build, or one killed half-way, leaves the previous site exactly as it was.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from build_tools.errors import BuildError
from build_tools.pipeline import GeneratedSite, generate_site
from build_tools.project import Project
from build_tools.staging import (
    make_staging_dir,
    output_error,
    recover_interrupted_build,
    replace_directory,
)


def build_site(project: Project, *, strict: bool = False, site_dir: Path | None = None) -> Path:
    """Validate and generate, build with MkDocs, and replace `site_dir` only on success."""
    target = (site_dir or project.site_dir).resolve()
    recover_interrupted_build(target)  # first, so even a failing build puts a lost site back
    generated = generate_site(project)  # raises InvalidRecords before anything is touched
    staging = make_staging_dir(target)
    try:
        run_mkdocs(project, generated, staging, strict=strict)
        replace_directory(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise output_error(error, target, staging) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
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
        with _quiet_mkdocs_info():
            mkdocs_build(config)
    except MkDocsException as error:
        raise BuildError(f"MkDocs failed: {error}") from None


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
