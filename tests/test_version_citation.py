"""Cite this version: APA, BibTeX, RIS, and the CITATION.cff / .zenodo.json a release writes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import rispy
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string

from build_tools.evidence.review import review_from_data
from build_tools.formats.csl import review_item
from build_tools.formats.exports import bibtex_text, ris_text
from build_tools.formats.references import apa_of_item
from build_tools.formats.version_citation import (
    VersionCitation,
    citation_cff,
    zenodo_json,
)
from tests.release_scenario import Scenario, git, two_releases

CFF_SCHEMA = Path(__file__).parent / "data" / "citation-file-format-1.2.0.schema.json"
ZENODO_UPLOAD_TYPES = {"publication", "poster", "presentation", "dataset", "image", "video",
                       "software", "lesson", "physicalobject", "other"}

# SYNTHETIC review metadata, made up for these tests.
REVIEW = {
    "title": "A synthetic living review & its 100% made-up title",
    "question": {"text": "What does a synthetic\nquestion ask?", "source": "x"},
    "citation": {"authors": ["Doe, Jane Ann", "Roe, Rick", "Poe-Lee, Jean-Luc"],
                 "concept_doi": "10.5281/zenodo.1000", "version_doi": "10.5281/zenodo.1002"},
}


def bibtex(c: VersionCitation) -> str:
    """The version's BibTeX, by the writer of the studies' references."""
    return bibtex_text([review_item(c)])


def ris(c: VersionCitation) -> str:
    return ris_text([review_item(c)])


def apa(c: VersionCitation) -> str:
    """The version's APA reference as text, by the formatter of the studies' references."""
    return apa_of_item(review_item(c))[0]


def citation(review: dict | None = None, url: str | None = "https://example.org/lr/"
             ) -> VersionCitation:
    return VersionCitation.from_review(review_from_data(review or REVIEW), "1.2",
                                       dt.date(2026, 11, 30), url)


def check_cff(text: str) -> dict:
    data = yaml.safe_load(text)
    jsonschema.validate(data, json.loads(CFF_SCHEMA.read_text("utf-8")))
    return data


def check_zenodo(text: str) -> dict:
    """The fields Zenodo requires in .zenodo.json, with their types."""
    data = json.loads(text)
    assert data["upload_type"] in ZENODO_UPLOAD_TYPES
    assert data["creators"] and all(c["name"].strip() for c in data["creators"])
    assert data["title"].strip() and data["description"].strip()
    dt.date.fromisoformat(data["publication_date"])
    assert isinstance(data["version"], str)
    return data


def test_apa_with_authors_version_date_and_version_doi() -> None:
    assert apa(citation()) == (
        "Doe, J. A., Roe, R., & Poe-Lee, J.-L. (2026, November 30). A synthetic living review "
        "& its 100% made-up title (Version 1.2) [Living systematic review]. "
        "https://doi.org/10.5281/zenodo.1002")


def test_apa_without_authors_or_doi_puts_the_title_first_and_uses_the_url() -> None:
    assert apa(citation({"title": "T"})) == (
        "T (Version 1.2) [Living systematic review]. (2026, November 30). "
        "https://example.org/lr/1.2/")


def test_bibtex_escapes_and_carries_version_date_doi_and_url() -> None:
    # Written by pybtex, as the studies' references are (its layout: four spaces, quotes).
    assert bibtex(citation()) == (
        "@misc{livingreview_v1_2,\n"
        '    author = "Doe, Jane Ann and Roe, Rick and Poe-Lee, Jean-Luc",\n'
        '    title = "A synthetic living review \\& its 100\\% made-up title",\n'
        '    year = "2026",\n    date = "2026-11-30",\n    version = "1.2",\n'
        '    howpublished = "Living systematic review",\n    doi = "10.5281/zenodo.1002",\n'
        '    url = "https://example.org/lr/1.2/"\n}\n')


def test_ris_carries_version_date_doi_and_url() -> None:
    # Written by rispy, as the studies' references are (with the record's ID).
    assert ris(citation()).splitlines() == [
        "TY  - ELEC", "ID  - livingreview_v1_2",
        "AU  - Doe, Jane Ann", "AU  - Roe, Rick", "AU  - Poe-Lee, Jean-Luc",
        "PY  - 2026", "DA  - 2026/11/30",
        "TI  - A synthetic living review & its 100% made-up title",
        "ET  - 1.2", "M3  - Living systematic review",
        "DO  - 10.5281/zenodo.1002", "UR  - https://example.org/lr/1.2/", "ER  - "]


def test_hostile_review_title_stays_one_record_and_inert() -> None:
    hostile = {"title": "T\\input{/etc/passwd}\nER  - \nTY  - JOUR\n} @misc{x,",
               "citation": {"authors": ["Evil}, {x", "A and B, C"]}}
    text = bibtex(citation(hostile))
    parsed = parse_string(text, "bibtex")
    assert list(parsed.entries) == ["livingreview_v1_2"]
    assert "\\input" not in text and len(parsed.entries["livingreview_v1_2"].persons["author"]) == 2
    records = rispy.loads(ris(citation(hostile)))
    assert len(records) == 1 and records[0]["title"].startswith("T\\input")


# Any text, including the characters BibTeX, RIS and LaTeX act on, and line breaks.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).filter(
    lambda t: t.strip() != "")
NAME = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=","),
               min_size=1, max_size=20).filter(lambda t: any(c.isalnum() for c in t))


@settings(max_examples=150, deadline=None)
@given(title=TEXT, authors=st.lists(st.tuples(NAME, NAME), max_size=3))
@example(title="$0$", authors=[])  # TeX math is braced in BibTeX (found by Hypothesis)
@example(title="Rates $x^2$ and $y_1$ in {braces}", authors=[])
@example(title="--", authors=[])  # LaTeX would print an en dash (found by Hypothesis)
@example(title="``Why?`` ---!`,,<<>>''", authors=[])  # every ligature LaTeX makes
def test_any_title_and_authors_round_trip_through_bibtex_and_ris(
        title: str, authors: list[tuple[str, str]]) -> None:
    review = {"title": title, "citation": {"authors": [f"{f}, {g}" for f, g in authors]}}
    c = citation(review)
    item = review_item(c)
    parsed = parse_string(bibtex(c), "bibtex")
    assert list(parsed.entries) == [c.key]
    fields = parsed.entries[c.key].fields
    assert fields["year"] == "2026" and fields["version"] == "1.2"
    records = rispy.loads(ris(c))
    assert len(records) == 1
    assert records[0]["title"] == item["title"]
    assert records[0].get("authors", []) == [
        f"{a['family']}, {a['given']}" if a.get("given") else a["family"]
        for a in item.get("author", [])]
    assert records[0]["edition"] == "1.2"
    # BibTeX carries the title LaTeX-encoded: decoded, it is the item's title again.
    assert _latex_decoded(fields["title"]) == item["title"]


def _latex_decoded(text: str) -> str:
    import codecs
    import re

    import latexcodec  # noqa: F401  (registers the codec)
    # TeX math is kept as math, braced so BibTeX styles leave its case alone (formats.latex):
    # a literal brace is written \textbraceleft{}, so `{$` can only open such a span.
    text = re.sub(r"\{(\$[^$]*\$)\}", r"\1", text)
    # An empty group between two characters LaTeX would join keeps them apart (formats.latex)
    # and typesets nothing: it is set aside until the ligatures are decoded. Every other `{}`
    # ends a command (\textbraceleft{} and the like).
    text = re.sub(r"(?<=[-`'?!,<>])\{\}", "\x01", text)
    return codecs.decode(text.replace(r"\textbraceleft{}", "{").replace(
        r"\textbraceright{}", "}").replace(r"\textbackslash{}", "\x00").replace(
        r"\textasciicircum{}", "^").replace(r"\$", "$"), "ulatex").replace("\x00", "\\").replace(
        "\x01", "")


@pytest.mark.parametrize("review", [REVIEW, {"title": "Only a title"}])
def test_citation_cff_is_valid_citation_file_format(review: dict) -> None:
    data = check_cff(citation_cff(citation(review)))
    assert (data["version"], data["date-released"]) == ("1.2", "2026-11-30")


def test_citation_cff_lists_both_dois() -> None:
    data = check_cff(citation_cff(citation()))
    assert data["doi"] == "10.5281/zenodo.1002"
    assert [i["value"] for i in data["identifiers"]] == ["10.5281/zenodo.1002",
                                                         "10.5281/zenodo.1000"]


def test_schema_check_rejects_a_broken_citation_cff() -> None:
    broken = citation_cff(citation()).replace("cff-version: 1.2.0\n", "")
    with pytest.raises(jsonschema.ValidationError, match="'cff-version' is a required property"):
        check_cff(broken)


@pytest.mark.parametrize("review", [REVIEW, {"title": "Only a title"}])
def test_zenodo_json_has_what_zenodo_requires(review: dict) -> None:
    data = check_zenodo(zenodo_json(citation(review)))
    assert (data["version"], data["publication_date"]) == ("1.2", "2026-11-30")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return two_releases(tmp_path_factory.mktemp("citation"))


def test_release_commits_valid_citation_files_for_its_version(scenario: Scenario) -> None:
    root = scenario.project.root
    for version, date in (("1.0", "2026-01-15"), ("1.1", "2026-03-01")):
        cff = check_cff(git(root, "show", f"v{version}:CITATION.cff"))
        assert (cff["version"], cff["date-released"]) == (version, date)
        assert cff["url"] == f"https://example.org/living-review/{version}/"
        zenodo = check_zenodo(git(root, "show", f"v{version}:.zenodo.json"))
        assert (zenodo["version"], zenodo["publication_date"]) == (version, date)
    assert (root / "CITATION.cff").read_text("utf-8") == git(root, "show", "v1.1:CITATION.cff")


def test_apa_of_the_review_is_written_by_the_studies_formatter() -> None:
    """The review's APA reference comes from its CSL item through citeproc-py, like the
    studies', with or without authors: the title in italics, once, and the version."""
    text, markup = apa_of_item(review_item(citation()))
    assert text == apa(citation())
    assert "<i>" in markup and "&#40;Version 1&#46;2&#41;" in markup
    # citeproc-py 0.11 repeats the title of a work without authors: it is shown once
    text, markup = apa_of_item(review_item(citation({"title": "T"})))
    assert text.count("T") == 1 and markup.count("<i>T</i>") == 1
    assert markup.startswith("<i>T</i> &#40;Version 1&#46;2&#41; &#91;Living systematic")


@pytest.mark.parametrize("title", ["A title. (With a bracket) in it", "Ends in (brackets)",
                                   "Made-up & odd: a [SYNTHETIC] title"])
@pytest.mark.parametrize("version", ["1.2", None])
def test_apa_without_authors_shows_a_title_holding_brackets_once(
        title: str, version: str | None) -> None:
    c = VersionCitation.from_review(review_from_data({"title": title}), version,
                                    dt.date(2026, 11, 30), None)
    text = apa(c)
    label = " (Version 1.2)" if version else ""
    assert text == f"{title}{label} [Living systematic review]. (2026, November 30).", text
