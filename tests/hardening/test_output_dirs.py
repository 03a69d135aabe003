"""Hardening, output folders: a build replaces its site folder entirely, so it refuses every
folder whose loss would hurt (the project, a folder around it, its inputs, a folder of the
user's) with one line, before it touches anything; and it cleans up only folders it made.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.project import Project
from build_tools.site import staging
from build_tools.site.site_dir import MARKER, MARKER_TEXT, site_dir_refusal, site_path
from build_tools.site.staging import recover_interrupted_build
from tests.conftest import REPO, copy_project

pytestmark = pytest.mark.hardening


def tree(folder: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under `folder` (links not followed): its kind and its bytes or target."""
    found: dict[str, tuple[str, bytes | str]] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif path.is_dir():
            found[name] = ("folder", b"")
        else:
            found[name] = ("file", path.read_bytes())
    return found


@pytest.fixture
def nested(tmp_path: Path) -> Project:
    """A project at tmp_path/outer/review, so a folder around it can be named."""
    root = tmp_path / "outer" / "review"
    root.mkdir(parents=True)
    project = copy_project(REPO, root)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    (root / "notes.txt").write_text("uncommitted work\n", "utf-8")
    return project


def _folder_with(*names: str) -> Callable[[Project, Path], Path]:
    def make(project: Project, tmp_path: Path) -> Path:
        folder = tmp_path / "elsewhere"
        folder.mkdir()
        for name in names:
            if name.endswith("/"):
                (folder / name).mkdir()
                (folder / name / "keep.txt").write_text("keep\n", "utf-8")
            else:
                (folder / name).write_text("keep\n", "utf-8")
        return folder
    return make


def _linked_folder(project: Project, tmp_path: Path) -> Path:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    return tmp_path / "link"


def _marker_is_a_link(project: Project, tmp_path: Path) -> Path:
    folder = _folder_with("page.html")(project, tmp_path)
    (tmp_path / "marker").write_text(MARKER_TEXT, "utf-8")
    (folder / MARKER).symlink_to(tmp_path / "marker")
    return folder


