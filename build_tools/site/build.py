"""Build the whole site with MkDocs into a staging directory, then swap it in.

A failed build, or one killed half-way, leaves the previous site exactly as it was: the live site
is replaced by two renames only after MkDocs has succeeded (build_tools.site.staging). Files whose
bytes did not change keep their modification time, so a rebuild with nothing changed looks
unchanged to anything that compares sites by time and size (rsync, caches, deploy tools).

This is the build's edge: the release to build and the build date are arguments, the review is
assembled and the version gathered (releases/, git) here, and both are handed to the MkDocs
plugin by `LivingReviewPlugin.prepare()` before MkDocs runs. Nothing goes through os.environ
except SOURCE_DATE_EPOCH, which the plugin pins for MkDocs' sitemap and puts back afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException

from build_tools.core.errors import BuildError, InvalidRecords
from build_tools.core.input_files import read_folder_problems
from build_tools.core.project import Project
from build_tools.core.timings import stage
from build_tools.pages.generate import assemble_site
from build_tools.site import offline as offline_site
from build_tools.site.plugin import LivingReviewPlugin
from build_tools.site.site_dir import check_site_dir, site_path
from build_tools.site.staging import (
    discard_own_staging,
    make_staging_dir,
    output_error,
    recover_interrupted_build,
    replace_directory,
)
from build_tools.versions.versioning import build_version

PLUGIN_NAME = "living-review"


def build_site(
    project: Project, *, strict: bool = False, site_dir: Path | None = None, offline: bool = False,
    release: str | None = None, date: dt.date | None = None,
    output_cache: Path | None = None,
) -> Path:
    """Validate and generate, build with MkDocs, and replace `site_dir` only on success.

    `release` builds that recorded version (its pages, citation, manifest), else a development
    build; `date` fixes the build's date (default: the release's date, else the last commit's).
    `offline` makes a site that works opened from disk (build_tools.site.offline);
    `output_cache` keeps per-study outputs between builds (core.output_cache)."""
    target = site_path(site_dir or project.site_dir)
    check_site_dir(project.root, target)  # before anything is touched, even leftovers
    recover_interrupted_build(target)  # first, so even a failing build puts a lost site back
    config = load_site_config(project, target, strict=strict, offline=offline)
    # Raises InvalidRecords (or ReleaseError) before anything is touched; keeps no reference,
    # so while MkDocs runs only the plugin holds the review, and only until on_config.
    prepare_plugin(project, config, release=release, date=date, output_cache=output_cache)
    refuse_unsafe_inputs(project, config)
    staging: Path | None = None
    try:
        staging = make_staging_dir(target)
        with stage("mkdocs"):
            run_mkdocs(config, staging)
        with stage("swap"):
            keep_unchanged_times(staging, target)
            check_site_dir(project.root, target)  # again: the build took a while
            replace_directory(staging, target)
    except OSError as error:
        discard_own_staging(target)
        raise output_error(error, target, staging) from None
    except BaseException:
        # by our process id, not by `staging`: Ctrl-C may come before the name is returned
        discard_own_staging(target)
        raise
    return target


def prepare_plugin(project: Project, config: MkDocsConfig, *, release: str | None,
                   date: dt.date | None, output_cache: Path | None = None) -> None:
    """Assemble the review, gather the version, and hand both to the plugin (if listed)."""
    site = assemble_site(project, output_cache)
    version = build_version(project, site, release, date)
    plugin = config.plugins.get(PLUGIN_NAME)
    if isinstance(plugin, LivingReviewPlugin):
        plugin.prepare(site, version, date_given=date is not None, output_cache=output_cache)


def keep_unchanged_times(staging: Path, target: Path) -> int:
    """Give each staged file that is byte-identical to its live twin the twin's times.

    Returns how many files changed (new or different), which is what a rebuild really rewrote.
    """
    changed = 0
    for staged, relative in _regular_files(str(staging), ""):
        live = os.path.join(target, relative)
        try:
            twin = os.lstat(live)
        except OSError:
            twin = None
        if twin is not None and stat.S_ISREG(twin.st_mode) \
                and twin.st_size == staged.stat(follow_symlinks=False).st_size \
                and _same_bytes(staged.path, live):
            os.utime(staged.path, ns=(twin.st_atime_ns, twin.st_mtime_ns))
        else:
            changed += 1
    return changed


def _regular_files(folder: str, relative: str) -> Iterator[tuple[os.DirEntry[str], str]]:
    """Every regular file under `folder` with its path relative to it; links are not
    followed (one scandir per folder: a large site has tens of thousands of files)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            inside = os.path.join(relative, entry.name)
            if entry.is_dir(follow_symlinks=False):
                yield from _regular_files(entry.path, inside)
            elif entry.is_file(follow_symlinks=False):
                yield entry, inside


def _same_bytes(first: str, second: str) -> bool:
    with open(first, "rb") as one, open(second, "rb") as other:
        return one.read() == other.read()


def load_site_config(project: Project, target: Path, *, strict: bool,
                     offline: bool = False) -> MkDocsConfig:
    """The project's MkDocs settings for a build into `target` (run_mkdocs points it at the
    staging folder)."""
    if not project.mkdocs_file.is_file():
        raise BuildError(f"{project.display(project.mkdocs_file)}: not found (run from the "
                         "project folder or pass --project)")
    try:
        overrides = offline_site.CONFIG_OVERRIDES if offline else {}
        config = load_config(str(project.mkdocs_file), site_dir=str(target), strict=strict,
                             **overrides)
        if offline:
            offline_site.add_offline_plugin(config)
    except MkDocsException as error:
        raise BuildError(f"MkDocs failed: {error}") from None
    return config


def run_mkdocs(config: MkDocsConfig, site_dir: Path) -> None:
    """MkDocs with our plugin (prepared by prepare_plugin), writing into `site_dir`."""
    config.site_dir = str(site_dir)
    try:
        with mkdocs_log_level(logging.WARNING):
            mkdocs_build(config)
    except MkDocsException as error:
        raise BuildError(f"MkDocs failed: {error}") from None


def refuse_unsafe_inputs(project: Project, config: MkDocsConfig) -> None:
    """Stop before MkDocs opens a link out of the project, a pipe, a device or a socket."""
    problems = read_folder_problems(project.root, [config.docs_dir, config.theme.custom_dir])
    if problems:
        raise InvalidRecords(problems)


@contextlib.contextmanager
def mkdocs_log_level(level: int) -> Iterator[None]:
    """MkDocs logs each step at INFO: a build prints one summary line instead (WARNING), a
    preview shows where it serves and when it rebuilds (INFO). Warnings always show."""
    logger = logging.getLogger("mkdocs")
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)
