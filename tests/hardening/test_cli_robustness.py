"""Hardening, the command line: a wrong --project is one line, and names or keys from the input
cannot forge or hide a line of output (control characters are printed as visible escapes)."""

from __future__ import annotations

import json
import logging
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_tools.cli.annotations import annotation
from build_tools.cli.main import EscapingFormatter, main
from build_tools.core.errors import Code, Problem, escape_controls
from build_tools.core.project import Project

pytestmark = pytest.mark.hardening

WHERE = "pass the review project's folder with --project, or run from inside it"


# --- --project -------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["validate"], ["build"], ["docs", "--check"],
                                     ["fetch"], ["verify", "1.0"]])
def test_a_missing_project_folder_is_one_line(command: list[str], tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nonexistent"
    assert main([*command, "--project", str(missing)]) == 1
    assert capsys.readouterr() == ("", f"error: {missing}: no such folder; {WHERE}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_project_that_is_a_file_is_one_line(tmp_path: Path, capsys) -> None:
    file = tmp_path / "review.yaml"
    file.write_text("title: x\n", "utf-8")
    assert main(["build", "--project", str(file)]) == 1
    assert capsys.readouterr().err == f"error: {file}: is not a folder; {WHERE}\n"


def test_a_folder_without_review_yaml_is_not_a_project(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", "utf-8")
    assert main(["build", "--project", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path}: not a review project (it has no review.yaml); {WHERE}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_current_folder_is_named_in_full(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path}: not a review project (it has no review.yaml); {WHERE}\n")


def test_a_project_path_with_control_characters_is_printed_escaped(
    tmp_path: Path, capsys
) -> None:
    missing = tmp_path / "a\nstudies are valid\x1b[2J"
    assert main(["validate", "--project", str(missing)]) == 1
    assert capsys.readouterr().err == (
        f"error: {tmp_path}/a\\nstudies are valid\\x1b[2J: no such folder; {WHERE}\n")


# --- control characters in names and keys ------------------------------------------------------

EVIL = "evil\x1b[2J\nok\u202e.txt"


def test_a_file_name_with_control_characters_is_escaped_in_text_output(
    project: Project, capsys
) -> None:
    (project.studies_dir / EVIL).write_text("x\n", "utf-8")
    assert main(["validate", "--project", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "warning: studies/evil\\x1b[2J\\nok\\u202e.txt:1: (file): ignored, not a study record "
        "(study records are <id>.yaml files directly in studies/)",
        "4 study record(s) and review.yaml are valid, 1 warning(s)",
    ]


def test_a_file_name_with_control_characters_is_escaped_in_github_annotations(
    project: Project, capsys
) -> None:
    (project.studies_dir / EVIL).write_text("x\n", "utf-8")
    assert main(["validate", "--project", str(project.root), "--format", "github"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "::warning file=studies/evil\\x1b[2J%0Aok\\u202e.txt,line=1,title=(file) [ignored-file]::"
        "ignored, not a study record (study records are <id>.yaml files directly in studies/)")


def test_a_file_name_with_control_characters_is_a_json_escape(project: Project, capsys) -> None:
    (project.studies_dir / EVIL).write_text("x\n", "utf-8")
    assert main(["validate", "--project", str(project.root), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out  # a JSON escape, \u001b, instead
    assert json.loads(out)["problems"][0]["file"] == f"studies/{EVIL}"


def test_a_key_with_control_characters_is_escaped(project: Project, capsys) -> None:
    record = (project.studies_dir / "smith2020.yaml")
    record.write_text('id: smith2020\ntitle: A synthetic study (test data)\nperspective: client\n'
                      'sources:\n  - description: made up by the tests\n'
                      '"ok\\e[2K\\rstudies are valid": 1\n', "utf-8")
    assert main(["validate", "--project", str(project.root)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert "\x1b" not in captured.out + captured.err and "\r" not in captured.out
    # the loader names a refused character in a field name by its \\u escape
    assert any("ok\\u001b[2K\\u000dstudies are valid" in line for line in lines), lines


@pytest.mark.parametrize(("raw", "shown"), [
    ("line\nbreak", "line\\nbreak"), ("cr\rhere", "cr\\rhere"), ("tab\there", "tab\\there"),
    ("\x1b[31mred", "\\x1b[31mred"), ("bell\x07", "bell\\x07"), ("del\x7f", "del\\x7f"),
    ("csi\x9b2J", "csi\\x9b2J"), ("nel\x85", "nel\\x85"), ("rlo\u202eevil", "rlo\\u202eevil"),
    ("sep\u2028x", "sep\\u2028x"), ("plain é ✓ \\d", "plain é ✓ \\d"),
])
def test_escape_controls_makes_every_control_character_visible(raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown
    problem = Problem(raw, 1, raw, raw, raw, code=Code.WRONG_TYPE)
    assert str(problem) == f"{shown}:1: {shown}: {shown} ({shown})"


def test_annotations_escape_controls_but_keep_githubs_line_break_encoding() -> None:
    problem = Problem("a\x1b.yaml", 2, "k\u202e", "m\x1b[2J\nnext", code=Code.UNKNOWN_FIELD)
    assert annotation(problem) == (
        "::error file=a\\x1b.yaml,line=2,title=k\\u202e [unknown-field]::m\\x1b[2J%0Anext")


def test_log_lines_from_mkdocs_are_escaped() -> None:
    record = logging.LogRecord("mkdocs", logging.WARNING, __file__, 1,
                               "Doc file 'x\n\x1b[2J.md' has a problem", None, None)
    assert EscapingFormatter("%(levelname)s: %(message)s").format(record) == (
        "WARNING: Doc file 'x\\n\\x1b[2J.md' has a problem")


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text())
def test_a_problem_is_always_one_line_without_control_characters(
    file: str, field: str, message: str
) -> None:
    text = str(Problem(file, 1, field, message, code=Code.WRONG_TYPE))
    assert text.splitlines() == [text] and "\x1b" not in text and "\u202e" not in text
    assert all(char == " " or char.isprintable() or unicodedata.category(char) in ("Cf", "Zs",
               "Co", "Cs", "Cn") for char in text)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_an_annotation_is_always_one_line_without_control_characters(
    file: str, message: str
) -> None:
    text = annotation(Problem(file, 1, "field", message, code=Code.WRONG_TYPE))
    assert text.splitlines() == [text] and "\x1b" not in text
