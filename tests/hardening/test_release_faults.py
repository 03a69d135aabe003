"""Hardening, release faults: a release killed or failing before mike's commit to gh-pages leaves
every branch, tag, HEAD, the index and the working tree as they were, and the same release can
simply be run again; `verify` reports tampering with a published version.

The repository has version 1.0 released; the study added and the field changed for 1.1 are
SYNTHETIC (tests/release_scenario.py).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from build_tools import gitrepo
from build_tools.cli import main
from build_tools.manifest import MANIFEST_PATH
from build_tools.project import Project
from build_tools.release import release
from tests.hardening.test_build_faults import _no_large_files
from tests.release_scenario import (
    DATE_1_0,
    DATE_1_1,
    add_synthetic_changes,
    git,
    new_repository,
)


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
    change(worktree / "1.0")
    git(worktree, "add", "-A")
    git(worktree, "commit", "-q", "-m", "Tamper with 1.0")
    git(root, "worktree", "remove", str(worktree))


def remove_a_page_and_add_a_script(folder: Path) -> None:
    (folder / "methods" / "index.html").unlink()
    (folder / "assets" / "extra.js").write_text("alert(1)\n", "utf-8")


def replace_the_manifest_with_garbage(folder: Path) -> None:
    (folder / MANIFEST_PATH).write_text("{not json\n", "utf-8")


def remove_the_manifest(folder: Path) -> None:
    (folder / MANIFEST_PATH).unlink()


TAMPERING: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "a page removed and a script added": (remove_a_page_and_add_a_script, [
        "methods/index.html: missing (listed in the manifest)",
        "assets/extra.js: not in the manifest (added after release)",
        "version 1.0 does NOT match its manifest: 0 changed, 1 missing, 1 added"]),
    "the manifest replaced by garbage": (replace_the_manifest_with_garbage, [
        "release/manifest.json: changed since release (sha256 differs)",
        "version 1.0 does NOT match its manifest: 1 changed, 0 missing, 0 added"]),
    "the manifest removed": (remove_the_manifest, [
        "release/manifest.json: missing (listed in the manifest)",
        "version 1.0 does NOT match its manifest: 0 changed, 1 missing, 0 added"]),
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
