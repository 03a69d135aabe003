"""Hardening, faults during a build: a killed build, a full disk or a file in the way never
damage the previous site or the cache, and the next build cleans up after a killed one.

The extra studies are synthetic (made by `add_synthetic_studies`), so that a build writes many
pages and can be killed half-way through.
"""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, write_cached_work
from build_tools.site.build import build_site
from tests.signals import interruptible

SYNTHETIC = 60


def add_synthetic_studies(project: Project, count: int = SYNTHETIC) -> None:
    for number in range(count):
        (project.studies_dir / f"synthetic{number:03d}.yaml").write_text(
            f"id: synthetic{number:03d}\ntitle: Synthetic study {number} (test data)\n"
            "perspective: client\nsources:\n  - description: made up by the tests\n", "utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.root.glob(".site-*"))


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.fixture
def built(project: Project) -> Project:
    """A project with a built site and one cached Crossref work, both to be kept intact."""
    add_synthetic_studies(project)
    write_cached_work(project.cache_dir, CachedWork("10.5555/synthetic.cached", "2025-01-01",
                                                    {"title": ["Synthetic cached work"]}))
    build_site(project)
    return project


def _build_command(project: Project, *extra: str) -> list[str]:
    return [sys.executable, "-m", "build_tools", "build", "--project", str(project.root), *extra]


def _staging(project: Project) -> Path | None:
    found = list(project.root.glob(".site-new-*"))
    return found[0] if found else None


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "as the staging folder appears": lambda staging: True,
    "while the theme is copied": lambda staging: (staging / "assets").is_dir(),
    "after half the study pages": lambda staging: sum(
        1 for _ in staging.glob("studies/synthetic*/index.html")) >= SYNTHETIC // 2,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_build_killed_mid_way_leaves_site_and_cache_as_they_were(
    point: str, built: Project, capsys
) -> None:
    site_before, cache_before = snapshot(built.site_dir), snapshot(built.cache_dir)
    record = built.studies_dir / "synthetic000.yaml"
    record.write_text(record.read_text("utf-8").replace("Synthetic study 0 ", "Changed "), "utf-8")
    process = subprocess.Popen(_build_command(built), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    reached = KILL_POINTS[point]
    while process.poll() is None:
        staging = _staging(built)
        if staging is not None and reached(staging):
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    assert process.wait() == -signal.SIGKILL, "the build ended before it could be killed"
    assert snapshot(built.site_dir) == site_before
    assert snapshot(built.cache_dir) == cache_before
    assert [re.sub(r"\d+-\w+$", "", name) for name in leftovers(built)] == [".site-new-"]

    assert main(["build", "--project", str(built.root)]) == 0
    assert leftovers(built) == []
    assert b"Changed (test data)" in (built.site_dir / "studies/synthetic000/index.html"
                                      ).read_bytes()
    assert snapshot(built.cache_dir) == cache_before
    capsys.readouterr()


INTERRUPT_POINTS: dict[str, Callable[[Path], bool]] = {
    "as the staging folder appears": KILL_POINTS["as the staging folder appears"],
    "after half the study pages": KILL_POINTS["after half the study pages"],
}


@pytest.mark.hardening
@pytest.mark.parametrize("point", list(INTERRUPT_POINTS))
def test_ctrl_c_during_a_build_is_one_line_exit_130_and_keeps_the_site(
    point: str, built: Project
) -> None:
    site_before, cache_before = snapshot(built.site_dir), snapshot(built.cache_dir)
    record = built.studies_dir / "synthetic000.yaml"
    record.write_text(record.read_text("utf-8").replace("Synthetic study 0 ", "Changed "), "utf-8")
    process = subprocess.Popen(_build_command(built), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    reached = INTERRUPT_POINTS[point]
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        staging = _staging(built)
        if staging is not None and reached(staging):
            process.send_signal(signal.SIGINT)
            break
        time.sleep(0.002)
    try:
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert (process.returncode, out, err) == (
        130, "", "interrupted: the previous site was not changed\n")
    assert snapshot(built.site_dir) == site_before
    assert snapshot(built.cache_dir) == cache_before
    assert leftovers(built) == []


def test_a_site_set_aside_by_a_build_killed_between_its_renames_is_put_back(
    built: Project, write_study: Callable[..., Path], capsys
) -> None:
    before = snapshot(built.site_dir)
    set_aside = built.root / f".site-old-{dead_pid()}-0a1b2c3d"
    built.site_dir.rename(set_aside)
    write_study("broken", perspective="patients")
    assert main(["build", "--project", str(built.root)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "build stopped: 1 problem(s) in 1 file(s); the site was not changed")
    assert snapshot(built.site_dir) == before
    assert leftovers(built) == []


def test_the_next_good_build_replaces_a_put_back_site_and_leaves_nothing_behind(
    built: Project, capsys
) -> None:
    built.site_dir.rename(built.root / f".site-old-{dead_pid()}-0a1b2c3d")
    (built.root / f".site-new-{dead_pid()}-x9y8z7").mkdir()
    (built.root / ".site-new-abc123").mkdir()  # named as builds before this change named it
    assert main(["build", "--project", str(built.root)]) == 0
    assert leftovers(built) == []
    assert (built.site_dir / "index.html").is_file()
    capsys.readouterr()


def test_the_folders_of_a_build_still_running_are_left_alone(built: Project, capsys) -> None:
    running = subprocess.Popen(["sleep", "60"])
    try:
        theirs = built.root / f".site-new-{running.pid}-q1w2e3"
        theirs.mkdir()
        assert main(["build", "--project", str(built.root)]) == 0
        assert leftovers(built) == [theirs.name]
    finally:
        running.kill()
        running.wait()
    capsys.readouterr()


def _no_large_files() -> None:
    """Writes past 64 KiB fail with EFBIG, as on a full disk, instead of killing the process."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_full_disk_gives_one_clear_line_and_keeps_the_site(built: Project) -> None:
    before = snapshot(built.site_dir)
    result = subprocess.run(_build_command(built), preexec_fn=_no_large_files,
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert re.fullmatch(
        rf"error: could not write {re.escape(str(built.site_dir))}/assets/[\w./-]+: "
        r"File too large; free some disk space or raise the file size limit \(ulimit -f\), "
        r"then build again \(the previous site was not changed\)\n", result.stderr)
    assert snapshot(built.site_dir) == before
    assert leftovers(built) == []


def test_a_file_in_the_way_of_the_site_folder_gives_one_clear_line(
    built: Project, capsys
) -> None:
    blocker = built.root / "blocker"
    blocker.write_text("not a folder\n", "utf-8")
    before = snapshot(built.site_dir)
    code = main(["build", "--project", str(built.root), "--site-dir", str(blocker / "site")])
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: could not write {blocker}: File exists; a file is in the way of a folder; "
        "remove it or choose another --site-dir (the previous site was not changed)\n")
    assert blocker.read_text("utf-8") == "not a folder\n"
    assert snapshot(built.site_dir) == before


def test_a_site_path_that_is_a_file_is_left_alone(built: Project, capsys) -> None:
    target = built.root / "site.txt"
    target.write_text("keep me\n", "utf-8")
    code = main(["build", "--project", str(built.root), "--site-dir", str(target)])
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: {target}: is not a folder; remove it or choose another --site-dir "
        "(the site was not written)\n")
    assert target.read_text("utf-8") == "keep me\n"
    assert sorted(p.name for p in built.root.glob(".site.txt-*")) == []
