"""`validate --format github`: one workflow command per problem, escaped as GitHub asks."""

from __future__ import annotations

from build_tools.cli.annotations import annotation, escape_data, escape_property
from build_tools.cli.main import main
from build_tools.core.errors import Code, Problem


def test_escape_data_encodes_percent_first_then_line_breaks() -> None:
    assert escape_data("100% of\r\nthem: a, b") == "100%25 of%0D%0Athem: a, b"


def test_escape_property_also_encodes_colon_and_comma() -> None:
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


def test_annotation_error_has_file_line_title_and_message() -> None:
    problem = Problem("studies/x.yaml", 7, "perspective", "'clients' is not allowed",
                      "one of: client, therapist, both", code=Code.NOT_ALLOWED)
    assert annotation(problem) == (
        "::error file=studies/x.yaml,line=7,title=perspective [not-allowed]::"
        "'clients' is not allowed (one of: client, therapist, both)"
    )


def test_annotation_warning_and_escaped_properties() -> None:
    problem = Problem("studies/a,b:c.yaml", 0, "sources[0].url", "50% done\nnext", "",
                      severity="warning", code=Code.BAD_URL)
    assert annotation(problem) == (
        "::warning file=studies/a%2Cb%3Ac.yaml,line=1,title=sources[0].url [bad-url]::"
        "50%25 done%0Anext"
    )


def test_validate_format_github_prints_one_line_per_problem(project, write_study, capsys) -> None:
    write_study("smith2020", perspective="clients", year="2020")
    code = main(["validate", "--project", str(project.root), "--format", "github"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == [
        "::error file=studies/smith2020.yaml,line=3,title=perspective [not-allowed]::"
        "'clients' is not allowed (one of: client, therapist, both)",
        "::error file=studies/smith2020.yaml,line=6,title=year [wrong-type]::"
        "'2020' is text (a whole number from 1900 to 2100)",
    ]
    assert err == "2 problem(s) in 1 file(s)\n"


def test_validate_format_github_valid_project_prints_the_verdict(project, capsys) -> None:
    assert main(["validate", "--project", str(project.root), "--format", "github"]) == 0
    assert capsys.readouterr().out == "4 study record(s) and review.yaml are valid\n"
