"""Studies for the reference tests: the shipped records (without Crossref) and hostile ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from build_tools.assemble import Study
from build_tools.citation import citation_from_record

REPO = Path(__file__).resolve().parent.parent

# Synthetic record text for tests only: markup, script, template and format syntax in every field.
HOSTILE_TITLE = ('<script>alert(1)</script> <i>x</i> *b* [l](javascript:alert(1)) {{ 7*7 }} '
                 '{% if %} \ue000} { \\input{x} $m$ & 50% "q"\nER  - \nTY  - X')


def study_from(values: dict[str, Any]) -> Study:
    return Study(str(values["id"]), citation_from_record(values), values, (), {}, ())


def shipped_studies() -> list[Study]:
    """The shipped records' own citation fields, whatever the Crossref cache holds."""
    paths = sorted((REPO / "studies").glob("*.yaml"))
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
