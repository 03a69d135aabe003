"""All contact with mike (https://github.com/jimporter/mike): the published versions on `gh-pages`.

We call mike's Python API rather than its command line, so the site is built by our own
in-process MkDocs run (with the release's data and date) and mike only commits the result.
mike runs git in the current folder, hence `_inside`. The `latest` alias is a copy, not a
symlink: GitHub Pages and Netlify do not follow symlinks.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from mike import commands as mike_commands
from mike import git_utils

from build_tools.core.errors import DeployError

BRANCH = "gh-pages"
LATEST = "latest"
VERSIONS_FILE = mike_commands.versions_file  # versions.json, read by the version selector


@contextlib.contextmanager
def _inside(root: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(previous)


def deployed_versions(root: Path) -> list[dict[str, object]]:
    """versions.json of the gh-pages branch, newest first ([] when nothing is published)."""
    with _inside(root):
        try:
            return [info.to_json() for info in mike_commands.list_versions(BRANCH)]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise DeployError(f"{BRANCH}:{VERSIONS_FILE} is not the list of versions mike "
                              f"writes ({type(error).__name__}: {error}); restore it from the "
                              f"branch's history (`git log {BRANCH} -- {VERSIONS_FILE}`) and "
                              "check it with `livingreview verify`") from None


def root_redirect() -> bytes:
    """The root index.html mike writes when `latest` is the default: a redirect to latest/."""
    return mike_commands._redirect_template().render(href=f"{LATEST}/").encode("utf-8")


def versions_entry(version: str, title: str, aliases: list[str]) -> dict[str, object]:
    """One entry of versions.json as mike writes it for us (no properties)."""
    return {"version": version, "title": title, "aliases": aliases}


def is_deployed(root: Path, version: str) -> bool:
    return any(v["version"] == version for v in deployed_versions(root))


def deploy(root: Path, version: str, title: str, message: str,
           build: Callable[[Path], object], site_dir: Path, *,
           use_directory_urls: bool = True) -> None:
    """Build into `site_dir` with `build`, then commit it as `version` and make it `latest`.

    mike writes one commit at the end, so a failed build leaves gh-pages untouched.
    """
    config = {"site_dir": str(site_dir), "use_directory_urls": use_directory_urls}
    try:
        with _inside(root):
            with mike_commands.deploy(config, version, title=title, aliases=[LATEST],
                                      update_aliases=True,
                                      alias_type=mike_commands.AliasType.copy,
                                      branch=BRANCH, message=message):
                build(site_dir)
            with contextlib.suppress(git_utils.GitEmptyCommit):  # already the default
                mike_commands.set_default(LATEST, branch=BRANCH,
                                          message=f"Make {LATEST} the default version")
    except (git_utils.GitError, ValueError) as error:
        raise DeployError(f"mike could not publish version {version}: {error}") from None


def push(root: Path, remote: str) -> None:
    with _inside(root):
        try:
            git_utils.push_branch(remote, BRANCH)
        except git_utils.GitError as error:
            raise DeployError(f"could not push {BRANCH} to {remote}: {error}") from None
