"""Hardening, release faults: a release killed or failing before mike's commit to gh-pages leaves
every branch, tag, HEAD, the index and the working tree as they were, and the same release can
simply be run again; `verify` reports tampering with a published version.

The repository has version 1.0 released; the study added and the field changed for 1.1 are
SYNTHETIC (tests/release_scenario.py).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core import gitrepo
from build_tools.core.project import Project
from build_tools.release.release import release
from build_tools.versions.manifest import MANIFEST_PATH, manifest_bytes, manifest_for, read_tree
from tests.hardening.test_build_faults import _no_large_files
from tests.release_scenario import (
    DATE_1_0,
    DATE_1_1,
    add_synthetic_changes,
    git,
    new_repository,
)

pytestmark = pytest.mark.hardening


@pytest.fixture(scope="module")
def released_1_0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with 1.0 released and synthetic changes committed for 1.1 (built once)."""
    project = new_repository(tmp_path_factory.mktemp("release-faults") / "repo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", DATE_1_0)
        release(project, "1.0", "First release")
    add_synthetic_changes(project)
    return project.root


@pytest.fixture
def repo(released_1_0: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A copy of that repository for one test; temporary folders go to tmp_path/tmp."""
    shutil.copytree(released_1_0, tmp_path / "repo", symlinks=True)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DATE_1_1)
    return Project.at(tmp_path / "repo")


def state(project: Project) -> dict[str, str]:
    """Everything a release that did not finish must leave alone, byte for byte."""
    root = project.root
    return {"refs": git(root, "for-each-ref"), "head": git(root, "rev-parse", "HEAD"),
            "branch": git(root, "symbolic-ref", "HEAD"),
            "index": git(root, "ls-files", "--stage"),
            "status": git(root, "status", "--porcelain", "--ignored", "--untracked-files=all"),
            "stash": git(root, "stash", "list")}


def release_command(project: Project, version: str) -> list[str]:
    return [sys.executable, "-m", "build_tools", "release", version, "-m", "Search update",
            "--project", str(project.root)]


def assert_release_1_1_works(project: Project, start: str, capsys) -> None:
    """The interrupted release, run again, publishes 1.1 with one release commit."""
    assert main(["release", "1.1", "-m", "Search update", "--project", str(project.root)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith(
        "Released version 1.1 (2026-03-01) from commit ")
    root = project.root
    assert git(root, "rev-list", f"{start}..HEAD").split() == [git(root, "rev-parse", "HEAD")
                                                                .strip()]
    assert git(root, "show", "-s", "--format=%s", "HEAD").strip() == "Release 1.1: Search update"
    assert git(root, "rev-list", "-n", "1", "v1.1").strip() == git(root, "rev-parse",
                                                                   "HEAD").strip()
    assert git(root, "status", "--porcelain") == ""
    assert main(["verify", "1.1", "--project", str(root)]) == 0
    assert main(["verify", "1.0", "--project", str(root)]) == 0
    capsys.readouterr()


def staged(tmp: Path, pattern: str) -> Path | None:
    found = sorted(tmp.glob(pattern))
    return found[0] if found else None


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "as its staging folder appears": lambda tmp: staged(tmp, "livingreview-release-*") is not None,
    "once the release files are written in its export": lambda tmp: staged(
        tmp, "livingreview-release-*/source/releases/1.1/data.json") is not None,
    "while MkDocs writes the site": lambda tmp: staged(
        tmp, "livingreview-release-site-*/.site-new-*/assets") is not None,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_release_killed_before_its_gh_pages_commit_changes_nothing(
    point: str, repo: Project, tmp_path: Path, capsys
) -> None:
    before = state(repo)
    process = subprocess.Popen(release_command(repo, "1.1"), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    reached = KILL_POINTS[point]
    while process.poll() is None:
        if reached(tmp_path / "tmp"):
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    assert process.wait() == -signal.SIGKILL, "the release ended before it could be killed"
    assert state(repo) == before
    assert_release_1_1_works(repo, before["head"].strip(), capsys)


def test_a_failing_build_leaves_the_repository_as_it_was(repo: Project, capsys,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    mkdocs = repo.mkdocs_file.read_text("utf-8")
    assert "  name: material\n" in mkdocs
    repo.mkdocs_file.write_text(mkdocs.replace("  name: material\n", "  name: no-such-theme\n"))
    git(repo.root, "commit", "-q", "-am", "A theme that is not installed")
    before = state(repo)
    assert main(["release", "1.1", "--project", str(repo.root)]) == 1
    assert capsys.readouterr().err == "error: MkDocs failed: Aborted with a configuration error!\n"
    assert [r.getMessage().split(". ")[0] for r in caplog.records if r.levelname == "ERROR"] == [
        "Config value 'theme': Unrecognised theme name: 'no-such-theme'"]  # once, then its list
    assert state(repo) == before
    assert not gitrepo.ref_exists(repo.root, "refs/tags/v1.1")

    git(repo.root, "revert", "--no-edit", "HEAD")
    assert_release_1_1_works(repo, git(repo.root, "rev-parse", "HEAD").strip(), capsys)


def test_a_full_disk_during_the_build_gives_one_clear_line_and_changes_nothing(
    repo: Project, tmp_path: Path, capsys
) -> None:
    before = state(repo)
    result = subprocess.run(release_command(repo, "1.1"), preexec_fn=_no_large_files,
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert re.fullmatch(
        rf"error: could not write {re.escape(str(tmp_path / 'tmp'))}/livingreview-release-site-"
        r"\w+/site/assets/[\w./-]+: File too large; free some disk space or raise the file size "
        r"limit \(ulimit -f\), then build again \(the previous site was not changed\)\n",
        result.stderr)
    assert state(repo) == before
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == []  # cleaned up
    assert_release_1_1_works(repo, before["head"].strip(), capsys)


def tamper(root: Path, worktree: Path, change: Callable[[Path], None]) -> None:
    """Commit a hand change to gh-pages, as someone editing the published branch would."""
    git(root, "worktree", "add", "-q", str(worktree), "gh-pages")
    change(worktree)
    git(worktree, "add", "-A")
    git(worktree, "commit", "-q", "-m", "Tamper with the published site")
    git(root, "worktree", "remove", str(worktree))


def remove_a_page_and_add_a_script(pages: Path) -> None:
    (pages / "1.0" / "methods" / "index.html").unlink()
    (pages / "1.0" / "assets" / "extra.js").write_text("alert(1)\n", "utf-8")


def replace_the_manifest_with_garbage(pages: Path) -> None:
    (pages / "1.0" / MANIFEST_PATH).write_text("{not json\n", "utf-8")


def remove_the_manifest(pages: Path) -> None:
    (pages / "1.0" / MANIFEST_PATH).unlink()


def edit_a_page(folder: Path) -> None:
    page = folder / "methods" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>Edited by hand</p></body>"))


def edit_a_page_of_latest(pages: Path) -> None:
    edit_a_page(pages / "latest")


def rewrite_latest_with_its_manifest(pages: Path) -> None:
    """Remove a page, add a script and write latest/'s manifest to match: only 1.0's tells."""
    folder = pages / "latest"
    (folder / "methods" / "index.html").unlink()
    (folder / "assets" / "extra.js").write_text("alert(1)\n", "utf-8")
    (folder / MANIFEST_PATH).write_bytes(manifest_bytes(manifest_for(read_tree(folder), "1.0")))


def remove_latest(pages: Path) -> None:
    shutil.rmtree(pages / "latest")


def redirect_elsewhere(pages: Path) -> None:
    index = pages / "index.html"
    index.write_text(index.read_text("utf-8").replace("latest/", "https://example.invalid/"),
                     "utf-8")


def remove_the_redirect(pages: Path) -> None:
    (pages / "index.html").unlink()


def retitle_and_hide_1_0(pages: Path) -> None:
    listing = pages / "versions.json"
    versions = json.loads(listing.read_text("utf-8"))
    versions[0]["title"] = "1.0 (withdrawn)"
    versions[0]["properties"] = {"hidden": True}
    listing.write_text(json.dumps(versions, indent=2) + "\n", "utf-8")


def replace_versions_with_garbage(pages: Path) -> None:
    (pages / "versions.json").write_text("{not json\n", "utf-8")


def remove_versions(pages: Path) -> None:
    (pages / "versions.json").unlink()


def publish_an_unreleased_2_0_as_latest(pages: Path) -> None:
    """A whole fake version, consistent with itself, made the one readers land on."""
    shutil.copytree(pages / "1.0", pages / "2.0")
    edit_a_page(pages / "2.0")
    (pages / "2.0" / MANIFEST_PATH).write_bytes(
        manifest_bytes(manifest_for(read_tree(pages / "2.0"), "2.0")))
    shutil.rmtree(pages / "latest")
    shutil.copytree(pages / "2.0", pages / "latest")
    listing = pages / "versions.json"
    versions = json.loads(listing.read_text("utf-8"))
    versions[0]["aliases"] = []
    versions.insert(0, {"version": "2.0", "title": "2.0 (2026-02-01)", "aliases": ["latest"]})
    listing.write_text(json.dumps(versions, indent=2) + "\n", "utf-8")


def summary(changed: int, missing: int, added: int) -> str:
    return (f"version 1.0 does NOT match what was released: {changed} changed, {missing} "
            f"missing, {added} added")


TAMPERING: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "a page removed and a script added": (remove_a_page_and_add_a_script, [
        "1.0/methods/index.html: missing (listed in the manifest)",
        "1.0/assets/extra.js: not in the manifest (added after release)",
        summary(0, 1, 1)]),
    "the manifest replaced by garbage": (replace_the_manifest_with_garbage, [
        "1.0/release/manifest.json: changed since release (not a manifest any more)",
        summary(1, 0, 0)]),
    "the manifest removed": (remove_the_manifest, [
        "1.0/release/manifest.json: missing (listed in the manifest)",
        summary(0, 1, 0)]),
    "a page of latest/ edited": (edit_a_page_of_latest, [
        "latest/methods/index.html: changed since release (sha256 differs)",
        summary(1, 0, 0)]),
    "latest/ changed and its manifest rewritten to match": (rewrite_latest_with_its_manifest, [
        "latest/release/manifest.json: changed since release (differs from the manifest of 1.0)",
        "latest/methods/index.html: missing (listed in the manifest)",
        "latest/assets/extra.js: not in the manifest (added after release)",
        summary(1, 1, 1)]),
    "latest/ removed": (remove_latest, [
        "latest/: missing (the copy of the newest version, 1.0)",
        summary(0, 1, 0)]),
    "the root redirect pointed elsewhere": (redirect_elsewhere, [
        "index.html: changed since release (it is not mike's redirect to latest/)",
        summary(1, 0, 0)]),
    "the root redirect removed": (remove_the_redirect, [
        "index.html: missing (mike's redirect to latest/)",
        summary(0, 1, 0)]),
    "versions.json retitling and hiding 1.0": (retitle_and_hide_1_0, [
        'versions.json: changed since release (properties of 1.0 is {"hidden": true}, released '
        'as none; title of 1.0 is "1.0 (withdrawn)", released as "1.0 (2026-01-15)")',
        summary(1, 0, 0)]),
    "versions.json replaced by garbage": (replace_versions_with_garbage, [
        "versions.json: changed since release (not the list of versions mike writes)",
        summary(1, 0, 0)]),
    "versions.json removed": (remove_versions, [
        "versions.json: missing (the list the version selector shows)",
        summary(0, 1, 0)]),
    "an unreleased version 2.0 published as latest": (publish_an_unreleased_2_0_as_latest, [
        "2.0/: never released (no releases/2.0/release.yaml in this checkout; verify from an "
        "up-to-date checkout of the main branch)",
        "latest/methods/index.html: changed since release (sha256 differs)",
        "latest/release/manifest.json: changed since release (differs from the manifest of 1.0)",
        "versions.json: changed since release (lists '2.0', which was never released; aliases "
        'of 1.0 is [], released as ["latest"])',
        summary(3, 0, 1)]),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_verify_reports_a_tampered_version(kind: str, repo: Project, tmp_path: Path,
                                           capsys) -> None:
    change, lines = TAMPERING[kind]
    tamper(repo.root, tmp_path / "pages", change)
    assert main(["verify", "1.0", "--project", str(repo.root)]) == 1
    assert capsys.readouterr().out.splitlines() == lines


def test_a_release_stopped_after_its_gh_pages_commit_is_finished_by_running_it_again(
    repo: Project, capsys
) -> None:
    """Killed between mike's commit and moving the branch: gh-pages has 1.1, HEAD and the tags
    do not. Made here by undoing those two steps of a finished release."""
    start = git(repo.root, "rev-parse", "HEAD").strip()
    published = release(repo, "1.1", "Search update")
    tag_message = git(repo.root, "tag", "-l", "--format=%(contents)", "v1.1")
    git(repo.root, "tag", "-d", "v1.1")
    git(repo.root, "reset", "-q", "--hard", start)
    pages = git(repo.root, "rev-parse", "gh-pages")
    assert main(["release", "1.1", "-m", "Search update", "--project", str(repo.root)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"Released version 1.1 (2026-03-01) from commit {published.commit[:12]}, tagged v1.1")
    assert git(repo.root, "rev-parse", "HEAD").strip() == published.commit
    assert git(repo.root, "tag", "-l", "--format=%(contents)", "v1.1") == tag_message
    assert git(repo.root, "rev-parse", "gh-pages") == pages  # not deployed a second time
    assert git(repo.root, "status", "--porcelain") == ""


def test_a_release_stopped_after_its_gh_pages_commit_elsewhere_is_refused(
    repo: Project, capsys
) -> None:
    """If HEAD moved on since, the deployed version is not finished on top of something else."""
    start = git(repo.root, "rev-parse", "HEAD").strip()
    release(repo, "1.1", "Search update")
    git(repo.root, "tag", "-d", "v1.1")
    git(repo.root, "reset", "-q", "--hard", start)
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "Another change")
    before = state(repo)
    assert main(["release", "1.1", "--project", str(repo.root)]) == 1
    assert capsys.readouterr().err == (
        "error: version 1.1 already exists (on the gh-pages branch): a released version is never "
        "rebuilt or overwritten; publish a correction as a new version\n")
    assert state(repo) == before


def test_a_release_over_a_broken_versions_json_is_refused_in_one_line(
    repo: Project, tmp_path: Path, capsys
) -> None:
    tamper(repo.root, tmp_path / "pages", replace_versions_with_garbage)
    before = state(repo)
    assert main(["release", "1.1", "--project", str(repo.root)]) == 1
    assert capsys.readouterr().err == (
        "error: gh-pages:versions.json is not the list of versions mike writes (JSONDecodeError: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)); restore "
        "it from the branch's history (`git log gh-pages -- versions.json`) and check it with "
        "`livingreview verify`\n")
    assert state(repo) == before
