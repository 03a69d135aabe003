"""Hardening, records: hostile or odd study files are refused or accepted, always the same way.

Complements tests/test_validate.py and tests/test_yaml_source.py (not repeated here). All study
data below is synthetic, made up by the tests.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.errors import InvalidRecords
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, write_cached_work
from build_tools.evidence.checks import check_project
from build_tools.pages.generate import generate_site
from tests.hardening.schema_fields import record_fields

STUDY = "id: {id}\ntitle: A synthetic study\nperspective: client\nsources:\n  - description: test\n"
ID_RULE = "text matching [a-z0-9][a-z0-9_-]{0,63}"
BUILD_DAY = "1750000000"  # 2025-06-15 (UTC)

WriteFile = Callable[[str, "str | bytes"], Path]


@pytest.fixture(autouse=True)
def _pinned_build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_DAY)


def validate(project: Project, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["validate", "--project", str(project.root)])
    out = capsys.readouterr()
    return code, (out.out + out.err).splitlines()


# --- ids that look like paths or like other ids ------------------------------------------------

PATH_LIKE_IDS = {
    "parent folder": "../x",
    "absolute path": "/etc/passwd",
    "windows path": "C:\\x",
    "space": "a b",
    "cyrillic a": "\u0430herne2018",
    "fullwidth a": "\uff41herne2018",
    "upper case": "Aherne2018",
}


@pytest.mark.parametrize("case", sorted(PATH_LIKE_IDS))
def test_an_id_that_looks_like_a_path_or_another_id_is_refused(
    case: str, project: Project, write_file: WriteFile, capsys
) -> None:
    bad = PATH_LIKE_IDS[case]
    write_file("studies/s1.yaml", f"id: '{bad}'\n" + STUDY.split("\n", 1)[1])
    code, lines = validate(project, capsys)
    assert code == 1
    assert lines == [
        f"studies/s1.yaml:1: id: {bad!r} differs from the file name "
        "(the file name without .yaml: 's1')",
        f"studies/s1.yaml:1: id: {bad!r} fails pattern ({ID_RULE})",
        "2 problem(s) in 1 file(s)",
    ]


@pytest.mark.parametrize("name", ["a b", "\u0430herne2018", "\uff41herne2018"])
def test_a_file_named_with_spaces_or_look_alike_letters_is_refused(
    name: str, project: Project, write_file: WriteFile, capsys
) -> None:
    write_file(f"studies/{name}.yaml", STUDY.format(id=f"'{name}'"))
    code, lines = validate(project, capsys)
    assert (code, lines) == (1, [
        f"studies/{name}.yaml:1: id: {name!r} fails pattern ({ID_RULE})",
        "1 problem(s) in 1 file(s)",
    ])


# --- links, folders and special files in studies/ ----------------------------------------------

def test_a_studies_folder_that_is_a_link_is_refused(
    project: Project, tmp_path: Path, capsys
) -> None:
    elsewhere = tmp_path / "elsewhere"
    project.studies_dir.rename(elsewhere)
    project.studies_dir.symlink_to(elsewhere, target_is_directory=True)
    code, lines = validate(project, capsys)
    assert (code, lines) == (1, [
        "studies:1: (folder): is a link (a plain folder in the project, so every record is "
        "reviewed with it)",
        "1 problem(s) in 1 file(s)",
    ])


def test_a_linked_folder_inside_studies_is_ignored_with_a_warning(
    project: Project, tmp_path: Path, capsys
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "extra.yaml").write_text(STUDY.format(id="extra"), "utf-8")
    (project.studies_dir / "more").symlink_to(outside, target_is_directory=True)
    code, lines = validate(project, capsys)
    assert (code, lines) == (0, [
        "warning: studies/more:1: (folder): ignored, not a study record "
        "(study records are <id>.yaml files directly in studies/)",
        "4 study record(s) and review.yaml are valid, 1 warning(s)",
    ])


def test_a_study_name_linked_to_a_folder_is_refused(
    project: Project, tmp_path: Path, capsys
) -> None:
    (project.studies_dir / "s1.yaml").symlink_to(tmp_path, target_is_directory=True)
    code, lines = validate(project, capsys)
    assert (code, lines) == (1, [
        "studies/s1.yaml:1: (file): is a link, not a regular file "
        "(a plain file; links are not read)",
        "1 problem(s) in 1 file(s)",
    ])


def test_a_named_pipe_as_a_study_is_refused_without_waiting_for_it(
    project: Project, capsys
) -> None:
    os.mkfifo(project.studies_dir / "s1.yaml")
    code, lines = validate(project, capsys)
    assert (code, lines) == (1, [
        "studies/s1.yaml:1: (file): is a named pipe, not a regular file "
        "(a plain file; links are not read)",
        "1 problem(s) in 1 file(s)",
    ])


# --- other files in studies/ -------------------------------------------------------------------

OTHER_FILES: dict[str, tuple[dict[str, str], int, list[str]]] = {
    "x.yml is a study record": (
        {"studies/x.yml": STUDY.format(id="x")}, 0,
        ["5 study record(s) and review.yaml are valid"],
    ),
    "x.YAML would be left out, so it is an error": (
        {"studies/x.YAML": STUDY.format(id="x")}, 1,
        ["studies/x.YAML:1: (file): is not read: the extension is not lower case "
         "(rename it to x.yaml)", "1 problem(s) in 1 file(s)"],
    ),
    "notes.txt is ignored with a warning": (
        {"studies/notes.txt": "reminders\n"}, 0,
        ["warning: studies/notes.txt:1: (file): ignored, not a study record "
         "(study records are <id>.yaml files directly in studies/)",
         "4 study record(s) and review.yaml are valid, 1 warning(s)"],
    ),
    "a sub-folder is ignored with a warning": (
        {"studies/old/a.yaml": STUDY.format(id="a")}, 0,
        ["warning: studies/old:1: (folder): ignored, not a study record "
         "(study records are <id>.yaml files directly in studies/)",
         "4 study record(s) and review.yaml are valid, 1 warning(s)"],
    ),
    "hidden files are passed over": (
        {"studies/.x.yaml": "broken: [\n", "studies/.DS_Store": "\0\0"}, 0,
        ["4 study record(s) and review.yaml are valid"],
    ),
    "editor backups are passed over": (
        {"studies/x.yaml~": "broken: [\n", "studies/#x.yaml#": "broken: [\n"}, 0,
        ["4 study record(s) and review.yaml are valid"],
    ),
}


@pytest.mark.parametrize("case", sorted(OTHER_FILES))
def test_other_files_in_studies(case: str, project: Project, write_file: WriteFile,
                                capsys) -> None:
    files, expected_code, expected = OTHER_FILES[case]
    for relative, content in files.items():
        write_file(relative, content)
    assert validate(project, capsys) == (expected_code, expected)


def test_an_editor_lock_link_is_passed_over(project: Project, capsys) -> None:
    """Emacs marks a file being edited with a dangling link `.#name`; serving must not break."""
    (project.studies_dir / ".#aherne-2018.yaml").symlink_to("root@host.1234:1700000000")
    assert validate(project, capsys) == (0, ["4 study record(s) and review.yaml are valid"])


# --- encodings and line ends -------------------------------------------------------------------

def test_a_study_with_bom_and_crlf_is_published_without_either(
    project: Project, write_file: WriteFile
) -> None:
    text = (STUDY.format(id="s1") + "notes: |\n  First line.\n  Second line.\n")
    write_file("studies/s1.yaml", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    site = generate_site(project)
    page = next(p for p in site.pages if p.path == "studies/s1.md")
    assert "<h1>A synthetic study</h1>\n" in str(page.content)
    assert "First line&#46; Second line&#46;" in str(page.content)
    for generated in site.pages:
        content = generated.content
        raw = content.encode("utf-8") if isinstance(content, str) else content
        assert b"\xef\xbb\xbf" not in raw, generated.path
        if not generated.path.endswith(".csv"):  # CSV rows end in CRLF by RFC 4180
            assert b"\r" not in raw, generated.path
    csv_text = next(p for p in site.pages if p.path == "downloads/studies.csv").content
    assert isinstance(csv_text, bytes)
    assert b"s1,,A synthetic study," in csv_text
    assert b"First line.\nSecond line.\n" in csv_text


def test_a_utf16_file_is_refused(project: Project, write_file: WriteFile, capsys) -> None:
    write_file("studies/s1.yaml", STUDY.format(id="s1").encode("utf-16"))
    assert validate(project, capsys) == (1, [
        "studies/s1.yaml:1: (file): byte 0xff is not UTF-8 (save the file as UTF-8)",
        "1 problem(s) in 1 file(s)",
    ])


# --- size --------------------------------------------------------------------------------------

def test_a_hundred_thousand_authors_within_one_mebibyte_validate_in_bounded_memory(
    project: Project, write_file: WriteFile
) -> None:
    authors = "".join(f"- A{i}\n" for i in range(100_000))  # synthetic names
    path = write_file("studies/many.yaml", STUDY.format(id="many") + "authors:\n" + authors)
    assert path.stat().st_size <= 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([sys.executable, "-m", "build_tools", "validate", "--project",
                             str(project.root)], capture_output=True, text=True, check=False)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "5 study record(s) and review.yaml are valid\n", "")
    assert max(peak_kib, before) < 512 * 1024, f"peak memory {peak_kib} KiB"


def test_a_very_long_text_is_accepted_and_published_whole(
    project: Project, write_file: WriteFile
) -> None:
    title = "Synthetic " * 100_000  # one million characters, just under the file limit
    write_file("studies/s1.yaml", STUDY.format(id="s1").replace("A synthetic study",
                                                                 title.strip()))
    site = generate_site(project)
    page = next(p for p in site.pages if p.path == "studies/s1.md")
    assert str(page.content).count("Synthetic") >= 2 * 100_000


def test_a_very_long_wrong_value_is_shortened_in_the_message(
    project: Project, write_file: WriteFile, capsys
) -> None:
    write_file("studies/s1.yaml", STUDY.format(id="s1") + "year: '" + "9" * 500_000 + "'\n")
    code, lines = validate(project, capsys)
    assert (code, lines) == (1, [
        "studies/s1.yaml:6: year: '" + "9" * 56 + "... is text (a whole number from 1900 to "
        "2100)",
        "1 problem(s) in 1 file(s)",
    ])


# --- numbers as text and text as numbers, for every typed field --------------------------------

INTEGER_FIELDS = {  # table -> field -> what the message says is allowed
    ("studies", "year"): "a whole number from 1900 to 2100",
    ("studies", "sample_size"): "a whole number of at least 1",
    ("appraisals", "question"): "a whole number",
}
TEXT_RULES = {("excerpts", "text"): "text of at most 300 characters"}  # else "text"
NESTED = {"appraisals": "appraisal", "study_subthemes": "contributions", "sources": "sources",
          "translations": "translations", "excerpts": "excerpts"}
NESTED_REQUIRED = {"appraisals": {"question": 1, "answer": "yes"},
                   "study_subthemes": {"subtheme": "human-connection"},
                   "sources": {"description": "test"},
                   "translations": {"subtheme": "human-connection", "concept": "test",
                                    "relation": "reciprocal"},
                   "excerpts": {"subtheme": "human-connection", "speaker": "client",
                                "text": "test"}}


def _record_fields(project: Project, type_name: str) -> list[tuple[str, str]]:
    """(table, field) of every field a study record writes itself, of one type; for text only
    free text (no enum, pattern, format or link to another table: those have their own checks)."""
    return [(f.table, f.name) for f in record_fields(project)
            if f.type == type_name and (f.free or type_name != "string")]


def _record_with(values: dict[tuple[str, str], object]) -> dict[str, object]:
    record: dict[str, object] = {"title": "A synthetic study",
                                 "perspective": "client", "sources": [{"description": "test"}]}
    for (table, name), value in values.items():
        if table == "studies":
            record[name] = value
        else:
            items = record.setdefault(NESTED[table], [dict(NESTED_REQUIRED[table])])
            assert isinstance(items, list)
            items[0][name] = value
    return record


def test_every_whole_number_field_refuses_a_number_written_as_text(
    project: Project, write_study: Callable[..., Path], capsys
) -> None:
    fields = _record_fields(project, "integer")
    assert set(fields) == set(INTEGER_FIELDS), "a new whole-number field: add its message"
    record = _record_with({field: "12" for field in fields})
    write_study("s1", **record)
    code, lines = validate(project, capsys)
    got = sorted(line.split(": ", 1)[1] for line in lines[:-1])
    expected = sorted(
        f"{name if table == 'studies' else NESTED[table] + '[0].' + name}: '12' is text ({rule})"
        for (table, name), rule in INTEGER_FIELDS.items())
    assert (code, got, lines[-1]) == (1, expected, "3 problem(s) in 1 file(s)")


def test_every_text_field_keeps_a_whole_number_as_its_text(
    project: Project, write_study: Callable[..., Path], capsys
) -> None:
    fields = _record_fields(project, "string")
    assert len(fields) >= 15
    write_study("s1", **_record_with({field: 42 for field in fields}))
    assert validate(project, capsys) == (0, ["5 study record(s) and review.yaml are valid"])
    checked = check_project(project)
    validation = checked.validation
    assert validation is not None
    for table, name in fields:
        row = next(r for r in validation.tables[table] if r.document.path == "studies/s1.yaml")
        assert row.values[name] == "42", (table, name)


def test_every_text_field_refuses_a_decimal_number_that_would_lose_digits(
    project: Project, write_study: Callable[..., Path], capsys
) -> None:
    fields = _record_fields(project, "string")
    write_study("s1", **_record_with({field: 1.10 for field in fields}))
    code, lines = validate(project, capsys)
    rule = "; put a number with a decimal point in quotes to keep it as written"
    expected = sorted(
        f"{name if table == 'studies' else NESTED[table] + '[0].' + name}: 1.1 is a number "
        f"({TEXT_RULES.get((table, name), 'text')}{rule})" for table, name in fields)
    got = sorted(line.split(": ", 1)[1] for line in lines[:-1])
    assert (code, got, lines[-1]) == (1, expected, f"{len(fields)} problem(s) in 1 file(s)")


ODD_TYPES = {
    "true/false as text": ("journal: true\n", "journal: True is true/false (text)"),
    "a date as a year": ("year: 2018-01-01\n",
                         "year: 2018-01-01 is a date (a whole number from 1900 to 2100)"),
    "a decimal as a whole number": ("sample_size: 36.0\n",
                                    "sample_size: 36.0 is a number (a whole number of at "
                                    "least 1)"),
    "text as a list": ("authors: Smith, J\n",
                       "authors: 'Smith, J' is text (a list of text items)"),
    "a number in a list of text": ("authors: ['Smith, J', 7]\n",
                                   "authors[1]: 7 is a number (a list of text items)"),
    "a number as a choice": ("curation_status: 1\n",
                             "curation_status: '1' is not allowed (one of: identified, "
                             "partly-extracted, extracted, appraised, verified)"),
}


@pytest.mark.parametrize("case", sorted(ODD_TYPES))
def test_odd_types_are_named_in_the_message(
    case: str, project: Project, write_file: WriteFile, capsys
) -> None:
    extra, message = ODD_TYPES[case]
    write_file("studies/s1.yaml", STUDY.format(id="s1") + extra)
    assert validate(project, capsys) == (1, [f"studies/s1.yaml:6: {message}",
                                            "1 problem(s) in 1 file(s)"])


# --- dates in the future -----------------------------------------------------------------------

def test_a_year_after_next_year_is_refused(project: Project, write_file: WriteFile,
                                           capsys) -> None:
    write_file("studies/s1.yaml", STUDY.format(id="s1") + "year: 2027\n")
    assert validate(project, capsys) == (1, [
        "studies/s1.yaml:6: year: 2027 is in the future (at most 2026: this build is dated "
        "2025-06-15)",
        "1 problem(s) in 1 file(s)",
    ])


def test_next_year_is_accepted_for_a_study_in_press(project: Project, write_file: WriteFile,
                                                    capsys) -> None:
    write_file("studies/s1.yaml", STUDY.format(id="s1") + "year: 2026\n")
    assert validate(project, capsys) == (0, ["5 study record(s) and review.yaml are valid"])


# --- characters no record may hold (issue 11): refused with line and field ----------------------

ALLOWED_CONTROLS = "remove it; of the control characters only tab and line breaks are allowed"
BIDI = "remove it: it makes text display in another order than it is stored"
SURROGATE = "remove it; write the character itself rather than an escape of half of it"
REFUSED_CHARACTERS = {
    "form feed": ("notes: a\x0cb\n",
                  f"notes: holds the control character U+000C (form feed) ({ALLOWED_CONTROLS})"),
    "NUL": ("notes: a\x00b\n",
            f"notes: holds the control character U+0000 (NUL) ({ALLOWED_CONTROLS})"),
    "escape sequence": ("notes: \x1b[31mred\n",
                        f"notes: holds the control character U+001B (escape) "
                        f"({ALLOWED_CONTROLS})"),
    "escape written as \\e": ('notes: "\\e[31mred"\n',
                              f"notes: holds the control character U+001B (escape) "
                              f"({ALLOWED_CONTROLS})"),
    "U+FFFE": ("notes: a\ufffeb\n", "notes: holds the noncharacter U+FFFE (remove it)"),
    "right-to-left override": ("notes: a\u202eb\n", "notes: holds the bidirectional control "
                               f"U+202E (RIGHT-TO-LEFT OVERRIDE) ({BIDI})"),
    "isolate in a field name": ("no\u2066tes: ab\n", "no\\u2066tes: holds the bidirectional "
                                f"control U+2066 (LEFT-TO-RIGHT ISOLATE) ({BIDI})"),
    "surrogate escape in a value": ('notes: "\\ud800"\n',
                                    f"notes: holds a lone surrogate U+D800 ({SURROGATE})"),
    "surrogate escape in a field name": ('"\\ud800": x\n', "\\ud800: field name holds a lone "
                                         f"surrogate U+D800 ({SURROGATE})"),
    "in a nested field": ("contributions:\n  - subtheme: human-connection\n    note: a\x07b\n",
                          f"contributions[0].note: holds the control character U+0007 (bell) "
                          f"({ALLOWED_CONTROLS})"),
}


@pytest.mark.hardening
@pytest.mark.parametrize("case", sorted(REFUSED_CHARACTERS))
def test_a_refused_character_is_named_with_its_line_and_field(
    case: str, project: Project, write_file: WriteFile, capsys
) -> None:
    extra, message = REFUSED_CHARACTERS[case]
    write_file("studies/s1.yaml", STUDY.format(id="s1") + extra)
    line = 6 + extra.rstrip("\n").count("\n")  # the character is on the last line
    assert validate(project, capsys) == (1, [f"studies/s1.yaml:{line}: {message}",
                                            "1 problem(s) in 1 file(s)"])
    with pytest.raises(InvalidRecords):
        generate_site(project)


@pytest.mark.hardening
def test_right_to_left_text_with_its_marks_is_accepted(
    project: Project, write_file: WriteFile, capsys
) -> None:
    """Hebrew with a right-to-left mark (U+200F): the marks reorder nothing and are kept."""
    hebrew = "\u05e9\u05dc\u05d5\u05dd\u200f 1"
    write_file("studies/s1.yaml", STUDY.format(id="s1") + f"notes: {hebrew}\n")
    assert validate(project, capsys) == (0, ["5 study record(s) and review.yaml are valid"])


@pytest.mark.hardening
def test_a_utf16_file_without_a_byte_order_mark_is_refused(
    project: Project, write_file: WriteFile, capsys
) -> None:
    write_file("studies/s1.yaml", STUDY.format(id="s1").encode("utf-16-le"))
    assert validate(project, capsys) == (1, [
        "studies/s1.yaml:1: (file): looks like UTF-16 or UTF-32 text (every other byte is 0) "
        "(save the file as UTF-8)",
        "1 problem(s) in 1 file(s)",
    ])


@pytest.mark.hardening
@pytest.mark.parametrize("style", ["flow", "block"])
def test_five_hundred_levels_of_nesting_are_refused_at_their_line(
    style: str, project: Project, write_file: WriteFile, capsys
) -> None:
    if style == "flow":
        nested, line = "notes: " + "[" * 500 + "]" * 500 + "\n", 6
    else:
        nested = "notes:\n" + "".join("  " * level + "-\n" for level in range(1, 501))
        line = 6 + 32
    write_file("studies/s1.yaml", STUDY.format(id="s1") + nested)
    assert validate(project, capsys) == (1, [
        f"studies/s1.yaml:{line}: notes[0][0][0]…: is nested more than 32 levels deep "
        "(records need only a few levels; check the indentation)",
        "1 problem(s) in 1 file(s)",
    ])


# --- messages that say what to do (issue 12) ---------------------------------------------------

QUOTE_MAPPING = "a colon followed by a space starts a mapping: put the whole text in quotes"
WHAT_TO_DO = {
    "a list in a text field": (
        "country: [Ireland, UK]\n", 6,
        'country: expected text, found a list (write the items as one text, such as "a, b")'),
    "a mapping in a text field": (
        "notes:\n  Part one: x\n", 6, f"notes: expected text, found a mapping ({QUOTE_MAPPING})"),
    "a mapping in a list of text": (
        "authors:\n  - family: Smith\n", 7,
        f"authors[0]: expected text, found a mapping ({QUOTE_MAPPING})"),
    "a list in a whole-number field": (
        "year: [2018]\n", 6,
        "year: expected a whole number, found a list (a whole number from 1900 to 2100)"),
    "a mistyped field": (
        "jounral: X\n", 6,
        "jounral: unknown field; did you mean journal? (one of: added_in, analysis_method, "
        "appraisal, authors, contributions, country, curation_status, data_collection, doi, "
        "excerpts, first_author, id, issue, journal, notes, pages, participants, perspective, "
        "sample_size, setting, sources, title, translations, volume, year)"),
    "a mistyped nested field": (
        "    descripton: y\n", 6,
        "sources[0].descripton: unknown field; did you mean description? "
        "(one of: description, url)"),
    "an unquoted colon": (
        "notes: Alliance: a study\n", 6,
        "notes: not valid YAML: mapping values are not allowed here (put the value in quotes: "
        "a colon followed by a space starts a new field)"),
    "an unquoted colon on a continued line": (
        "notes: Alliance\n  and rupture: a study\n", 7,
        "notes: not valid YAML: mapping values are not allowed here (put the value in quotes: "
        "a colon followed by a space starts a new field)"),
}


@pytest.mark.hardening
@pytest.mark.parametrize("case", sorted(WHAT_TO_DO))
def test_the_message_says_what_to_do(case: str, project: Project, write_file: WriteFile,
                                     capsys) -> None:
    extra, line, message = WHAT_TO_DO[case]
    write_file("studies/s1.yaml", STUDY.format(id="s1") + extra)
    assert validate(project, capsys) == (1, [f"studies/s1.yaml:{line}: {message}",
                                            "1 problem(s) in 1 file(s)"])


@pytest.mark.hardening
def test_a_300_character_doi_validates_and_builds_with_its_cached_work(
    project: Project, write_file: WriteFile, capsys
) -> None:
    doi = "10.1234/" + "a" * 300
    write_file("studies/s1.yaml", STUDY.format(id="s1") + f"doi: {doi}\n")
    write_cached_work(project.cache_dir, CachedWork(doi, "2026-06-16T13:35:00Z", {
        "DOI": doi, "title": ["A synthetic study"], "type": "journal-article"}))
    assert validate(project, capsys) == (0, ["5 study record(s) and review.yaml are valid"])
    page = next(p for p in generate_site(project).pages if p.path == "studies/s1.md")
    assert "Citation from Crossref" in str(page.content)
