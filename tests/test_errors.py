"""Errors: every exception in one module, one git runner, a documented code on every Problem, a
report that is always complete, and a failure line of each command's own."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re

import pytest

import build_tools
from build_tools.cli.main import main
from build_tools.core.errors import Code, Problem, StaleDocs, YamlProblem
from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.pages.derived_docs import check_derived_files
from build_tools.records.yaml_source import parse_yaml
from tests.conftest import REPO
from tests.test_docs import commands

PACKAGE = REPO / "build_tools"
CODES_DOC = REPO / "docs" / "reference" / "problem-codes.md"


def _modules() -> list[tuple[str, ast.Module]]:
    return [(path.relative_to(REPO).as_posix(), ast.parse(path.read_text("utf-8")))
            for path in sorted(PACKAGE.rglob("*.py"))]


def test_every_code_is_documented_and_the_page_lists_no_other() -> None:
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", CODES_DOC.read_text("utf-8"), re.M))
    assert documented == {str(code) for code in Code}


def test_a_problem_without_a_code_is_refused() -> None:
    with pytest.raises(TypeError, match="code"):
        Problem("studies/x.yaml", 1, "title", "is missing")  # type: ignore[call-arg]


def test_every_problem_made_in_the_package_names_its_code() -> None:
    missing = [f"{name}:{node.lineno}" for name, tree in _modules() for node in ast.walk(tree)
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id == "Problem"
               and not any(k.arg == "code" for k in node.keywords)]
    assert missing == []


def test_every_exception_class_lives_in_core_errors() -> None:
    elsewhere = []
    for info in pkgutil.walk_packages(build_tools.__path__, "build_tools."):
        if info.name == "build_tools.__main__":  # runs the command line when imported
            continue
        module = importlib.import_module(info.name)
        elsewhere += [f"{info.name}.{name}" for name, value in vars(module).items()
                      if isinstance(value, type) and issubclass(value, BaseException)
                      and value.__module__ == info.name != "build_tools.core.errors"]
    assert elsewhere == []


def test_only_core_gitrepo_and_detached_run_programs() -> None:
    runners = sorted(name for name, tree in _modules() for node in ast.walk(tree)
                     if isinstance(node, (ast.Import, ast.ImportFrom))
                     and "subprocess" in {getattr(node, "module", None),
                                          *(alias.name for alias in node.names)}
                     and name not in {"build_tools/core/gitrepo.py",
                                      "build_tools/core/detached.py"})
    assert runners == []


def test_validate_json_gives_every_problem_its_code(project: Project, write_study,
                                                    capsys) -> None:
    write_study("smith2020", perspective="clients", year="2020", colour="red")
    assert main(["validate", "--project", str(project.root), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [
        ("perspective", "not-allowed"), ("year", "wrong-type"), ("colour", "unknown-field")]


def test_an_unreadable_schema_is_a_complete_report(project: Project) -> None:
    project.schema_file.write_text("resources: []\n", "utf-8")
    checked = check_project(project)
    assert checked.schema is None and not checked.ok
    assert [(p.field, p.code) for p in checked.problems] == [("resources", Code.BAD_SCHEMA)]


@pytest.mark.parametrize("name", sorted(commands()))
def test_each_command_has_a_failure_line_of_its_own(name: str) -> None:
    failure = commands()[name].get_default("failure")
    first = {"export-docs": "export", "validate": "validation"}.get(name, name)
    assert failure.startswith(f"{first} stopped: {{summary}}")


def test_no_two_commands_share_a_failure_line() -> None:
    lines = [parser.get_default("failure") for parser in commands().values()]
    assert len(set(lines)) == len(lines) == 10


def test_docs_on_invalid_records_says_no_file_was_written(project: Project, capsys) -> None:
    project.review_file.write_text("title: [unclosed\n", "utf-8")
    derived = project.root / "schema" / "study.schema.json"
    before = derived.read_bytes()
    for extra in ([], ["--check"]):
        assert main(["docs", "--project", str(project.root), *extra]) == 1
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith("review.yaml:2: (file): not valid YAML")
        assert err[-1] == "docs stopped: 1 problem(s) in 1 file(s); no file was written"
    assert derived.read_bytes() == before


def test_build_on_invalid_records_says_the_site_was_not_changed(project: Project,
                                                                capsys) -> None:
    project.review_file.write_text("title: [unclosed\n", "utf-8")
    assert main(["build", "--project", str(project.root)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "build stopped: 1 problem(s) in 1 file(s); the site was not changed")
    assert not project.site_dir.exists()


def test_docs_check_raises_stale_docs_naming_each_file(project: Project) -> None:
    check_derived_files(project)  # the scenario's files are up to date
    (project.root / "schema" / "study.schema.json").write_text("{}\n", "utf-8")
    with pytest.raises(StaleDocs) as error:
        check_derived_files(project)
    assert error.value.names == ["schema/study.schema.json"]
    assert str(error.value) == "schema/study.schema.json: out of date; run: livingreview docs"


@pytest.mark.parametrize(("raw", "code"), [
    (b"id: a\n\ttitle: b\n", Code.TAB_INDENTATION),
    (b"a: &x 1\nb: *x\n", Code.YAML_ALIAS),
    (b"a: !!python/object:os.system x\n", Code.YAML_TAG),
    (b"<<: {a: 1}\n", Code.YAML_TAG),
    (b"a: 1\na: 2\n", Code.DUPLICATE_KEY),
    (b"a: 1\n1: 2\n", Code.BAD_KEY),
    (b"title: a\x1bb\n", Code.CONTROL_CHARACTER),
    (b"", Code.EMPTY_FILE),
    (b"title: \xff\n", Code.NOT_UTF8),
    (b"a: [1\n", Code.YAML_SYNTAX),
    (b"a: 1\n---\nb: 2\n", Code.YAML_SYNTAX),
    (b"a: " + b"[" * 40 + b"]" * 40 + b"\n", Code.TOO_DEEP),
    (b"a: 99999999999999999999\n", Code.UNREADABLE_VALUE),
])
def test_the_loader_names_the_code_of_each_refusal(raw: bytes, code: Code) -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(raw, "studies/x.yaml")
    assert caught.value.problem.code == code


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"colour": "red"}, "colour", Code.UNKNOWN_FIELD),
    ({"year": "2020"}, "year", Code.WRONG_TYPE),
    ({"year": 2999}, "year", Code.FUTURE_DATE),
    ({"year": 1800}, "year", Code.CONSTRAINT_FAILED),
    ({"perspective": "clients"}, "perspective", Code.NOT_ALLOWED),
    ({"perspective": None}, "perspective", Code.MISSING_FIELD),
    ({"doi": "not a doi"}, "doi", Code.BAD_DOI),
    ({"doi": "https://doi.org/10.5555/x"}, "doi", Code.DOI_LINK),
    ({"id": "other"}, "id", Code.ID_NOT_FILE_NAME),
    ({"sources": [{"description": "x", "url": "javascript:alert(1)"}]}, "sources[0].url",
     Code.BAD_URL),
    ({"sources": []}, "sources", Code.TOO_FEW_ITEMS),
    ({"contributions": [{"subtheme": "no-such-subtheme"}]}, "contributions[0].subtheme",
     Code.UNDEFINED_REFERENCE),
    ({"contributions": "all"}, "contributions", Code.NOT_A_LIST),
])
def test_validation_names_the_code_of_each_problem(project: Project, write_study,
                                                   overrides: dict[str, object], field: str,
                                                   code: Code) -> None:
    write_study("smith2020", **overrides)
    found = [(p.field, p.code) for p in check_project(project).problems
             if p.file == "studies/smith2020.yaml"]
    assert (field, code) in found, found


def test_two_studies_with_one_doi_are_a_duplicate_doi(project: Project, write_study) -> None:
    write_study("smith2020", doi="10.5555/Same")
    write_study("jones2021", doi="10.5555/same")
    assert [p.code for p in check_project(project).problems] == [Code.DUPLICATE_DOI]
