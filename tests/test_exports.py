"""BibTeX (pybtex), RIS (rispy) and CSL-JSON exports: exact output, and hostile text kept inert."""

from __future__ import annotations

import json
import re

import rispy
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string

from build_tools.formats.csl import csl_item
from build_tools.formats.exports import bibtex_text, csl_items, csl_json_text, ris_text
from build_tools.formats.latex import verbatim_safe
from build_tools.formats.reference_formats import REFERENCE_FORMATS
from tests.refdata import hostile_study, scenario_studies


def _by_id(study_id: str):
    return next(s for s in scenario_studies() if s.id == study_id)


def test_csl_item_first_author_only_keeps_one_author_and_a_note():
    assert csl_item("alonzo-2017", _by_id("alonzo-2017").citation) == {
        "id": "alonzo-2017",
        "type": "article-journal",
        "author": [{"family": "Alonzo"}],
        "issued": {"date-parts": [[2017]]},
        "title": "Individuals at risk for suicide: Mental health clinicians' perspectives on "
                 "barriers to and facilitators of treatment engagement",
        "container-title": "Crisis: The Journal of Crisis Intervention and Suicide Prevention",
        "volume": "38",
        "page": "158-167",
        "DOI": "10.1027/0227-5910/a000427",
        "note": "author list incomplete: only the first author is recorded",
    }


def test_csl_item_leaves_unknown_fields_out():
    item = csl_item("awenat-psychosis-9-38", _by_id("awenat-psychosis-9-38").citation)
    assert "issued" not in item and "issue" not in item


def test_bibtex_text_shipped_study():
    assert bibtex_text(csl_items([_by_id("aherne-2018")])) == (
        "@article{aherne-2018,\n"
        '    author = "Aherne, Cian and Coughlan, Barry and Surgenor, Paul",\n'
        "    title = \"Therapists' perspectives on suicide: "
        "A conceptual model of connectedness\",\n"
        '    journal = "Psychotherapy Research",\n'
        '    year = "2018",\n'
        '    volume = "28",\n'
        '    pages = "803--819",\n'
        '    doi = "10.1080/10503307.2017.1359428"\n'
        "}\n"
    )


def test_bibtex_text_hostile_record_parses_back_as_one_entry_with_its_names():
    text = bibtex_text(csl_items([hostile_study()]))
    parsed = parse_string(text, "bibtex")
    assert list(parsed.entries) == ["hostile2020"]
    entry = parsed.entries["hostile2020"]
    assert [str(p) for p in entry.persons["author"]] == [
        "O'Brien, Ann", "{Smith and Jones}, \\textbraceleft{}Bob\\textbraceright{}",
        "Back\\textbackslash{}slash, \\textbraceright{}x"]
    assert "\\input" not in text and "\\textbackslash{}input" in text
    assert set(entry.fields) == {"title", "journal", "year", "pages", "doi"}


_LIGATURE_PAIR = re.compile(r"--|``|''|[?!]`|,,|<<|>>")  # pairs LaTeX's fonts join into one glyph


@given(st.text(alphabet="-`'?!,<> ab{}", min_size=1, max_size=30)
       .filter(lambda t: t.strip() != ""))
def test_bibtex_fields_hold_no_pair_latex_would_join(title: str) -> None:
    """`--` in a record is two hyphens, not an en dash: every field, names included, breaks
    such pairs with an empty group."""
    item = {"id": "x", "type": "article-journal", "title": title, "container-title": title,
            "author": [{"family": title, "given": title}]}
    text = bibtex_text([item])
    entry = parse_string(text, "bibtex").entries["x"]
    values = [*entry.fields.values(), *(str(p) for p in entry.persons["author"])]
    assert not [value for value in values if _LIGATURE_PAIR.search(value)]


@given(st.text(alphabet="-_%#&~`'<>,;:()/.abc19{}\"\\ ", min_size=1, max_size=20))
@example("abc_def--1%2")  # what `\_`, `-{}-` or `\%` would break
def test_a_doi_is_written_verbatim_when_it_can_be_and_always_parses(suffix: str) -> None:
    """biblatex reads `doi` verbatim: `_`, `%` or `--` in a DOI stay as they are; a DOI with a
    brace, quote, backslash or space is escaped like text, so the file still parses."""
    doi = f"10.1234/{suffix}"
    text = bibtex_text([{"id": "x", "type": "article-journal", "title": "T", "DOI": doi}])
    entries = parse_string(text, "bibtex").entries
    assert list(entries) == ["x"]
    if verbatim_safe(doi):
        assert entries["x"].fields["doi"] == doi


def test_ris_text_shipped_study():
    assert ris_text(csl_items([_by_id("fogarty-2021")])) == (
        "TY  - JOUR\nID  - fogarty-2021\nAU  - Fogarty, Bríd\nAU  - Houghton, S.\n"
        "AU  - Galavan, Eoin\nAU  - O'Súilleabháin, P. S.\nPY  - 2021\n"
        "TI  - Clinicians' experience of collaboration in the treatment of suicidal clients "
        "within the Collaborative Assessment and Management of Suicidality framework\n"
        "T2  - Omega: Journal of Death and Dying\nDO  - 10.1177/00302228211020579\nER  - \n"
    )


def test_ris_text_newlines_in_a_field_cannot_start_a_record():
    text = ris_text(csl_items([hostile_study()]))
    records = rispy.loads(text)
    assert len(records) == 1
    assert records[0]["title"].endswith('"q" ER - TY - X')
    assert [line[:2] for line in text.splitlines()] == [
        "TY", "ID", "AU", "AU", "AU", "PY", "TI", "T2", "DO", "SP", "EP", "ER"]


def test_csl_json_text_round_trips_hostile_text_unchanged_but_on_one_line():
    (item,) = json.loads(csl_json_text(csl_items([hostile_study()])))
    assert item["title"] == " ".join(hostile_study().citation.title.split())
    assert item["author"][2] == {"family": "Back\\slash", "given": "}x"}


def test_exports_of_no_studies_are_empty():
    assert bibtex_text([]) == "" and ris_text([]) == "" and csl_json_text([]) == "[]\n"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(range(8)), max_size=6), st.text(max_size=30))
def test_each_file_is_its_items_entries_joined(picks: list[int], text: str) -> None:
    """A rebuild writes the Downloads' files from kept one-study texts (references.py): the
    join of the entries must be the file written from all the items at once."""
    pool = [*csl_items([_by_id("fogarty-2021"), hostile_study()]),
            {"id": "plain", "type": "book", "title": text},
            {"id": "x", "type": "article-journal", "title": text,
             "author": [{"family": text or "F", "given": "G"}],
             "issued": {"date-parts": [[2020, 1, 2]]}, "page": "1-2", "note": text},
            {"id": "nothing", "type": "document"},
            {"id": "u", "type": "webpage", "URL": "https://example.org/x", "PMID": "123"},
            {"id": "v", "type": "report", "genre": text, "version": "2"},
            {"id": "w", "type": "article-journal", "DOI": "10.1/x"}]
    items = [pool[pick] for pick in picks]
    for reference_format in REFERENCE_FORMATS:
        assert reference_format.join([reference_format.entry(item) for item in items]) == \
            reference_format.write(items), reference_format.name
