"""Identifiers beyond DOI (arXiv, PubMed, URL, entry type, citation key): the rules, located
problems, links on study pages, and what BibTeX, RIS and CSL-JSON keep. All data is synthetic
(tests/factories.py): the identifiers are valid in form but never assigned."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rispy
from pybtex.database import parse_string

from build_tools.core import identifiers as ids
from build_tools.core.errors import Code
from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.formats.exports import bibtex_text, csl_items, ris_text
from build_tools.pages.generate import generate_site
from tests.factories import (
    SYNTHETIC_PMID,
    make_preprint_project,
    make_record,
    with_identifier_fields,
    write_record,
)


@pytest.mark.parametrize("value", ["2101.99901", "2101.99901v2", "0704.0001", "1412.9999",
                                   "hep-th/9901001", "math.GT/0309136v1", "solv-int/9901001v2"])
def test_arxiv_identifiers_of_both_schemes_are_accepted(value: str) -> None:
    assert ids.arxiv_problem(value) is None


@pytest.mark.parametrize(("value", "words"), [
    ("arXiv:2101.99901", "prefix"), ("https://arxiv.org/abs/2101.99901", "link"),
    ("2101.9990", "not a possible"), ("1412.99999", "not a possible"),
    ("2113.99901", "not a possible"), ("0612.0001", "not a possible"),
    ("2101.99901v0", "not an arXiv"), ("hep-th/99010", "not an arXiv"),
    ("HEP-TH/9901001", "not an arXiv"), ("hep-th/9913001", "not an arXiv"), (2101.5, "not text"),
])
def test_arxiv_identifiers_are_refused_with_what_is_allowed(value: object, words: str) -> None:
    problem = ids.arxiv_problem(value)
    assert problem is not None and words in problem[0]


@pytest.mark.parametrize(("value", "ok"), [
    ("31452104", True), (31452104, True), ("1", True), ("0123", False), ("PMID: 31452104", False),
    ("https://pubmed.ncbi.nlm.nih.gov/31452104/", False), ("1234567890", False), (True, False),
])
def test_pubmed_ids(value: object, ok: bool) -> None:
    assert (ids.pmid_problem(value) is None) is ok


def test_every_entry_type_reads_in_csl_bibtex_and_ris() -> None:
    assert ids.entry_type(None, has_journal=True).bibtex == "article"
    assert ids.entry_type(None, has_journal=False) == ids.EntryType("article", "misc", "GEN")
    assert ids.entry_type("phdthesis", has_journal=False).csl == "thesis"
    for name, kind in ids.ENTRY_TYPES.items():
        assert ids.csl_entry_type(kind.csl).csl == kind.csl, name


def _problems(project: Project) -> list[tuple[str, int, str, Code, str]]:
    validation = check_project(project).validation
    assert validation is not None
    return [(Path(p.file).name, p.line, p.field, p.code, p.allowed) for p in validation.problems]


def test_bad_identifiers_are_located_problems_naming_what_is_allowed(tmp_path: Path) -> None:
    project = with_identifier_fields(_tiny(tmp_path))
    write_record(project.studies_dir, make_record(
        id="s1", arxiv="arXiv:2101.99901", pmid="PMID 1", url="javascript:alert(1)",
        entry_type="journal", citation_key="has space"))
    found = {(p[0], p[1], p[2], p[3]) for p in _problems(project)}
    assert found == {
        ("s1.yaml", 6, "arxiv", Code.BAD_ARXIV), ("s1.yaml", 7, "pmid", Code.BAD_PMID),
        ("s1.yaml", 8, "url", Code.BAD_URL), ("s1.yaml", 9, "entry_type", Code.BAD_ENTRY_TYPE),
        ("s1.yaml", 10, "citation_key", Code.BAD_CITATION_KEY),
    }
    allowed = {p[2]: p[4] for p in _problems(project)}
    assert "inproceedings" in allowed["entry_type"]
    assert "letters, digits" in allowed["citation_key"]


def test_a_shared_arxiv_id_pmid_or_key_is_a_duplicate(tmp_path: Path) -> None:
    project = with_identifier_fields(_tiny(tmp_path))
    write_record(project.studies_dir, make_record(id="s1", arxiv="2101.99901",
                                                  pmid=SYNTHETIC_PMID, citation_key="Key1"))
    write_record(project.studies_dir, make_record(id="s2", arxiv="2101.99901v3",
                                                  pmid=SYNTHETIC_PMID, citation_key="key1"))
    write_record(project.studies_dir, make_record(id="s3", citation_key="s4"))
    write_record(project.studies_dir, make_record(id="s4"))
    duplicates = sorted((p[0], p[2]) for p in _problems(project)
                        if p[3] == Code.DUPLICATE_IDENTIFIER)
    assert duplicates == [("s2.yaml", "arxiv"), ("s2.yaml", "citation_key"), ("s2.yaml", "pmid"),
                          ("s3.yaml", "citation_key")]


def test_a_review_without_identifier_fields_refuses_them_as_unknown(tmp_path: Path) -> None:
    project = _tiny(tmp_path)
    write_record(project.studies_dir, make_record(id="s1", arxiv="2101.99901"))
    assert [(p[2], p[3]) for p in _problems(project)] == [("arxiv", Code.UNKNOWN_FIELD)]


@pytest.fixture(scope="module")
def preprints(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_preprint_project(tmp_path_factory.mktemp("preprints"))


def test_study_pages_link_arxiv_pubmed_and_the_web_address(preprints: Project) -> None:
    pages = {page.path: page.content for page in generate_site(preprints).pages}
    preprint = str(pages["studies/synthetic-preprint-3.md"])
    assert '<a href="https://arxiv.org/abs/hep-ex/0101999">' in preprint
    paper = str(pages["studies/synthetic-paper.md"])
    assert f'<a href="https://pubmed.ncbi.nlm.nih.gov/{SYNTHETIC_PMID}/">' in paper
    assert '<a href="https://example.org/synthetic-paper">' in paper
    paper_citation, paper_characteristics = paper.split("characteristics<a", 1)
    preprint_citation, preprint_characteristics = preprint.split("characteristics<a", 1)
    assert "<td>arXiv</td>" not in paper_citation and "<td>PubMed</td>" not in preprint_citation
    # shown as links in the citation, not again as characteristics
    assert "<td>Citation key</td>" not in paper_characteristics
    assert "<td>arXiv</td>" not in preprint_characteristics


def test_exports_keep_identifiers_entry_types_and_keys(preprints: Project) -> None:
    studies = generate_site(preprints).evidence.studies
    items = {item["id"]: item for item in csl_items(studies)}
    assert items["synthetic-preprint-1"].items() >= {
        "type": "article", "number": "arXiv:2101.99901", "archive": "arXiv",
        "URL": "https://arxiv.org/abs/2101.99901"}.items()
    assert items["synthetic-paper"].items() >= {
        "type": "paper-conference", "citation-key": "Synthetic2020a", "PMID": SYNTHETIC_PMID,
        "URL": "https://example.org/synthetic-paper"}.items()
    assert items["synthetic-paper"]["custom"] == {"bibtex-type": "inproceedings"}

    bib = parse_string(bibtex_text(csl_items(studies)), "bibtex")
    paper = bib.entries["Synthetic2020a"]
    assert paper.type == "inproceedings"
    assert paper.fields["pmid"] == SYNTHETIC_PMID
    assert paper.fields["url"] == "https://example.org/synthetic-paper"
    old = bib.entries["synthetic-preprint-3"]
    assert (old.type, old.fields["eprint"], old.fields["archivePrefix"]) == (
        "misc", "hep-ex/0101999", "arXiv")

    ris = {r["id"]: r for r in rispy.loads(ris_text(csl_items(studies)))}
    assert ris["Synthetic2020a"]["type_of_reference"] == "CPAPER"
    assert ris["Synthetic2020a"]["accession_number"] == SYNTHETIC_PMID
    assert ris["Synthetic2020a"]["urls"] == [
        "https://example.org/synthetic-paper", f"https://pubmed.ncbi.nlm.nih.gov/{SYNTHETIC_PMID}/"]
    assert ris["synthetic-preprint-2"]["accession_number"] == "arXiv:2101.99902v2"
    assert ris["synthetic-preprint-2"]["type_of_reference"] == "GEN"


def test_a_phd_thesis_stays_a_phd_thesis_in_bibtex(tmp_path: Path) -> None:
    project = with_identifier_fields(_tiny(tmp_path))
    write_record(project.studies_dir, make_record(id="s1", entry_type="phdthesis"))
    write_record(project.studies_dir, make_record(id="s2", entry_type="mastersthesis"))
    studies = generate_site(project).evidence.studies
    assert re.findall(r"^@(\w+)\{(\w+),", bibtex_text(csl_items(studies)), re.M) == [
        ("phdthesis", "s1"), ("mastersthesis", "s2")]
    assert {item["type"] for item in csl_items(studies)} == {"thesis"}


def _tiny(tmp_path: Path) -> Project:
    from tests.factories import make_project
    project = make_project(tmp_path / "p", "tiny-review")
    for path in project.studies_dir.glob("*.yaml"):
        path.unlink()
    return project


def test_editors_get_the_identifier_rules_in_the_json_schema(preprints: Project) -> None:
    from build_tools.formats.json_schema import study_json_schema

    schema = check_project(preprints).schema
    assert schema is not None
    properties = study_json_schema(schema)["properties"]
    assert re.search(properties["arxiv"]["pattern"], "hep-ex/0101999")
    assert not re.search(properties["arxiv"]["pattern"], "arXiv:2101.99901")
    assert "inproceedings" in properties["entry_type"]["enum"]
    assert properties["url"]["format"] == "uri"
    assert not re.search(properties["pmid"]["pattern"], "PMID 1")
