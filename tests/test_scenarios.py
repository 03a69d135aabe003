"""The scenarios under tests/scenarios are the tests' own data: valid, clearly owned, and (for the
copy of the shipped review) in step with the generator's shipped schema and site configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools.evidence.checks import check_project
from tests.factories import DEFAULT_SCENARIO, REPO, SCENARIOS, make_project

# Generator-side files the copy of the shipped review keeps identical: a schema or site change
# is tested against the scenario only if the scenario has it too. review.yaml and the studies
# are review data and belong to the scenario.
MIRRORED = ["schema/datapackage.yaml", "schema/study.schema.json", "mkdocs.yml",
            "docs/reference/data-dictionary.md"]


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir()))
def test_every_scenario_is_a_valid_review(name: str, tmp_path: Path) -> None:
    checked = check_project(make_project(tmp_path, name))
    records, validation = checked.records, checked.validation
    assert validation is not None, records.problems
    assert validation.errors == ()


@pytest.mark.parametrize("relative", MIRRORED)
def test_the_copy_of_the_shipped_review_keeps_the_shipped_generator_files(relative: str) -> None:
    scenario = SCENARIOS / DEFAULT_SCENARIO / relative
    assert scenario.read_text("utf-8") == (REPO / relative).read_text("utf-8"), (
        f"copy {relative} to tests/scenarios/{DEFAULT_SCENARIO}/{relative}")

