"""`livingreview release`: publish an immutable, citable version (`verify`, which proves it
later, is in published.py).

A release, in order: refuse (bad version, version exists, uncommitted changes, invalid records)
→ commit `releases/<version>/` + CITATION.cff + .zenodo.json → build that commit with the
release's date → deploy with mike to gh-pages as <version> and `latest` → move the branch to
the release commit → tag `v<version>` → push only when asked. Everything before the deploy
happens in a temporary export of the repository and a private index, so a release that fails
or is killed before mike's commit changes no branch, tag, index or working-tree file.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from build_tools.core import gitrepo
from build_tools.core.clock import source_date, today
from build_tools.core.errors import ReleaseError
from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.evidence.review import build_review
from build_tools.formats.version_citation import VersionCitation, citation_cff, zenodo_json
from build_tools.release import mike_site
from build_tools.site.build import build_site
from build_tools.versions.manifest import MANIFEST_PATH, sha256
from build_tools.versions.releases import (
    Release,
    check_version_text,
    data_snapshot,
    find_release,
    read_releases,
    releases_dir,
    version_key,
    write_release,
)

CITATION_FILE = "CITATION.cff"
ZENODO_FILE = ".zenodo.json"


@dataclass(frozen=True)
class Published:
    release: Release
    commit: str
    tag: str
    manifest_sha256: str
    pushed: bool


def tag_name(version: str) -> str:
    return f"v{version}"


def deploy_title(entry: Release) -> str:
    """The version's title in versions.json (Material's version selector shows it)."""
    return f"{entry.version} ({entry.date.isoformat()})"


def release_date() -> dt.date:
    """The one place a release consults the clock: SOURCE_DATE_EPOCH, else today (UTC).

    The date is then recorded in releases/<version>/release.yaml, and every later build of the
    version reads it from there.
    """
    return source_date() or today()


def check_releasable(project: Project, version: str) -> None:
    """Every reason to refuse, checked before anything is written."""
    check_version_text(version)
    gitrepo.top_level(project.root)
    remedy = ("a released version is never rebuilt or overwritten; publish a correction as a "
              "new version")
    if gitrepo.ref_exists(project.root, f"refs/tags/{tag_name(version)}"):
        raise ReleaseError(f"version {version} already exists (tag {tag_name(version)}): {remedy}")
    if mike_site.is_deployed(project.root, version):
        raise ReleaseError(f"version {version} already exists (on the {mike_site.BRANCH} "
                           f"branch): {remedy}")
    if (releases_dir(project) / version).exists():
        raise ReleaseError(f"version {version} already exists "
                           f"(releases/{version}/): {remedy}")
    releases = read_releases(project)
    if releases and version_key(version) <= releases[-1].key:
        raise ReleaseError(f"version {version} is not newer than the last release "
                           f"{releases[-1].version}; choose a higher version number")
    dirty = gitrepo.uncommitted(project.root)
    if dirty:
        listed = "\n".join(f"  {line}" for line in dirty[:20])
        raise ReleaseError("the working tree has uncommitted changes; commit or stash them "
                           f"before releasing:\n{listed}")


def is_prepared(project: Project, version: str) -> bool:
    """Tag v<version> is on HEAD with its release record: made by `release`, not yet deployed.

    This is what CI sees when a maintainer released locally and pushed the tag: the publish
    workflow then only rebuilds and deploys (see publish_prepared).
    """
    tag = f"refs/tags/{tag_name(version)}"
    return (gitrepo.ref_exists(project.root, tag)
            and gitrepo.text(project.root, "rev-list", "-n", "1", tag) == gitrepo.head(project.root)
            and (releases_dir(project) / version / "release.yaml").is_file()
            and not mike_site.is_deployed(project.root, version))


def publish_prepared(project: Project, version: str, *, push: bool = False,
                     remote: str = "origin") -> Published:
    """Deploy a tagged release, refusing unless the rebuild matches the manifest in its tag."""
    check_version_text(version)
    tag = tag_name(version)
    entry = find_release(project, version)
    commit = gitrepo.head(project.root)
    branch = f"refs/heads/{mike_site.BRANCH}"
    before = gitrepo.text(project.root, "rev-parse", branch) if gitrepo.ref_exists(
        project.root, branch) else None
    manifest = _deploy(project, entry, commit)
    if f"manifest sha256: {manifest}" not in gitrepo.tag_message(project.root, tag):
        if before is None:
            gitrepo.git(project.root, "update-ref", "-d", branch)
        else:
            gitrepo.git(project.root, "update-ref", branch, before)
        raise ReleaseError(f"the rebuild of {tag} differs from the release recorded in its tag "
                           f"(manifest {manifest[:12]}…); nothing was published. Rebuild it "
                           "where it was released, or publish a correction as a new version")
    if push:
        mike_site.push(project.root, remote)
    return Published(entry, commit, tag, manifest, push)


def release(project: Project, version: str, message: str = "", *, push: bool = False,
            remote: str = "origin", site_url: str | None = None) -> Published:
    """Publish `version`; see the module docstring for the steps."""
    if is_prepared(project, version):
        return publish_prepared(project, version, push=push, remote=remote)
    finished = finish_deployed(project, version, push=push, remote=remote)
    if finished is not None:
        return finished
    check_releasable(project, version)
    checked = check_project(project)
    schema = checked.valid_schema()
    records, validation = checked.records, checked.validation
    assert records.review is not None  # valid_schema() checked it
    entry = Release(version, release_date(), " ".join(message.split()))
    review = build_review(records.review)
    citation = VersionCitation.from_review(review, version, entry.date,
                                           site_url if site_url is not None else _site_url(project))
    start = gitrepo.head(project.root)
    top, prefix = gitrepo.top_level(project.root), gitrepo.prefix(project.root)
    staging = Path(tempfile.mkdtemp(prefix="livingreview-release-"))
    try:
        # The release is written, committed and built beside the repository: until mike's commit
        # to gh-pages nothing in it changes, so a release killed at any point before that leaves
        # the branch, the index and the working tree as they were.
        gitrepo.export(project.root, start, staging / "source")
        source = Project.at(staging / "source" / prefix)
        written = write_release(source, entry, data_snapshot(validation.tables,
                                                             review.document, schema))
        for name, content in ((CITATION_FILE, citation_cff(citation)),
                              (ZENODO_FILE, zenodo_json(citation))):
            (source.root / name).write_text(content, "utf-8")
            written.append(source.root / name)
        files = {prefix + path.relative_to(source.root).as_posix(): path for path in written}
        commit = gitrepo.commit_without_checkout(
            top, start, files,
            f"Release {version}" + (f": {entry.message}" if entry.message else ""))
        manifest = _deploy(source, entry, commit, repository=project.root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    gitrepo.fast_forward(project.root, commit)
    tag = _tag(project, entry, commit, manifest)
    if push:
        mike_site.push(project.root, remote)
        gitrepo.push(project.root, remote, ["HEAD", f"refs/tags/{tag}"])
    return Published(entry, commit, tag, manifest, push)


def finish_deployed(project: Project, version: str, *, push: bool = False,
                    remote: str = "origin") -> Published | None:
    """Finish a release stopped after mike's commit to gh-pages but before the branch moved to
    its release commit and the tag was made: do those two steps now (None: nothing to finish).

    The release commit is found through mike's message, "Release <version> from <commit>"; it
    must be a child of HEAD, so a release is only ever finished where it was started."""
    check_version_text(version)
    tag = tag_name(version)
    if gitrepo.ref_exists(project.root, f"refs/tags/{tag}") \
            or not mike_site.is_deployed(project.root, version):
        return None
    subjects = gitrepo.text(project.root, "log", "--format=%s", "-n", "20", mike_site.BRANCH)
    match = re.search(rf"^Release {re.escape(version)} from ([0-9a-f]{{12}})$", subjects, re.M)
    if match is None or not gitrepo.ref_exists(project.root, f"{match[1]}^{{commit}}"):
        return None
    commit = gitrepo.text(project.root, "rev-parse", f"{match[1]}^{{commit}}")
    if gitrepo.text(project.root, "rev-parse", f"{commit}^") != gitrepo.head(project.root) \
            or gitrepo.uncommitted(project.root):
        return None
    files = gitrepo.read_tree(project.root, mike_site.BRANCH, version)
    manifest = sha256(files[MANIFEST_PATH])
    gitrepo.fast_forward(project.root, commit)
    entry = find_release(project, version)
    _tag(project, entry, commit, manifest)
    if push:
        mike_site.push(project.root, remote)
        gitrepo.push(project.root, remote, ["HEAD", f"refs/tags/{tag}"])
    return Published(entry, commit, tag, manifest, push)


def _tag(project: Project, entry: Release, commit: str, manifest: str) -> str:
    """Tag the release commit; the tag records the manifest's sha256 for `verify` and CI."""
    tag = tag_name(entry.version)
    gitrepo.tag(project.root, tag, commit,
                f"Release {entry.version} ({entry.date.isoformat()})\n\n{entry.message}\n\n"
                f"manifest sha256: {manifest}\n")
    return tag


def _site_url(project: Project) -> str | None:
    """The published address, from mkdocs.yml (`site_url`), used in citations."""
    logger = logging.getLogger("mkdocs.config")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # a broken mkdocs.yml is reported once, by the build
    try:
        return load_config(str(project.mkdocs_file)).site_url or None
    except (OSError, MkDocsException):
        return None
    finally:
        logger.setLevel(level)


def _deploy(project: Project, entry: Release, commit: str, repository: Path | None = None) -> str:
    """Build the release commit (checked out at `project`) with its date and publish it to the
    gh-pages branch of `repository` (default: the project's); returns the manifest's sha256."""
    staging = Path(tempfile.mkdtemp(prefix="livingreview-release-site-"))
    site_dir = staging / "site"
    try:
        mike_site.deploy(
            repository or project.root, entry.version,
            title=deploy_title(entry),
            message=f"Release {entry.version} from {commit[:12]}",
            build=lambda target: build_site(project, site_dir=target, release=entry.version,
                                            date=entry.date),
            site_dir=site_dir,
        )
        return sha256((site_dir / MANIFEST_PATH).read_bytes())
    finally:
        shutil.rmtree(staging, ignore_errors=True)
