"""Studies for the reference tests: the scenario's records (without Crossref) and hostile ones."""

from __future__ import annotations

from typing import Any

import yaml

from build_tools.crossref.works import citation_from_record
from build_tools.evidence.assemble import Study
from tests.factories import DEFAULT_SCENARIO, SCENARIOS

# Synthetic record text for tests only: markup, script, template and format syntax in every field.
HOSTILE_TITLE = ('<script>alert(1)</script> <i>x</i> *b* [l](javascript:alert(1)) {{ 7*7 }} '
                 '{% if %} \ue000} { \\input{x} $m$ & 50% "q"\nER  - \nTY  - X')


def study_from(values: dict[str, Any]) -> Study:
    return Study(str(values["id"]), citation_from_record(values), values, (), {}, ())


def scenario_studies() -> list[Study]:
    """The scenario's records' own citation fields (tests/scenarios; never the live studies/)."""
    paths = sorted((SCENARIOS / DEFAULT_SCENARIO / "studies").glob("*.yaml"))
    return [study_from(yaml.safe_load(p.read_text("utf-8"))) for p in paths]


def hostile_study(**overrides: Any) -> Study:
    values: dict[str, Any] = {
        "id": "hostile2020", "title": HOSTILE_TITLE,
        "authors": ["O'Brien, Ann", "Smith and Jones, {Bob}", "Back\\slash, }x"],
        "year": 2020, "journal": '=HYPERLINK("http://x")', "pages": "1-2",
        "doi": "10.1234/abc_{x}",
    }
    values.update(overrides)
    return study_from(values)
