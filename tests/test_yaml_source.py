"""The YAML reader: every unsafe or malformed input is refused with file, line and a remedy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from build_tools.core.errors import YamlProblem
from build_tools.records.yaml_source import parse_yaml, read_yaml_file


def problem_of(raw: bytes) -> str:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(raw, "studies/x.yaml")
    return str(caught.value.problem)


def test_parse_yaml_keeps_the_line_of_every_value() -> None:
    document = parse_yaml(b"id: x\nsources:\n  - description: a\n    url: b\n", "s.yaml")
    assert document.data == {"id": "x", "sources": [{"description": "a", "url": "b"}]}
    assert document.line_of(("sources", 0, "url")) == 4
    assert document.line_of(("sources", 0, "missing")) == 3


def test_parse_yaml_keeps_yes_no_and_times_as_text() -> None:
    document = parse_yaml(b"a: yes\nb: no\nc: NO\nd: 1:20\ne: 010\nf: 2024-04-01\n", "s.yaml")
    assert document.data == {"a": "yes", "b": "no", "c": "NO", "d": "1:20", "e": 10,
                             "f": dt.date(2024, 4, 1)}


def test_parse_yaml_accepts_bom_and_crlf() -> None:
    document = parse_yaml(b"\xef\xbb\xbfid: x\r\nyear: 2020\r\n", "s.yaml")
    assert document.data == {"id": "x", "year": 2020}
    assert document.line_of(("year",)) == 2


def test_parse_yaml_refuses_malformed_yaml() -> None:
    assert problem_of(b"id: x\ntitle: [unclosed\n") == (
        "studies/x.yaml:3: (file): not valid YAML: while parsing a flow sequence expected ',' "
        "or ']', but got '<stream end>' (plain YAML only: text, numbers, true/false, dates, "
        "lists and mappings)"
    )


def test_parse_yaml_refuses_tab_indentation() -> None:
    assert problem_of(b"sources:\n\t- description: a\n") == (
        "studies/x.yaml:2: (file): tab character in indentation "
        "(indent with spaces; YAML does not allow tabs there)"
    )


def test_parse_yaml_refuses_a_key_given_twice() -> None:
    assert problem_of(b"id: x\ntitle: a\ntitle: b\n") == (
        "studies/x.yaml:3: title: appears twice in one mapping (first on line 2) (each field once)"
    )


def test_parse_yaml_refuses_python_tags_without_constructing_them(tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    raw = f"id: !!python/object/apply:os.system ['touch {marker}']\n".encode()
    assert problem_of(raw) == (
        "studies/x.yaml:1: id: tag !!python/object/apply:os.system is not allowed "
        "(plain YAML only: text, numbers, true/false, dates, lists and mappings)"
    )
    assert not marker.exists()


def test_parse_yaml_refuses_an_alias_bomb_before_expanding_it() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    raw = ("\n".join(lines) + "\n").encode()
    assert problem_of(raw) == (
        "studies/x.yaml:2: b[0]: alias *a is not allowed "
        "(write each value out in full; anchors and aliases are refused)"
    )


def test_parse_yaml_refuses_an_empty_file() -> None:
    assert problem_of(b"# only a comment\n") == (
        "studies/x.yaml:1: (file): file is empty (a YAML mapping of fields)"
    )


def test_parse_yaml_refuses_text_that_is_not_utf8() -> None:
    assert problem_of(b"id: x\ntitle: caf\xe9\n") == (
        "studies/x.yaml:2: (file): byte 0xe9 is not UTF-8 (save the file as UTF-8)"
    )


def test_read_yaml_file_refuses_a_file_over_one_mebibyte(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"notes: '" + b"x" * (1024 * 1024) + b"'\n")
    with pytest.raises(YamlProblem) as caught:
        read_yaml_file(path, "studies/big.yaml")
    assert str(caught.value.problem) == (
        "studies/big.yaml:1: (file): file is 1,048,586 bytes "
        "(at most 1,048,576 bytes (1 MiB) per file)"
    )


def test_parse_yaml_refuses_a_number_too_large_to_publish() -> None:
    assert problem_of(b"sample_size: 9223372036854775808\n") == (
        "studies/x.yaml:1: sample_size: cannot read '9223372036854775808' as int: too large for "
        "a number; put it in quotes to keep it as text (plain YAML only: text, numbers, "
        "true/false, dates, lists and mappings)"
    )


@pytest.mark.parametrize(("raw", "tag"), [(b"d: !!bool maybe\n", "bool"),
                                          (b'd: !!float ""\n', "float"),
                                          (b"d: !!timestamp 2020-01-02 x\n", "timestamp")])
def test_parse_yaml_locates_an_explicit_tag_on_text_outside_its_pattern(raw: bytes,
                                                                         tag: str) -> None:
    """PyYAML's constructors fail with a KeyError, IndexError or AttributeError there."""
    assert problem_of(raw).startswith("studies/x.yaml:1: d: cannot read ")
    assert f" as {tag}: not a " in problem_of(raw)


def test_parse_yaml_refuses_a_second_document() -> None:
    assert problem_of(b"id: x\n---\nid: y\n") == (
        "studies/x.yaml:2: (file): not valid YAML: more than one document (a line `---` starts "
        "a second one) (one document per file)"
    )


def test_parse_yaml_names_the_field_of_an_unquoted_colon_in_a_list_item() -> None:
    assert problem_of(b"id: x\nsources:\n  - description: Interview: notes\n") == (
        "studies/x.yaml:3: sources[0].description: not valid YAML: mapping values are not "
        "allowed here (put the value in quotes: a colon followed by a space starts a new field)"
    )


def test_parse_yaml_locates_a_control_character_in_a_comment_by_its_line() -> None:
    assert problem_of(b"id: x\n# a\x0cb\ntitle: y\n") == (
        "studies/x.yaml:2: (file): holds the control character U+000C (form feed) (remove it; "
        "of the control characters only tab and line breaks are allowed)"
    )
