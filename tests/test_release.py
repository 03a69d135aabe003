"""`livingreview release`: immutable versions on gh-pages, tags, refusals, reproducible builds."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from build_tools.cli.main import main
from build_tools.core import gitrepo
from build_tools.core.errors import ReleaseError
from build_tools.core.project import Project
from build_tools.release.release import release
from build_tools.site.build import build_site
from build_tools.versions.changelog import compute_changelog
from build_tools.versions.manifest import read_tree
from build_tools.versions.releases import VERSION_RULE, check_version_text, version_key
from build_tools.versions.versioning import feed_summary
from tests.release_scenario import (
    DATE_1_0,
    SYNTHETIC_ID,
    Scenario,
    git,
    new_repository,
    two_releases,
)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return two_releases(tmp_path_factory.mktemp("release"))


def state(project: Project) -> dict[str, str]:
    """Everything a refused release must leave alone."""
    root = project.root
    return {"refs": git(root, "for-each-ref"), "head": git(root, "rev-parse", "HEAD"),
            "status": git(root, "status", "--porcelain", "--ignored")}


def test_release_keeps_every_file_of_1_0_byte_identical(scenario: Scenario) -> None:
    now = gitrepo.read_tree(scenario.project.root, "gh-pages", "1.0")
    assert len(now) > 20
    assert now == scenario.files_1_0_before


def test_release_lists_versions_latest_first(scenario: Scenario) -> None:
    versions = json.loads(git(scenario.project.root, "show", "gh-pages:versions.json"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("1.1", ["latest"]), ("1.0", [])]
    assert versions[0]["title"] == "1.1 (2026-03-01)"


def test_release_makes_latest_a_copy_and_the_default(scenario: Scenario) -> None:
    root = scenario.project.root
    latest = gitrepo.read_tree(root, "gh-pages", "latest")
    assert latest == gitrepo.read_tree(root, "gh-pages", "1.1")  # a copy, not a symlink
    modes = git(root, "ls-tree", "-r", "gh-pages", "--", "latest/")
    assert "120000" not in modes
    assert 'href="latest/"' in git(root, "show", "gh-pages:index.html")


def test_release_feed_summaries_read_as_sentences(scenario: Scenario) -> None:
    feed = ET.fromstring(git(scenario.project.root, "show", "gh-pages:1.1/feed.xml"))
    atom = "{http://www.w3.org/2005/Atom}"
    assert [(e.findtext(f"{atom}title"), e.findtext(f"{atom}summary"))
            for e in feed.iter(f"{atom}entry")] == [
        ("Version 1.1", "Search update: one new study. 1 study added; 1 study updated."),
        ("Version 1.0", "First release. 4 studies."),
    ]


def snapshot(*ids: str) -> dict:
    """A SYNTHETIC data snapshot with studies `ids`, for feed_summary."""
    return {"layout": {"studies": "studies"}, "review": {},
            "tables": {"studies": [{"id": i, "title": f"Study {i}"} for i in ids]}}


@pytest.mark.parametrize(("message", "old", "new", "summary"), [
    ("", None, ("a",), "First release. 1 study."),
    ("Launch of the review!", None, ("a", "b"), "Launch of the review! 2 studies."),
    ("", ("a",), ("a",), "No changes to the data."),
    ("  Search update (May 2026)  ", ("a",), ("a", "b"),
     "Search update (May 2026). 1 study added."),
    ('Corrected "typo."', ("a", "b"), ("a",), 'Corrected "typo." 1 study removed.'),
])
def test_feed_summary_is_sentences(message: str, old: tuple | None, new: tuple,
                                   summary: str) -> None:
    before = None if old is None else snapshot(*old)
    assert feed_summary(message, compute_changelog(before, snapshot(*new))) == summary


def test_release_tags_the_source_commit_with_the_release_record(scenario: Scenario) -> None:
    root = scenario.project.root
    commit = git(root, "rev-list", "-n", "1", "v1.1").strip()
    assert git(root, "show", "-s", "--format=%s", commit).strip() == (
        "Release 1.1: Search update: one new study")
    record = git(root, "show", "v1.1:releases/1.1/release.yaml")
    assert "version: '1.1'\ndate: '2026-03-01'\nmessage: 'Search update: one new study'" in record
    assert SYNTHETIC_ID in git(root, "show", "v1.1:releases/1.1/data.json")
    assert SYNTHETIC_ID not in git(root, "show", "v1.0:releases/1.0/data.json")


def test_release_of_an_existing_version_is_refused_and_changes_nothing(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    project = scenario.project
    before = state(project)
    assert main(["release", "1.0", "--project", str(project.root)]) == 1
    assert capsys.readouterr().err == (
        "error: version 1.0 already exists (tag v1.0): a released version is never rebuilt or "
        "overwritten; publish a correction as a new version\n")
    assert state(project) == before


def test_release_refuses_a_version_on_gh_pages_without_a_tag(scenario: Scenario) -> None:
    project = scenario.project
    tag_object = git(project.root, "rev-parse", "refs/tags/v1.0").strip()
    git(project.root, "tag", "-d", "v1.0")
    try:
        before = state(project)
        with pytest.raises(ReleaseError, match=r"^version 1.0 already exists \(on the gh-pages "):
            release(project, "1.0")
        assert state(project) == before
    finally:
        git(project.root, "update-ref", "refs/tags/v1.0", tag_object)


def test_release_refuses_an_older_version_number(scenario: Scenario) -> None:
    with pytest.raises(ReleaseError, match=r"^version 0.9 is not newer than the last release 1.1;"):
        release(scenario.project, "0.9")


def test_release_refuses_uncommitted_changes(tmp_path: Path) -> None:
    project = new_repository(tmp_path)
    (project.studies_dir / "aherne-2018.yaml").write_text("id: aherne-2018\n", "utf-8")
    before = state(project)
    with pytest.raises(ReleaseError) as error:
        release(project, "1.0")
    assert str(error.value) == ("the working tree has uncommitted changes; commit or stash them "
                                "before releasing:\n   M studies/aherne-2018.yaml")
    assert state(project) == before


def test_release_refuses_invalid_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = new_repository(tmp_path)
    path = project.studies_dir / "aherne-2018.yaml"
    path.write_text(path.read_text("utf-8").replace("perspective: therapist",
                                                    "perspective: clients"), "utf-8")
    git(project.root, "commit", "-q", "-am", "An invalid record")
    before = state(project)
    assert main(["release", "1.0", "--project", str(project.root)]) == 1
    error = capsys.readouterr().err
    assert "studies/aherne-2018.yaml:13: perspective: 'clients' is not allowed" in error
    assert error.splitlines()[-1] == ("release stopped: 1 problem(s) in 1 file(s); nothing was "
                                      "committed, tagged or published")
    assert state(project) == before
    assert not gitrepo.ref_exists(project.root, "gh-pages")


def test_release_refuses_a_malformed_version(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match=r"^'v1' is not a version number \(use numbers"):
        release(Project.at(tmp_path), "v1")


VERSION_LINE = f"is not a version number ({VERSION_RULE})"


@pytest.mark.hardening
@pytest.mark.parametrize(("version", "shown"), [
    ("01.4", "'01.4'"),  # a leading zero: 01.4 and 1.4 would be two names of one version
    ("9999999999999999999999.1", "'9999999999999999999999.1'"),  # would block every later one
    ("10000", "'10000'"),
    ("1.2.3.4", "'1.2.3.4'"),
    ("1.0\n", "'1.0\\n'"),
    (" 1.0", "' 1.0'"),
    ("1..0", "'1..0'"),
    ("", "''"),
    ("\u0661.\u0660", "'\u0661.\u0660'"),  # Arabic-Indic digits
    ("1" * 100, repr("1" * 40) + "… (100 characters)"),
])
def test_release_refuses_a_version_number_out_of_the_rule_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str, shown: str
) -> None:
    (tmp_path / "review.yaml").write_text("", "utf-8")  # a project, as --project must name one
    assert main(["release", version, "--project", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"error: {shown} {VERSION_LINE}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["review.yaml"]


@pytest.mark.parametrize("version", ["0", "0.1", "1.0", "9999.9999.9999", "10.0.3", "2026.1"])
def test_release_accepts_version_numbers_of_the_rule(version: str) -> None:
    assert check_version_text(version) == version


def test_version_numbers_compare_as_numbers() -> None:
    assert version_key("1.10") > version_key("1.9") > version_key("1.0")
    assert version_key("1.0.0") == version_key("1.0") == version_key("1")
    assert version_key("2") > version_key("1.9999.9999")


@pytest.mark.hardening
@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789.", max_size=20),
                 st.from_regex(r"\A[0-9]{1,6}(\.[0-9]{1,6}){0,4}\Z")))
@example("0" * 22 + "\x1f" * 10 + "\U0001005e" * 8)  # escapes longer than the characters
def test_version_parser_gives_a_clean_refusal_or_a_valid_version(text: str) -> None:
    """Any string in: a version of one to three numbers 0-9999 written canonically, or one line
    that names the input and says what is allowed."""
    try:
        version = check_version_text(text)
    except ReleaseError as error:
        message = str(error)
        assert message.endswith(VERSION_LINE) and "\n" not in message
        assert len(message) < 300
        return
    parts = version.split(".")
    assert version == text and 1 <= len(parts) <= 3
    assert all(part.isascii() and str(int(part)) == part and int(part) < 10000
               for part in parts)


@pytest.mark.hardening
@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 9999), min_size=1, max_size=3))
def test_version_parser_accepts_every_version_of_the_rule(numbers: list[int]) -> None:
    text = ".".join(map(str, numbers))
    assert check_version_text(text) == text
    assert version_key(text)[0] == numbers[0]


def test_release_refuses_the_same_version_number_written_longer(scenario: Scenario) -> None:
    with pytest.raises(ReleaseError, match=r"^version 1.1.0 is not newer than the last release "
                                           r"1.1;"):
        release(scenario.project, "1.1.0")


def test_release_pushes_only_with_push(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    project = new_repository(tmp_path / "work")
    git(project.root, "remote", "add", "origin", str(remote))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", DATE_1_0)
        release(project, "1.0")
        assert git(remote, "for-each-ref") == ""
        release(project, "1.1", push=True)
    refs = git(remote, "for-each-ref", "--format=%(refname)").split()
    assert refs == ["refs/heads/gh-pages", "refs/heads/main", "refs/tags/v1.1"]


def test_two_builds_of_one_commit_are_byte_identical(scenario: Scenario, tmp_path: Path) -> None:
    """Rebuilding the tag v1.0 elsewhere reproduces every published file of 1.0, manifest too."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--branch", "v1.0", str(scenario.project.root),
                    str(clone)], check=True, capture_output=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        first = build_site(Project.at(clone), site_dir=tmp_path / "first", release="1.0")
        second = build_site(Project.at(clone), site_dir=tmp_path / "second", release="1.0")
    assert read_tree(first) == read_tree(second)
    assert read_tree(first) == scenario.files_1_0_before