ADVICE = "choose another --site-dir"
REFUSED: dict[str, tuple[Callable[[Project, Path], Path], str]] = {
    "the project folder": (
        lambda p, t: p.root, f"is the project folder; {ADVICE}, such as site/ inside it"),
    "the folder around the project": (
        lambda p, t: p.root.parent,
        "contains the project folder {root}; " + f"{ADVICE}, such as site/ inside the project"),
    "studies/": (
        lambda p, t: p.studies_dir,
        f"is the project's studies/ folder, which the build reads; {ADVICE}"),
    "a new folder inside studies/": (
        lambda p, t: p.studies_dir / "site",
        f"is inside the project's studies/ folder, which the build reads; {ADVICE}"),
    "docs/": (
        lambda p, t: p.root / "docs",
        f"is the project's docs/ folder, which the build reads; {ADVICE}"),
    ".git/": (
        lambda p, t: p.root / ".git",
        f"is the project's .git/ folder, which the build reads; {ADVICE}"),
    "a folder holding review.yaml": (
        _folder_with("review.yaml"),
        f"holds review.yaml, so it looks like a project, not a site, and a build would replace "
        f"it; {ADVICE}"),
    "a folder holding .git": (
        _folder_with(".git/"),
        f"holds .git, so it looks like a project, not a site, and a build would replace it; "
        f"{ADVICE}"),
    "a folder holding studies/": (
        _folder_with("studies/"),
        f"holds studies/, so it looks like a project, not a site, and a build would replace it; "
        f"{ADVICE}"),
    "a folder holding docs/": (
        _folder_with("docs/"),
        f"holds docs/, so it looks like a project, not a site, and a build would replace it; "
        f"{ADVICE}"),
    "a non-empty folder no build made": (
        _folder_with("thesis.tex"),
        f"is not empty and was not made by livingreview build (it has no {MARKER} file), so a "
        f"build would delete what is in it; empty it or {ADVICE}"),
    "a folder whose marker is a link": (
        _marker_is_a_link,
        f"is not empty and was not made by livingreview build (it has no {MARKER} file), so a "
        f"build would delete what is in it; empty it or {ADVICE}"),
    "a link to a folder": (_linked_folder, f"is a link; {ADVICE} (a plain folder)"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_build_refuses_a_site_folder_it_would_destroy_and_changes_nothing(
    case: str, nested: Project, tmp_path: Path, capsys
) -> None:
    make, reason = REFUSED[case]
    target = make(nested, tmp_path)
    before = tree(tmp_path)
    code = main(["build", "--project", str(nested.root), "--site-dir", str(target)])
    assert code == 1
    reason = reason.format(root=nested.root)
    assert capsys.readouterr() == (
        "", f"error: {target}: {reason} (the site was not written)\n")
    assert tree(tmp_path) == before


def test_the_file_system_root_is_refused_as_a_site_folder(nested: Project) -> None:
    """Checked on the rule alone: a test must never try to build into `/`."""
    assert site_dir_refusal(nested.root, site_path("/")) == (
        f"contains the project folder {nested.root}; {ADVICE}, such as site/ inside the project")


def test_build_refuses_dot_as_the_site_folder_from_inside_the_project(
    nested: Project, tmp_path: Path, monkeypatch, capsys
) -> None:
    """The issue's example: `livingreview build --site-dir .` used to replace the project."""
    monkeypatch.chdir(nested.root)
    before = tree(tmp_path)
    assert main(["build", "--site-dir", "."]) == 1
    assert capsys.readouterr().err == (
        f"error: {nested.root}: is the project folder; {ADVICE}, such as site/ inside it "
        "(the site was not written)\n")
    assert tree(tmp_path) == before


def test_a_refused_build_runs_no_generation_and_no_cleanup(
    nested: Project, tmp_path: Path, capsys
) -> None:
    """Leftover-looking folders beside a refused target stay: the refusal comes first."""
    target = _folder_with("thesis.tex")(nested, tmp_path)
    (tmp_path / ".elsewhere-new-abc123").mkdir()
    before = tree(tmp_path)
    assert main(["build", "--project", str(nested.root), "--site-dir", str(target)]) == 1
    assert tree(tmp_path) == before
    capsys.readouterr()


def test_mkdocs_build_with_the_plugin_refuses_the_same_folders(
    nested: Project, tmp_path: Path
) -> None:
    """`mkdocs build -d studies` would empty studies/ (MkDocs cleans its site_dir)."""
    before = tree(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(nested.mkdocs_file),
         "-d", str(nested.studies_dir)],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert (f"site_dir {nested.studies_dir}: is the project's studies/ folder, which the build "
            f"reads; {ADVICE} (the site was not written)") in result.stderr
    assert tree(tmp_path) == before


def test_an_empty_folder_is_accepted_and_marked_as_a_site(
    project: Project, tmp_path: Path, capsys
) -> None:
    """An existing empty folder is fine; the site gets the marker that lets it be rebuilt."""
    target = tmp_path / "out"
    target.mkdir()
    assert main(["build", "--project", str(project.root), "--site-dir", str(target)]) == 0
    assert (target / "index.html").is_file()
    assert (target / MARKER).read_text("utf-8") == MARKER_TEXT
    capsys.readouterr()


# --- leftovers of killed builds: only our own folders are ever removed -------------------------

def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _marked(folder: Path) -> Path:
    folder.mkdir()
    (folder / MARKER).write_text(MARKER_TEXT, "utf-8")
    (folder / "index.html").write_text("<p>old site</p>\n", "utf-8")
    return folder


def test_leftover_cleanup_removes_only_empty_or_marked_folders(tmp_path: Path) -> None:
    pid = _dead_pid()
    target = _marked(tmp_path / "site")
    ours_new = _marked(tmp_path / f".site-new-{pid}-a1b2c3d4")
    ours_empty = tmp_path / f".site-old-{pid}-e5f6g7h8"
    ours_empty.mkdir()
    users = tmp_path / ".site-old-backup"  # named like a leftover, but the user's
    users.mkdir()
    (users / "thesis.tex").write_text("years of work\n", "utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n", "utf-8")
    (tmp_path / f".site-new-{pid}-linkzz").symlink_to(outside, target_is_directory=True)
    (tmp_path / f".site-old-{pid}-filezz").write_text("a file, not a folder\n", "utf-8")
    before = tree(tmp_path)

    removed = recover_interrupted_build(target)

    assert sorted(removed) == sorted([ours_new, ours_empty])
    after = tree(tmp_path)
    gone = {name for name in before if name.startswith((ours_new.name, ours_empty.name))}
    assert after == {name: entry for name, entry in before.items() if name not in gone}


def test_an_unmarked_leftover_is_never_put_in_place_of_a_missing_site(tmp_path: Path) -> None:
    users = tmp_path / ".site-old-backup"
    users.mkdir()
    (users / "thesis.tex").write_text("years of work\n", "utf-8")
    before = tree(tmp_path)
    assert recover_interrupted_build(tmp_path / "site") == []
    assert tree(tmp_path) == before


def test_a_marked_site_set_aside_is_put_back(tmp_path: Path) -> None:
    set_aside = _marked(tmp_path / f".site-old-{_dead_pid()}-0a1b2c3d")
    assert recover_interrupted_build(tmp_path / "site") == []
    assert not set_aside.exists()
    assert (tmp_path / "site" / "index.html").read_text("utf-8") == "<p>old site</p>\n"


# -- Removing the old site after the swap ----------------------------------------------------

def _site_with_pages(folder: Path, pages: int) -> Path:
    _marked(folder)
    for number in range(pages):
        page = folder / "studies" / f"s{number}"
        page.mkdir(parents=True)
        (page / "index.html").write_text(f"<p>{number}</p>\n", "utf-8")
    return folder


def _wait_until_gone(path: Path, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not path.exists()


SITE_NAMES = ["site", "my-old-site", "x-gone-old-new-1-a"]  # names that look like leftovers


@pytest.mark.parametrize("site_name", SITE_NAMES)
@pytest.mark.parametrize("background_from", [10**9, 5])  # removed here; by a detached process
def test_the_old_site_is_removed_and_nothing_else(tmp_path: Path, background_from: int,
                                                  site_name: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "BACKGROUND_FROM", background_from)
    target = _site_with_pages(tmp_path / site_name, 20)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n", "utf-8")
    (target / "studies" / "link").symlink_to(outside, target_is_directory=True)
    new = _site_with_pages(tmp_path / f".{site_name}-new-1-abcdefgh", 3)
    (tmp_path / "neighbour.txt").write_text("the user's\n", "utf-8")

    staging.replace_directory(new, target)

    assert sorted(p.name for p in (target / "studies").iterdir()) == ["s0", "s1", "s2"]
    assert all(_wait_until_gone(p) for p in tmp_path.iterdir() if p.name.startswith("."))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["neighbour.txt", "outside",
                                                                 site_name])
    assert (outside / "keep.txt").read_text("utf-8") == "keep\n"  # a link is not followed


def test_an_old_site_being_removed_is_never_put_back(tmp_path: Path) -> None:
    """A `gone` folder (a removal stopped half-way) is removed by the next build, even when
    there is no site to put back; its marker is removed last, so it is still known as ours."""
    gone = _site_with_pages(tmp_path / f".site-gone-{_dead_pid()}-0a1b2c3d", 2)
    for page in (gone / "studies").iterdir():  # half-way: the pages went first
        staging.remove_tree(page)
    assert (gone / MARKER).exists()
    assert recover_interrupted_build(tmp_path / "site") == [gone]
    assert not (tmp_path / "site").exists() and not gone.exists()


@pytest.mark.parametrize("site_name", SITE_NAMES)
def test_an_old_site_whose_removal_never_ran_is_removed_by_the_next_build(
        tmp_path: Path, site_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name the old site gets after the swap is one the next build knows as a leftover of
    this site, whatever the site is called."""
    monkeypatch.setattr(staging, "BACKGROUND_FROM", 5)
    monkeypatch.setattr(staging, "_remove_detached", lambda folder: True)  # started, then lost
    target = _site_with_pages(tmp_path / site_name, 20)
    staging.replace_directory(_site_with_pages(tmp_path / f".{site_name}-new-1-abcdefgh", 3),
                              target)
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert len(left) == 1 and "-gone-" in left[0].name
    assert recover_interrupted_build(target) == left
    assert sorted(p.name for p in tmp_path.iterdir()) == [site_name]
