"""Manifests: sha256 of every published file, and `livingreview verify` against gh-pages."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.errors import ReleaseError
from build_tools.release.published import verify
from build_tools.versions.manifest import (
    CHANGED,
    MANIFEST_PATH,
    manifest_bytes,
    manifest_for,
    verify_files,
)
from tests.release_scenario import Scenario, git, two_releases


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return two_releases(tmp_path_factory.mktemp("manifest"))


def alter_published_file(root: Path, path: str, worktree: Path) -> None:
    """Commit a change to one published file on gh-pages, as a careless hand edit would."""
    git(root, "worktree", "add", "-q", str(worktree), "gh-pages")
    target = worktree / path
    target.write_bytes(target.read_bytes().replace(b"</body>", b"<!-- edited --></body>"))
    git(worktree, "commit", "-q", "-am", "Edit a released page by hand")
    git(root, "worktree", "remove", str(worktree))


def test_manifest_lists_every_file_but_itself() -> None:
    files = {"index.html": b"<p>1</p>", "a/b.json": b"{}", MANIFEST_PATH: b"old"}
    manifest = manifest_for(files, "1.0")
    assert manifest == {"version": "1.0", "algorithm": "sha256", "files": {
        "a/b.json": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        "index.html": "16de9dfa12664d7331c84ac261051ef5ebe566d03dae3faf5e45825fb04bcdbc"}}
    assert json.loads(manifest_bytes(manifest)) == manifest


def test_verify_files_reports_changed_missing_and_added_files() -> None:
    files = {"index.html": b"one", "gone.html": b"two"}
    published = {**files, MANIFEST_PATH: manifest_bytes(manifest_for(files, "2.0"))}
    published["index.html"] = b"edited"
    del published["gone.html"]
    published["new.html"] = b"three"
    result = verify_files(published, "2.0")
    assert not result.ok
    assert result.lines() == [
        "index.html: changed since release (sha256 differs)",
        "gone.html: missing (listed in the manifest)",
        "new.html: not in the manifest (added after release)",
        "version 2.0 does NOT match what was released: 1 changed, 1 missing, 1 added",
    ]


def test_release_publishes_the_manifest_and_data_snapshot(scenario: Scenario) -> None:
    root = scenario.project.root
    manifest = json.loads(git(root, "show", f"gh-pages:1.1/{MANIFEST_PATH}"))
    assert manifest["version"] == "1.1"
    assert "index.html" in manifest["files"] and "release/data.json" in manifest["files"]
    assert git(root, "show", "gh-pages:1.1/release/data.json") == git(
        root, "show", "v1.1:releases/1.1/data.json")


@contextlib.contextmanager
def tampered(root: Path, worktree: Path, change: Callable[[Path], None]) -> Iterator[None]:
    """gh-pages with a hand change committed, put back afterwards for the other tests."""
    before = git(root, "rev-parse", "gh-pages").strip()
    git(root, "worktree", "add", "-q", str(worktree), "gh-pages")
    change(worktree)
    git(worktree, "add", "-A")
    git(worktree, "commit", "-q", "-m", "Tamper with the published site")
    git(root, "worktree", "remove", str(worktree))
    try:
        yield
    finally:
        git(root, "update-ref", "refs/heads/gh-pages", before)


def roll_latest_back_to_1_0(pages: Path) -> None:
    shutil.rmtree(pages / "latest")
    shutil.copytree(pages / "1.0", pages / "latest")


def test_verify_catches_latest_rolled_back_to_an_older_version(
    scenario: Scenario, tmp_path: Path
) -> None:
    with tampered(scenario.project.root, tmp_path / "pages", roll_latest_back_to_1_0):
        lines = verify(scenario.project, "1.0").lines()
    assert "latest/release/manifest.json: changed since release (differs from the manifest of " \
           "1.1)" in lines
    assert "latest/studies/synthetic-test-study/index.html: missing (listed in the manifest)" \
           in lines
    assert "latest/cite/living-review-1.0.bib: not in the manifest (added after release)" in lines
    assert all(line.startswith("latest/") for line in lines[:-1])
    assert lines[-1].startswith("version 1.0 does NOT match what was released: ")
    assert verify(scenario.project, "1.0").ok


def rewrite_versions(change: Callable[[list[dict]], list[dict]]) -> Callable[[Path], None]:
    def rewrite(pages: Path) -> None:
        path = pages / "versions.json"
        path.write_text(json.dumps(change(json.loads(path.read_text("utf-8")))), "utf-8")
    return rewrite


@pytest.mark.parametrize(("change", "why"), [
    (lambda versions: versions[:1], "does not list 1.0"),
    (lambda versions: versions[::-1], "not newest first: 1.1, 1.0"),
    (lambda versions: [*versions, versions[1]], "lists a version twice"),
    (lambda versions: [{**versions[0], "aliases": []}, {**versions[1], "aliases": ["latest"]}],
     'aliases of 1.1 is [], released as ["latest"]; aliases of 1.0 is ["latest"], released '
     'as []'),
    (lambda versions: [{"version": "1.1"}, versions[1]],
     'aliases of 1.1 is none, released as ["latest"]; title of 1.1 is none, released as '
     '"1.1 (2026-03-01)"'),
    (lambda versions: {"versions": versions}, "not the list of versions mike writes"),
], ids=["a version dropped", "oldest first", "a version twice", "latest on the older version",
        "an entry without its fields", "an object"])
def test_verify_reports_how_versions_json_differs(
    scenario: Scenario, tmp_path: Path, change: Callable[[list[dict]], list[dict]], why: str
) -> None:
    with tampered(scenario.project.root, tmp_path / "pages", rewrite_versions(change)):
        assert verify(scenario.project, "1.0").lines() == [
            f"versions.json: changed since release ({why})",
            "version 1.0 does NOT match what was released: 1 changed, 0 missing, 0 added"]


def test_verify_passes_then_fails_after_a_file_of_1_0_is_altered(
    scenario: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = scenario.project
    count = len(scenario.files_1_0_before) - 1
    assert main(["verify", "1.0", "--project", str(project.root)]) == 0
    assert capsys.readouterr().out == (
        f"version 1.0: all {count} files match the manifest; latest/ (a copy of 1.1), "
        "index.html and versions.json are as released\n")
    alter_published_file(project.root, "1.0/methods/index.html", tmp_path / "pages")
    assert main(["verify", "1.0", "--project", str(project.root)]) == 1
    assert capsys.readouterr().out == (
        "1.0/methods/index.html: changed since release (sha256 differs)\n"
        "version 1.0 does NOT match what was released: 1 changed, 0 missing, 0 added\n")
    assert verify(project, "1.1").ok


def test_verify_catches_a_rewritten_manifest_through_the_tag(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Whoever edits a page and rewrites the manifest still disagrees with the signed-off tag."""
    root = scenario.project.root
    worktree = tmp_path / "pages"
    git(root, "worktree", "add", "-q", str(worktree), "gh-pages")
    subprocess.run(["git", "-C", str(worktree), "rm", "-q", "1.1/cite/living-review-1.1.ris"],
                   check=True)
    folder = worktree / "1.1"
    files = {p.relative_to(folder).as_posix(): p.read_bytes()
             for p in folder.rglob("*") if p.is_file()}
    (folder / MANIFEST_PATH).write_bytes(manifest_bytes(manifest_for(files, "1.1")))
    git(worktree, "commit", "-q", "-am", "Remove a file and rewrite the manifest")
    git(root, "worktree", "remove", str(worktree))
    result = verify(scenario.project, "1.1")
    assert result.lines() == [  # latest/ still matches the manifest recorded in the tag
        f"1.1/{MANIFEST_PATH}: changed since release (sha256 differs from the one recorded in "
        "tag v1.1)",
        "version 1.1 does NOT match what was released: 1 changed, 0 missing, 0 added"]
    assert result.paths(CHANGED) == (f"1.1/{MANIFEST_PATH}",)


def test_verify_refuses_an_unpublished_version(scenario: Scenario) -> None:
    with pytest.raises(ReleaseError, match=r"^version 3.0 is not published on the gh-pages"):
        verify(scenario.project, "3.0")
