"""`livingreview validate`: all problems at once, with file, line, field and what is allowed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.project import Project

SHIPPED_STUDIES = 4


def validate(project: Project, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["validate", "--project", str(project.root), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_validate_accepts_the_shipped_review(project: Project, capsys) -> None:
    code, output = validate(project, capsys)
    assert (code, output) == (0, "4 study record(s) and review.yaml are valid\n")


STUDY = "id: {id}\ntitle: A synthetic study\nperspective: client\nsources:\n  - description: test\n"

CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "unknown field": (
        {"studies/s1.yaml": STUDY.format(id="s1") + "colour: blue\n"},
        ["studies/s1.yaml:6: colour: unknown field (one of: added_in, analysis_method, appraisal, "
         "authors, contributions, country, curation_status, data_collection, doi, excerpts, "
         "first_author, id, issue, journal, notes, pages, participants, perspective, sample_size, "
         "setting, sources, title, translations, volume, year)"],
    ),
    "wrong type": (
        {"studies/s1.yaml": STUDY.format(id="s1") + 'year: "2018"\n'},
        ["studies/s1.yaml:6: year: '2018' is text (a whole number from 1900 to 2100)"],
    ),
    "missing required field": (
        {"studies/s1.yaml": "id: s1\ntitle: A synthetic study\nsources:\n  - description: t\n"},
        ["studies/s1.yaml:1: perspective: is required but missing "
         "(one of: client, therapist, both)"],
    ),
    "missing doi and title": (
        {"studies/s1.yaml": "id: s1\nperspective: both\nsources:\n  - description: t\n"},
        ["studies/s1.yaml:1: doi or title: is required but missing "
         "(give at least one of: doi, title)"],
    ),
    "missing sources": (
        {"studies/s1.yaml": "id: s1\ntitle: T\nperspective: both\n"},
        ["studies/s1.yaml:1: sources: is required but missing (at least 1 item(s))"],
    ),
    "value outside the enum": (
        {"studies/s1.yaml": STUDY.format(id="s1").replace("client", "clients")},
        ["studies/s1.yaml:3: perspective: 'clients' is not allowed "
         "(one of: client, therapist, both)"],
    ),
    "malformed doi": (
        {"studies/s1.yaml": STUDY.format(id="s1") + "doi: 10.12/x\n"},
        ["studies/s1.yaml:6: doi: '10.12/x' is not a DOI "
         "(a DOI such as 10.1080/10503307.2017.1359428)"],
    ),
    "doi given as a link": (
        {"studies/s1.yaml": STUDY.format(id="s1") + "doi: https://doi.org/10.1234/x\n"},
        ["studies/s1.yaml:6: doi: 'https://doi.org/10.1234/x' is a link, not a bare DOI "
         "(write it without https://doi.org/ or doi:)"],
    ),
    "two files with one id": (
        {"studies/s1.yaml": STUDY.format(id="s1"), "studies/s2.yaml": STUDY.format(id="s1")},
        ["studies/s2.yaml:1: id: 's1' differs from the file name "
         "(the file name without .yaml: 's2')",
         "studies/s2.yaml:1: id: 's1' is used twice (first in studies/s1.yaml:1) "
         "(each value once)"],
    ),
    "two dois differing only in case": (
        {"studies/s1.yaml": STUDY.format(id="s1") + "doi: 10.1234/ABC\n",
         "studies/s2.yaml": STUDY.format(id="s2") + "doi: 10.1234/abc\n"},
        ["studies/s2.yaml:6: doi: '10.1234/abc' is already used by studies/s1.yaml:6 "
         "(one record per study; DOIs are compared ignoring case)"],
    ),
    "link to an unknown subtheme": (
        {"studies/s1.yaml": STUDY.format(id="s1") + "contributions:\n  - subtheme: hope\n"},
        ["studies/s1.yaml:7: contributions[0].subtheme: 'hope' is not defined (one of the "
         "subthemes defined: empathy-and-hope, human-connection, reciprocal-trust, "
         "responsibility-and-control)"],
    ),
    "file name differs from id": (
        {"studies/s1.yaml": STUDY.format(id="other")},
        ["studies/s1.yaml:1: id: 'other' differs from the file name "
         "(the file name without .yaml: 's1')"],
    ),
    "link that is not a web address": (
        {"studies/s1.yaml": STUDY.format(id="s1") + "    url: javascript:alert(1)\n"},
        ["studies/s1.yaml:6: sources[0].url: 'javascript:alert(1)' is not a web address "
         "(a URL starting with https:// or http://)"],
    ),
    "malformed yaml": (
        {"studies/s1.yaml": "id: s1\ntitle: [unclosed\n"},
        ["studies/s1.yaml:3: (file): not valid YAML: while parsing a flow sequence expected "
         "',' or ']', but got '<stream end>' (plain YAML only: text, numbers, true/false, "
         "dates, lists and mappings)"],
    ),
    "tab in indentation": (
        {"studies/s1.yaml": "id: s1\nsources:\n\t- description: x\n"},
        ["studies/s1.yaml:3: (file): tab character in indentation "
         "(indent with spaces; YAML does not allow tabs there)"],
    ),
    "same key twice": (
        {"studies/s1.yaml": STUDY.format(id="s1") + "perspective: both\n"},
        ["studies/s1.yaml:6: perspective: appears twice in one mapping (first on line 3) "
         "(each field once)"],
    ),
    "empty file": (
        {"studies/s1.yaml": ""},
        ["studies/s1.yaml:1: (file): file is empty (a YAML mapping of fields)"],
    ),
    "not utf-8": (
        {"studies/s1.yaml": b"id: s1\ntitle: Caf\xe9\n"},
        ["studies/s1.yaml:2: (file): byte 0xe9 is not UTF-8 (save the file as UTF-8)"],
    ),
    "python object tag": (
        {"studies/s1.yaml": "id: !!python/object/apply:os.getcwd []\n"},
        ["studies/s1.yaml:1: id: tag !!python/object/apply:os.getcwd is not allowed "
         "(plain YAML only: text, numbers, true/false, dates, lists and mappings)"],
    ),
    "alias bomb": (
        {"studies/s1.yaml": 'a: &a ["x","x","x"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n'},
        ["studies/s1.yaml:2: b[0]: alias *a is not allowed "
         "(write each value out in full; anchors and aliases are refused)"],
    ),
    "file over one mebibyte": (
        {"studies/s1.yaml": "notes: '" + "x" * (1024 * 1024) + "'\n"},
        ["studies/s1.yaml:1: (file): file is 1,048,586 bytes "
         "(at most 1,048,576 bytes (1 MiB) per file)"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_reports_bad_input_with_file_and_line(
    case: str, project: Project, write_file: Callable[[str, str | bytes], Path], capsys
) -> None:
    files, expected = CASES[case]
    for relative, content in files.items():
        write_file(relative, content)
    code, output = validate(project, capsys)
    assert code == 1
    assert output.splitlines()[:-1] == expected
    errors = len(expected)
    assert output.splitlines()[-1] == f"{errors} problem(s) in 1 file(s)"


def test_validate_reports_every_problem_in_one_run(project: Project, write_file, capsys) -> None:
    write_file("studies/s1.yaml", STUDY.format(id="s1") + "year: x\ncolour: red\n")
    write_file("studies/s2.yaml", "id: s2\n")
    write_file("studies/s3.yaml", "id: [\n")
    code, output = validate(project, capsys)
    assert code == 1
    assert output.splitlines()[-1] == "6 problem(s) in 3 file(s)"
    assert [line.split(":")[0] for line in output.splitlines()[:-1]] == (
        ["studies/s1.yaml"] * 2 + ["studies/s2.yaml"] * 3 + ["studies/s3.yaml"]
    )


def test_validate_json_format_lists_problems_for_machines(
    project: Project, write_file, capsys
) -> None:
    write_file("studies/s1.yaml", STUDY.format(id="s1").replace("client", "patient"))
    code, output = validate(project, capsys, "--format", "json")
    report = json.loads(output)
    assert code == 1
    assert report["valid"] is False
    assert report["studies"] == SHIPPED_STUDIES + 1
    assert report["problems"] == [{
        "file": "studies/s1.yaml", "line": 3, "field": "perspective",
        "message": "'patient' is not allowed", "allowed": "one of: client, therapist, both",
        "severity": "error", "code": "not-allowed",
    }]


def test_validate_refuses_a_symlinked_study(project: Project, tmp_path: Path, capsys) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(STUDY.format(id="linked"), "utf-8")
    (project.studies_dir / "linked.yaml").symlink_to(outside)
    code, output = validate(project, capsys)
    assert code == 1
    assert output.splitlines()[0] == (
        "studies/linked.yaml:1: (file): is a link, not a regular file "
        "(a plain file; links are not read)"
    )


def test_validate_checks_review_yaml_sources(project: Project, capsys) -> None:
    text = project.review_file.read_text("utf-8").replace("source: abstract", "source: abstrct", 1)
    project.review_file.write_text(text, "utf-8")
    code, output = validate(project, capsys)
    assert code == 1
    assert output.splitlines()[0] == (
        "review.yaml:10: question.source: 'abstrct' is not a defined source "
        "(one of: abstract, blog, casp, thesis)"
    )


def test_validate_checks_the_review_citation_block(project: Project, capsys) -> None:
    first = len(project.review_file.read_text(encoding="utf-8").splitlines()) + 2
    with project.review_file.open("a", encoding="utf-8") as review:
        review.write("citation:\n  authors: 5\n  concept_doi: not-a-doi\n  editors: [x]\n")
    code, output = validate(project, capsys)
    assert code == 1
    assert output.splitlines() == [
        f"review.yaml:{first}: citation.authors: 5 is a number (a list of text items)",
        f"review.yaml:{first + 1}: citation.concept_doi: 'not-a-doi' is not a DOI "
        "(a DOI such as 10.1080/10503307.2017.1359428)",
        f"review.yaml:{first + 2}: citation.editors: unknown field "
        "(one of: authors, concept_doi, version_doi)",
        "3 problem(s) in 1 file(s)",
    ]


REVIEW_KEYS = ("appraisal_tool, citation, findings, included_studies, key_findings, kind, "
               "line_of_argument, living, methods, protocol, question, reported_characteristics, "
               "reporting, roles, search_rounds, short_title, source_review, sources, themes, "
               "title, wording")
REVIEW_CASES = {  # (text replaced, replacement) -> the lines validate prints
    "a mistyped top-level key": (
        ("\ntitle: ", "\ntitel: "),
        [f"review.yaml:3: titel: unknown field; did you mean title? (one of: {REVIEW_KEYS})",
         "review.yaml:3: title: is required but missing (text)"]),
    "text where a block belongs": (
        ("question:\n  text: >-", "question: >-\n  text:"),
        ["review.yaml:5: question: expected a mapping, found text (fields: source, text)"]),
    "a list where text belongs": (
        ("short_title: Therapeutic alliance and suicidal experiences", "short_title: [a, b]"),
        ['review.yaml:4: short_title: expected text, found a list (write the items as one '
         'text, such as "a, b")']),
    "a count written as text": (
        ("included_studies:\n  count: 37", "included_studies:\n  count: '37'"),
        ["review.yaml:25: included_studies.count: '37' is text (a whole number)"]),
    "a mistyped key in a block": (
        ("  last_search:", "  last_serch:"),
        ["review.yaml:29: living.last_serch: unknown field; did you mean last_search? "
         "(one of: last_search, last_search_source, retirement_plan, update_schedule)"]),
    "a mistyped key in a source": (
        ("    note: A copy of the abstract", "    notes: A copy of the abstract"),
        ["review.yaml:36: sources.abstract.notes: unknown field; did you mean note? "
         "(one of: note, title, url)"]),
    "a mistyped key in a table": (
        ("    summary:", "    sumary:"),
        ["review.yaml:143: themes[0].sumary: unknown field; did you mean summary? "
         "(one of: id, source, subthemes, summary, title)"]),
    "text where a table belongs": (
        ("themes:\n", "themes: x\nold_themes:\n"),
        ["review.yaml:140: themes: expected a list, found text (a list of mappings)",
         f"review.yaml:141: old_themes: unknown field; did you mean themes? "
         f"(one of: {REVIEW_KEYS})"]),
}


@pytest.mark.hardening
@pytest.mark.parametrize("case", sorted(REVIEW_CASES))
def test_validate_checks_review_yaml_like_a_record(case: str, project: Project, capsys) -> None:
    (old, new), expected = REVIEW_CASES[case]
    text = project.review_file.read_text("utf-8")
    assert old in text
    project.review_file.write_text(text.replace(old, new, 1), "utf-8")
    code, output = validate(project, capsys)
    assert (code, output.splitlines()) == (
        1, [*expected, f"{len(expected)} problem(s) in 1 file(s)"])
