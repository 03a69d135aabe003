"""`validate --changed BASE`, in a real temporary git repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.errors import GitError
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, write_cached_work
from build_tools.evidence.changed import changed_files, validate_changed

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture
def repo(project: Project) -> Project:
    """The shipped project committed on `main`, with a synthetic study that is broken on main."""
    git(project.root, "init", "--quiet", "--initial-branch=main")
    broken = project.studies_dir / "oldbroken2019.yaml"
    broken.write_text("id: oldbroken2019\ntitle: Synthetic test record\nperspective: clients\n"
                      "sources:\n  - description: Test fixture, not a real study\n", "utf-8")
    git(project.root, "add", "-A")
    git(project.root, "commit", "--quiet", "-m", "base")
    return project


def test_changed_files_lists_modified_and_untracked_studies(repo, write_study) -> None:
    write_study("new2021", title="A synthetic study for tests")
    aherne = repo.studies_dir / "aherne-2018.yaml"
    aherne.write_text(aherne.read_text("utf-8").replace("sample_size: 12", "sample_size: 13"))
    changed = changed_files(repo, "main")
    assert sorted(p.name for p in changed.studies) == ["aherne-2018.yaml", "new2021.yaml"]
    assert changed.everything is False


def test_validate_changed_skips_unchanged_broken_records(repo, write_study, capsys) -> None:
    write_study("new2021")
    code = main(["validate", "--project", str(repo.root), "--changed", "main"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out == "1 changed study record(s) of 6 (since main) and review.yaml are valid\n"


def test_validate_changed_reports_problems_of_changed_records(repo, write_study, capsys) -> None:
    write_study("new2021", perspective="clinicians")
    code = main(["validate", "--project", str(repo.root), "--changed", "main"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ("studies/new2021.yaml:3: perspective: 'clinicians' is not allowed "
                   "(one of: client, therapist, both)\n")
    assert err == "1 problem(s) in 1 file(s)\n"


def test_validate_changed_finds_a_doi_of_an_unchanged_study(repo, write_study) -> None:
    write_study("copy2017", doi="10.1027/0227-5910/A000427")
    result = validate_changed(repo, "main")
    assert [str(p) for p in result.checked.validation.problems] == [
        "studies/copy2017.yaml:6: doi: '10.1027/0227-5910/A000427' is already used by "
        "studies/alonzo-2017.yaml:3 (one record per study; DOIs are compared ignoring case)"
    ]


def test_validate_changed_checks_everything_when_review_yaml_changed(repo, capsys) -> None:
    review = repo.review_file
    review.write_text(review.read_text("utf-8") + "\n# a comment\n", "utf-8")
    code = main(["validate", "--project", str(repo.root), "--changed", "main"])
    out, _ = capsys.readouterr()
    assert code == 1
    assert ("studies/oldbroken2019.yaml:3: perspective: 'clients' is not allowed "
            "(one of: client, therapist, both)") in out.splitlines()


def test_validate_changed_committed_on_a_branch(repo, write_study) -> None:
    git(repo.root, "checkout", "--quiet", "-b", "add-study")
    write_study("new2021")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "--quiet", "-m", "add")
    result = validate_changed(repo, "main")
    assert [p.name for p in result.changed.studies] == ["new2021.yaml"]
    assert result.checked.validation is not None and result.checked.validation.ok


def test_validate_changed_unknown_base_is_one_clear_error(repo, capsys) -> None:
    assert main(["validate", "--project", str(repo.root), "--changed"]) == 1
    assert capsys.readouterr().err == (
        "error: git base 'origin/main' not found (fetch it first, or name another, "
        "e.g. --changed main or --changed HEAD~1)\n")


def test_validate_changed_outside_git_is_one_clear_error(tmp_path) -> None:
    with pytest.raises(GitError, match="is not in a git repository"):
        changed_files(Project.at(tmp_path), "main")


def test_validate_changed_also_warns_when_a_record_disagrees_with_its_cached_work(
    repo, write_study, capsys
) -> None:
    """The same cross-check with the Crossref cache as a full `validate` (real cached body)."""
    body = json.loads((Path(__file__).parent / "fixtures" / "crossref"
                       / "10.1037_0003-066x.59.1.29.json").read_text("utf-8"))
    write_cached_work(repo.cache_dir, CachedWork("10.1037/0003-066x.59.1.29", "2026-01-01",
                                                 body["message"]))
    write_study("new2021", doi="10.1037/0003-066X.59.1.29", title="A synthetic, wrong title")
    code = main(["validate", "--project", str(repo.root), "--changed", "main"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0] == (
        "warning: studies/new2021.yaml:2: title: differs from the Crossref work cached for "
        '10.1037/0003-066X.59.1.29: "How the Mind Hurts and Heals the Body." (the site shows '
        "Crossref's title; correct the record or the DOI)")
