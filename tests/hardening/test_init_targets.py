"""Hardening, `livingreview init DIR`: only a new or empty folder becomes a review. A file, a
link, a folder holding anything, a folder inside a project's inputs or site, a missing or
unwritable parent are refused with one line and exit 2; nothing is ever deleted, and a failure
half-way leaves nothing behind."""

from __future__ import annotations

import os
import string
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.cli.main import main
from build_tools.core.errors import InitRefused
from build_tools.core.mdtext import plain_title
from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.scaffold import create
from build_tools.scaffold.create import init_review
from build_tools.site.build import build_site
from tests.hardening.test_output_dirs import tree

pytestmark = pytest.mark.hardening


def run_init(target: Path | str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[
        int, str]:
    code = main(["init", *extra, str(target)])
    return code, capsys.readouterr().err


def a_project(root: Path) -> Path:
    """A review project (as init makes it) with a site and a .git folder, at `root`."""
    init_review(root, "qualitative", install="x")
    for name in ("site", ".git", "cache"):
        (root / name).mkdir()
    return root


def _file(tmp: Path) -> Path:
    (tmp / "notes.txt").write_text("keep me\n", "utf-8")
    return tmp / "notes.txt"


def _link_to_empty_folder(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    (tmp / "link").symlink_to(tmp / "empty", target_is_directory=True)
    return tmp / "link"


def _dangling_link(tmp: Path) -> Path:
    (tmp / "link").symlink_to(tmp / "nowhere")
    return tmp / "link"


def _folder_with_a_file(tmp: Path) -> Path:
    (tmp / "full").mkdir()
    (tmp / "full" / "draft.md").write_text("my draft\n", "utf-8")
    return tmp / "full"


def _folder_with_a_hidden_file(tmp: Path) -> Path:
    (tmp / "full").mkdir()
    (tmp / "full" / ".env").write_text("SECRET=1\n", "utf-8")
    return tmp / "full"


def _folder_with_an_empty_folder(tmp: Path) -> Path:
    (tmp / "full" / "sub").mkdir(parents=True)
    return tmp / "full"


def _missing_parent(tmp: Path) -> Path:
    return tmp / "no" / "such" / "review"


def _parent_is_a_file(tmp: Path) -> Path:
    return _file(tmp) / "review"


def _inside(*parts: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        project = a_project(tmp / "project")
        return project.joinpath(*parts)
    return make


def _empty_inside(*parts: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        target = _inside(*parts)(tmp)
        target.mkdir(parents=True, exist_ok=True)
        return target
    return make


REFUSED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "an existing file": (_file, "is not a folder"),
    "a link to an empty folder": (_link_to_empty_folder, "is a link"),
    "a dangling link": (_dangling_link, "is a link"),
    "a folder holding a file": (_folder_with_a_file, "is not empty"),
    "a folder holding only a hidden file": (_folder_with_a_hidden_file, "is not empty"),
    "a folder holding an empty folder": (_folder_with_an_empty_folder, "is not empty"),
    "a folder whose parent is missing": (_missing_parent, "does not exist"),
    "a folder whose parent is a file": (_parent_is_a_file, "does not exist"),
    "the project itself": (_inside(), "is not empty"),
    "a new folder in the project's studies/": (_inside("studies", "new"), "studies/ folder"),
    "a new folder in the project's docs/": (_inside("docs", "new"), "docs/ folder"),
    "an empty folder in the project's docs/": (_empty_inside("docs", "x"), "docs/ folder"),
    "a new folder deep in docs/": (_inside("docs", "a", "b"), "does not exist"),
    "the project's empty cache/": (_inside("cache"), "cache/ folder"),
    "a new folder in the project's schema/": (_inside("schema", "new"), "schema/ folder"),
    "a new folder in the project's .git/": (_inside(".git", "new"), ".git/ folder"),
    "a new folder in the project's site/": (_inside("site", "new"), "site/ folder"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_hostile_target_is_refused_with_one_line_and_exit_2(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make, reason = REFUSED[case]
    target = make(tmp_path)
    before = tree(tmp_path)
    code, err = run_init(target, capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert reason in err and "nothing was written" in err, err
    assert tree(tmp_path) == before  # nothing made, nothing deleted, no staging folder left


def test_a_folder_in_the_current_project_is_refused_by_a_relative_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = a_project(tmp_path / "project")
    monkeypatch.chdir(project)
    for target in ("studies/new", "docs/new", "./site/x", "studies/../docs/new"):
        code, err = run_init(target, capsys)
        assert code == 2 and "folder" in err, (target, err)
    assert not (project / "studies" / "new").exists()


def test_a_link_in_the_parent_path_is_resolved_before_the_checks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = a_project(tmp_path / "project")
    (tmp_path / "into-docs").symlink_to(project / "docs", target_is_directory=True)
    code, err = run_init(tmp_path / "into-docs" / "new", capsys)
    assert code == 2 and "docs/ folder" in err, err
    assert not (project / "docs" / "new").exists()


def test_a_new_folder_and_an_empty_one_become_reviews(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "new", tmp_path / "empty"):
        code, err = run_init(target, capsys)
        assert code == 0, err
        assert (target / "review.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "new"]  # no staging left


def test_an_unwritable_parent_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == tmp_path
                        else real_access(path, mode, **kw))
    code, err = run_init(tmp_path / "review", capsys)
    assert code == 2 and "is not writable" in err, err
    assert list(tmp_path.iterdir()) == []


def test_a_parent_the_system_will_not_write_is_refused_with_its_reason(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_init("/proc/living-review-test", capsys)  # even root cannot write /proc
    assert code == 2 and err.count("\n") == 1, err
    assert not os.path.lexists("/proc/living-review-test")


@pytest.mark.parametrize("failing", ["write", "derived", "rename"])
def test_a_failure_half_way_leaves_nothing_behind(
        failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    name = {"write": "_write", "derived": "write_derived_files"}.get(failing)
    if name:
        monkeypatch.setattr(create, name, fail)
    else:
        monkeypatch.setattr(create.os, "rename", fail)
    with pytest.raises(InitRefused, match=r"No space left on device.*nothing was written"):
        init_review(tmp_path / "review", "quantitative", install="x")
    assert list(tmp_path.iterdir()) == []


def test_an_interruption_half_way_leaves_nothing_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(create, "write_derived_files", interrupt)
    with pytest.raises(KeyboardInterrupt):
        init_review(tmp_path / "review", "bibliography", install="x")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_filled_while_init_writes_is_not_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "review"
    real_write = create._write

    def race(root: Path, files: dict[str, str]) -> None:
        real_write(root, files)
        target.mkdir()
        (target / "theirs.txt").write_text("written meanwhile\n", "utf-8")

    monkeypatch.setattr(create, "_write", race)
    with pytest.raises(InitRefused, match="nothing was written"):
        init_review(target, "qualitative", install="x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review"]
    assert [p.name for p in target.iterdir()] == ["theirs.txt"]


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "bell\x07", "bidi\u202etxt"])
def test_a_title_that_is_not_one_line_of_text_is_refused(
        title: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_init(tmp_path / "review", capsys, "--title", title)
    assert code == 2 and err.count("\n") == 1 and "--title" in err, err
    assert list(tmp_path.iterdir()) == []


NAMES = st.text(alphabet=string.ascii_letters + string.digits + " .-_#$'\"\\é\u202e\n",
                min_size=1, max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=3), existing=st.sampled_from(
    ["nothing", "file", "folder", "link"]))
def test_any_target_is_made_whole_or_refused_and_nothing_else_changes(
        names: list[str], existing: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.mktemp("targets")
    (base / "keep.txt").write_text("keep\n", "utf-8")
    target = base.joinpath(*names)
    if existing != "nothing" and target.parent == base and target.name not in (".", ".."):
        if existing == "file" and not target.exists():
            target.write_text("theirs\n", "utf-8")
        elif existing == "folder" and not target.exists():
            target.mkdir()
        elif existing == "link" and not os.path.lexists(target):
            target.symlink_to(base / "keep.txt")
    before = tree(base)
    try:
        made = init_review(target, "bibliography", install="x")
    except InitRefused as error:
        assert "\n" not in str(error)
        assert tree(base) == before
        return
    assert (made / "review.yaml").is_file()
    after = tree(base)
    new = {name for name in after if name not in before}
    assert {name: after[name] for name in before} == before  # nothing changed or deleted
    inside = made.relative_to(base).as_posix()
    assert all(name == inside or name.startswith(inside + "/") for name in new), new


TITLES = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40).filter(
    lambda t: t.isprintable() and t.strip() != "")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TITLES)
def test_any_one_line_title_is_kept_and_the_new_review_validates(
        title: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = init_review(tmp_path_factory.mktemp("titles") / "review", "quantitative", title,
                       install="x")
    review = yaml.safe_load((root / "review.yaml").read_text("utf-8"))
    assert review["title"] == title
    assert yaml.safe_load((root / "mkdocs.yml").read_text("utf-8"))["site_name"] == \
        plain_title(title)
    checked = check_project(Project.at(root))
    assert checked.ok, [str(p) for p in checked.problems]


def test_a_title_with_markup_stays_text_on_every_page(tmp_path: Path) -> None:
    title = '<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }} [x](javascript:y)'
    root = init_review(tmp_path / "review", "bibliography", title, install="x")
    site = build_site(Project.at(root), strict=True)
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert 'href="javascript:' not in text, page


def test_the_refusal_of_a_non_empty_folder_reads_exactly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = _folder_with_a_file(tmp_path)
    code, err = run_init(target, capsys)
    assert (code, err) == (2, f"error: {target}: is not empty, and init writes only into a new "
                              "or empty folder; choose another DIR (nothing was written)\n")


def test_init_dot_in_an_empty_current_folder_fills_that_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my-review"
    folder.mkdir()
    inode = folder.stat().st_ino
    monkeypatch.chdir(folder)
    code, err = run_init(".", capsys)
    assert code == 0, err
    assert folder.stat().st_ino == inode  # the same folder, so a shell standing in it sees it
    assert Path("review.yaml").is_file() and Path(os.getcwd()) == folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-review"]  # no staging left


def test_a_file_written_into_the_empty_target_meanwhile_is_not_overwritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "review"
    target.mkdir()
    real_write = create._write

    def race(root: Path, files: dict[str, str]) -> None:
        real_write(root, files)
        (target / "review.yaml").write_text("theirs\n", "utf-8")

    monkeypatch.setattr(create, "_write", race)
    with pytest.raises(InitRefused, match="nothing was written"):
        init_review(target, "qualitative", install="x")
    assert [p.name for p in target.iterdir()] == ["review.yaml"]
    assert (target / "review.yaml").read_text("utf-8") == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review"]