def test_development_builds_of_one_commit_are_byte_identical(tmp_path: Path) -> None:
    project = new_repository(tmp_path / "repo")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        patch.delenv("LIVINGREVIEW_RELEASE", raising=False)
        first = read_tree(build_site(project, site_dir=tmp_path / "first"))
        second = read_tree(build_site(project, site_dir=tmp_path / "second"))
    assert first == second
    assert "sitemap.xml.gz" in first
    index = first["index.html"].decode("utf-8")
    assert "(development build)</title>" in index
    assert "Development build: not a released version" in index


def test_build_of_an_unreleased_version_names_the_missing_record(tmp_path: Path) -> None:
    project = new_repository(tmp_path / "repo")
    with pytest.raises(ReleaseError) as error:
        build_site(project, site_dir=tmp_path / "site", release="9.9")
    assert str(error.value) == ("releases/9.9/release.yaml: not found; version 9.9 was never "
                                "released (see `livingreview release --help`)")
    assert not (tmp_path / "site").exists()


def test_release_on_ci_publishes_a_tag_released_locally_byte_identically(tmp_path: Path) -> None:
    """The publish workflow: a maintainer releases locally and pushes main and the tag only; CI
    runs `release VERSION --push` on a fresh clone of the tag and publishes the same files."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    project = new_repository(tmp_path / "maintainer")
    git(project.root, "remote", "add", "origin", str(remote))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", DATE_1_0)
        release(project, "1.0")
    git(project.root, "push", "-q", "origin", "HEAD:refs/heads/main", "refs/tags/v1.0")
    ci = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", "--branch", "v1.0", str(remote), str(ci)], check=True)
    git(ci, "config", "user.name", "CI")
    git(ci, "config", "user.email", "ci@example.invalid")
    published = release(Project.at(ci), "1.0", push=True)
    assert published.tag == "v1.0"
    assert gitrepo.read_tree(remote, "gh-pages", "1.0") == gitrepo.read_tree(
        project.root, "gh-pages", "1.0")
    with pytest.raises(ReleaseError, match=r"^version 1.0 already exists \(tag v1.0\)"):
        release(Project.at(ci), "1.0", push=True)


def test_release_on_ci_refuses_a_rebuild_that_differs_from_the_tag(tmp_path: Path) -> None:
    project = new_repository(tmp_path / "maintainer")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", DATE_1_0)
        release(project, "1.0")
    git(project.root, "branch", "-D", "gh-pages")
    record = project.root / "releases" / "1.0" / "release.yaml"
    git(project.root, "tag", "-f", "-a", "v1.0", "-m", "manifest sha256: 0000", "HEAD")
    assert record.is_file()
    with pytest.raises(ReleaseError, match=r"^the rebuild of v1.0 differs from the release "
                                           r"recorded in its tag"):
        release(project, "1.0")
    assert not gitrepo.ref_exists(project.root, "refs/heads/gh-pages")
