"""Docs are tested: every command has help with an example and a section in the command
reference, every schema field has a description in the data dictionary, and the files derived
from the schema and review.yaml are up to date."""

from __future__ import annotations

import argparse
import re

import pytest

from build_tools.cli.main import main, make_parser
from build_tools.core.project import Project
from build_tools.evidence.review import review_from_data
from build_tools.pages.data_dictionary import undocumented_fields
from build_tools.pages.derived_docs import derived_files, eligibility_markdown
from build_tools.records.load import load_records
from build_tools.records.schema import PackageSchema
from tests.conftest import REPO

CLI_DOC = REPO / "docs" / "reference" / "cli.md"
DICTIONARY = REPO / "docs" / "reference" / "data-dictionary.md"
COMMON = {"--project", "--debug", "-h", "--help"}


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def cli_sections() -> dict[str, str]:
    parts = re.split(r"^## `livingreview (\S+)`\n", CLI_DOC.read_text("utf-8"), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def shipped_schema() -> PackageSchema:
    return PackageSchema.from_document(load_records(Project.at(REPO), only=set()).schema)


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_help_with_an_example(name, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert re.search(r"^Example:\n  livingreview " + re.escape(name), help_text, re.M), help_text
    assert commands()[name].description


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_and_option_is_in_the_command_reference(name) -> None:
    sections = cli_sections()
    assert name in sections, f"docs/reference/cli.md has no section for `livingreview {name}`"
    options = {o for a in commands()[name]._actions for o in a.option_strings} - COMMON
    missing = sorted(o for o in options if f"`{o}" not in sections[name])
    assert missing == [], f"livingreview {name}: options missing from docs/reference/cli.md"


def test_common_options_are_in_the_command_reference() -> None:
    text = CLI_DOC.read_text("utf-8")
    assert "`--project FOLDER`" in text and "`--debug`" in text


def test_every_schema_field_has_a_description() -> None:
    assert undocumented_fields(shipped_schema()) == []


def test_undocumented_field_is_found(project) -> None:
    text = project.schema_file.read_text("utf-8")
    project.schema_file.write_text(text.replace(
        "          description: Journal issue.\n", ""), "utf-8")
    schema = PackageSchema.from_document(load_records(project, only=set()).schema)
    assert undocumented_fields(schema) == ["studies.issue"]


def test_every_schema_field_is_in_the_data_dictionary() -> None:
    text = DICTIONARY.read_text("utf-8")
    for table in shipped_schema().tables:
        for spec in table.record_fields:
            assert f"| `{spec.name}` |" in text, f"{table.name}.{spec.name}"


def test_derived_files_are_up_to_date() -> None:
    for derived in derived_files(Project.at(REPO)):
        assert derived.path.read_text("utf-8") == derived.content, (
            f"{derived.path.relative_to(REPO)} is out of date: run `livingreview docs`")


def test_docs_check_fails_when_the_schema_changed_and_docs_repairs_it(project, capsys) -> None:
    assert (project.root / "CONTRIBUTING.md").is_file()  # the scenario's own
    assert main(["docs", "--check", "--project", str(project.root)]) == 0
    text = project.schema_file.read_text("utf-8")
    project.schema_file.write_text(text.replace("description: Journal volume.",
                                                "description: The journal's volume."), "utf-8")
    capsys.readouterr()
    assert main(["docs", "--check", "--project", str(project.root)]) == 1
    assert capsys.readouterr().err == (
        "schema/study.schema.json: out of date; run: livingreview docs\n"
        "docs/reference/data-dictionary.md: out of date; run: livingreview docs\n")
    assert main(["docs", "--project", str(project.root)]) == 0
    assert capsys.readouterr().out == (
        "Wrote schema/study.schema.json, docs/reference/data-dictionary.md\n")
    assert "The journal's volume." in (project.root / "schema/study.schema.json").read_text()
    assert main(["docs", "--check", "--project", str(project.root)]) == 0


def test_eligibility_in_contributing_follows_review_yaml(project, capsys) -> None:
    assert (project.root / "CONTRIBUTING.md").is_file()  # the scenario's own
    review = project.review_file.read_text("utf-8")
    project.review_file.write_text(review.replace(
        "Peer-reviewed qualitative studies were eligible",
        "Peer-reviewed <b>qualitative</b> studies were eligible"), "utf-8")
    assert main(["docs", "--check", "--project", str(project.root)]) == 1
    assert main(["docs", "--project", str(project.root)]) == 0
    text = (project.root / "CONTRIBUTING.md").read_text("utf-8")
    assert "> Peer-reviewed &lt;b&gt;qualitative&lt;/b&gt; studies were eligible" in text


def test_eligibility_markdown_without_an_entry_says_what_to_add() -> None:
    assert eligibility_markdown(review_from_data({"methods": []})) == (
        "> Not yet written: add a `methods` entry with `id: eligibility` to `review.yaml`.\n")
