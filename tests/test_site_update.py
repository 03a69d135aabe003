"""Rebuilds: unchanged files keep their bytes and times, failures change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from build_tools.core.errors import BuildError, InvalidRecords
from build_tools.core.project import Project
from build_tools.site.build import build_site, keep_unchanged_times

STUDY = "aherne-2018"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """The copied project is not a git repository; pin the build date as CI would."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def snapshot(site: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(site.rglob("*")) if p.is_file()}


def changed(before: dict[str, tuple[int, bytes]], after: dict[str, tuple[int, bytes]]) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def edit_study(project: Project, old: str, new: str) -> None:
    path = project.studies_dir / f"{STUDY}.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_a_rebuild_with_nothing_changed_rewrites_no_file(project: Project) -> None:
    site = build_site(project)
    before = snapshot(site)
    build_site(project)
    assert changed(before, snapshot(site)) == set()
    assert not list(project.root.glob(".site-new-*"))


def test_changing_a_detail_of_one_study_rewrites_only_its_page_and_data(project: Project) -> None:
    site = build_site(project)
    before = snapshot(site)
    edit_study(project, "setting: Suicide intervention service",
                        "setting: A suicide intervention service")
    build_site(project)
    assert changed(before, snapshot(site)) == {f"studies/{STUDY}/index.html",
                                               "downloads/studies.csv"}


def test_changing_a_table_column_rewrites_the_study_the_table_and_the_index(
    project: Project,
) -> None:
    site = build_site(project)
    before = snapshot(site)
    edit_study(project, "country: Ireland", "country: Northern Ireland")
    build_site(project)
    assert changed(before, snapshot(site)) == {
        f"studies/{STUDY}/index.html", "studies/index.html", "search/search_index.json",
        "downloads/studies.csv", "evidence/charts/index.html", "evidence/chart-country.svg"}


def test_removing_a_study_deletes_its_page(project: Project) -> None:
    site = build_site(project)
    (project.studies_dir / f"{STUDY}.yaml").unlink()
    build_site(project)
    assert not (site / "studies" / STUDY).exists()
    assert (site / "studies" / "index.html").is_file()


def test_invalid_records_leave_the_previous_site_untouched(project: Project) -> None:
    site = build_site(project)
    before = snapshot(site)
    edit_study(project, "perspective: therapist", "perspective: nobody")
    with pytest.raises(InvalidRecords):
        build_site(project)
    assert changed(before, snapshot(site)) == set()


def test_a_failing_mkdocs_build_leaves_the_previous_site_untouched(project: Project) -> None:
    site = build_site(project)
    before = snapshot(site)
    edit_study(project, "setting: Suicide intervention service", "setting: Changed")
    config = project.mkdocs_file.read_text("utf-8")
    project.mkdocs_file.write_text(config.replace("name: material", "name: no-such-theme"))
    with pytest.raises(BuildError, match=r"^MkDocs failed: "):
        build_site(project)
    assert changed(before, snapshot(site)) == set()
    assert not list(project.root.glob(".site-new-*"))


def test_keep_unchanged_times_copies_times_of_identical_files_only(tmp_path: Path) -> None:
    live, staging = tmp_path / "site", tmp_path / "staging"
    for root, files in ((live, {"same.html": "same", "old.html": "old", "gone.html": "x",
                                "a/b/deep.html": "deep", "target.html": "linked"}),
                        (staging, {"same.html": "same", "old.html": "new", "new/x.html": "x",
                                   "a/b/deep.html": "deep", "link.html": "linked"})):
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
    (live / "link.html").symlink_to(live / "target.html")  # a link is never a twin
    os.utime(live / "same.html", ns=(1, 1))
    os.utime(live / "old.html", ns=(2, 2))
    os.utime(live / "a/b/deep.html", ns=(3, 3))
    os.utime(live / "target.html", ns=(4, 4))
    assert keep_unchanged_times(staging, live) == 3  # old.html, new/x.html and link.html
    assert (staging / "same.html").stat().st_mtime_ns == 1
    assert (staging / "a/b/deep.html").stat().st_mtime_ns == 3
    assert (staging / "old.html").stat().st_mtime_ns != 2
    assert (staging / "link.html").stat().st_mtime_ns != 4


NO_NETWORK = """
import json, socket, sys
attempts = []
def refuse(self, address):
    attempts.append(repr(address))
    raise OSError("network refused by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
from build_tools.core.project import Project
from build_tools.site.build import build_site
build_site(Project.at(sys.argv[1]))
clients = sorted(m for m in ("requests", "urllib3", "http.client", "urllib.request")
                 if m in sys.modules)
print(json.dumps({"attempts": attempts, "clients": clients}))
"""


def test_a_build_makes_no_network_request_and_loads_no_http_client(project: Project) -> None:
    result = subprocess.run([sys.executable, "-c", NO_NETWORK, str(project.root)],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.splitlines()[-1]) == {"attempts": [], "clients": []}
