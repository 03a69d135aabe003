"""libyaml composes the records when it can; the result equals the pure-Python composer's."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools.core.errors import YamlProblem
from build_tools.records.yaml_source import parse_yaml, read_yaml_file
from tests.factories import SCENARIOS

# Every YAML file of every scenario (tests/scenarios): the review, the studies and the schema.
SCENARIO_FILES = sorted(SCENARIOS.glob("*/**/*.yaml"))


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_libyaml_and_python_composers_agree(path: Path, monkeypatch) -> None:
    fast = read_yaml_file(path, path.name)
    import build_tools.records.yaml_source as source

    monkeypatch.setattr(source, "_CComposer", None)
    slow = read_yaml_file(path, path.name)
    assert (fast.data, fast.lines) == (slow.data, slow.lines)


def test_an_alias_is_refused_at_its_own_line() -> None:
    with pytest.raises(YamlProblem) as raised:
        parse_yaml(b"a: &x [1]\nb: *x\n", "studies/x.yaml")
    assert str(raised.value) == ("studies/x.yaml:2: b: alias *x is not allowed (write each value "
                                 "out in full; anchors and aliases are refused)")


def test_a_syntax_error_names_its_line() -> None:
    with pytest.raises(YamlProblem) as raised:
        parse_yaml(b"id: x\ntitle: [unclosed\n", "studies/x.yaml")
    assert str(raised.value).startswith("studies/x.yaml:3: (file): not valid YAML: ")
