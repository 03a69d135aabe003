"""APA 7 references from citeproc-py: exact text for the shipped studies, inert hostile text."""

from __future__ import annotations

from build_tools.formats.references import apa_references, cite_studies
from tests.refdata import hostile_study, scenario_studies, study_from

AHERNE_TEXT = (
    "Aherne, C., Coughlan, B., & Surgenor, P. (2018). Therapists' perspectives on suicide: A "
    "conceptual model of connectedness. Psychotherapy Research, 28, 803–819. "
    "https://doi.org/10.1080/10503307.2017.1359428"
)
AHERNE_MARKUP = (
    "Aherne, C&#46;, Coughlan, B&#46;, &#38; Surgenor, P&#46; &#40;2018&#41;&#46; Therapists&#39; "
    "perspectives on suicide&#58; A conceptual model of connectedness&#46; "
    "<i>Psychotherapy Research</i>, <i>28</i>, 803–819&#46; "
    '<a href="https://doi.org/10.1080/10503307.2017.1359428">https&#58;&#47;&#47;doi&#46;org&#47;'
    "10&#46;1080&#47;10503307&#46;2017&#46;1359428</a>"
)


def test_apa_references_shipped_studies_in_apa_order():
    references = apa_references(scenario_studies())
    assert [r.study_id for r in references] == [
        "aherne-2018", "alonzo-2017", "awenat-psychosis-9-38", "fogarty-2021"]
    assert references[0].text == AHERNE_TEXT
    assert str(references[0].markup) == AHERNE_MARKUP
    assert references[3].text == (
        "Fogarty, B., Houghton, S., Galavan, E., & O'Súilleabháin, P. S. (2021). Clinicians' "
        "experience of collaboration in the treatment of suicidal clients within the "
        "Collaborative Assessment and Management of Suicidality framework. Omega: Journal of "
        "Death and Dying. https://doi.org/10.1177/00302228211020579"
    )


def test_apa_references_first_author_only_invents_no_coauthor_and_says_so():
    awenat = apa_references(scenario_studies())[2]
    assert awenat.text == (
        "Awenat. (n.d.). A qualitative analysis of the experiences of people with psychosis of "
        "a novel cognitive behavioural therapy targeting suicidality. Psychosis, 9, 38. "
        "https://doi.org/10.1080/17522439.2016.1198827"
    )
    assert awenat.missing == ("full author list", "year")
    assert str(awenat.gaps) == (
        '<span class="lr-missing">Not yet curated&#58; full author list, year &#40;the APA style '
        "shows an unknown year as “n&#46;d&#46;”&#41;&#59; only the first author is "
        "recorded.</span>"
    )


def test_apa_references_complete_citation_has_no_gaps():
    assert str(apa_references(scenario_studies())[0].gaps) == ""


def test_apa_references_hostile_title_is_inert():
    (reference,) = apa_references([hostile_study()])
    markup = str(reference.markup)
    for dangerous in ("<script", "<i>x", "javascript:", "{{", "{%", "*b*", "[l]", "\ue000"):
        assert dangerous not in markup
    # Only the style's own italics are tags; the record's <i> is text.
    assert markup.count("<i>") == 1
    assert "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62;" in markup
    assert "<a " not in markup  # a DOI that does not print as its own address is not linked


def test_apa_references_same_author_and_year_sorted_by_title():
    """citeproc-py 0.11 does not add APA's year suffixes (2019a, 2019b); pinned so we notice."""
    base = {"authors": ["Smith, Ann"], "year": 2019, "journal": "J"}
    studies = [study_from({"id": "b", "title": "Beta", **base}),
               study_from({"id": "a", "title": "Alpha", **base})]
    texts = [r.text for r in apa_references(studies)]
    assert texts == ["Smith, A. (2019). Alpha. J.", "Smith, A. (2019). Beta. J."]


def test_apa_references_no_studies():
    assert apa_references([]) == []


def test_cite_studies_keys_in_apa_order_with_all_three_formats():
    citations = cite_studies(scenario_studies())
    assert list(citations) == ["aherne-2018", "alonzo-2017", "awenat-psychosis-9-38",
                               "fogarty-2021"]
    alonzo = citations["alonzo-2017"]
    assert alonzo.bibtex.startswith("@article{alonzo-2017,\n")
    assert alonzo.ris.startswith("TY  - JOUR\nID  - alonzo-2017\n")


def test_a_work_without_authors_shows_its_title_once_in_the_authors_place():
    """APA: no author, so the title leads; citeproc-py 0.11 also repeated it after the date."""
    journal = study_from({"id": "a", "title": "A made-up title", "year": 2020,
                          "journal": "J Synth", "volume": "3", "pages": "1-2"})
    bare = study_from({"id": "b", "title": "Only a title"})
    texts = {r.study_id: r.text for r in apa_references([journal, bare])}
    assert texts == {"a": "A made-up title. (2020). J Synth, 3, 1–2.",
                     "b": "Only a title. (n.d.)."}


def test_a_work_without_authors_whose_title_holds_brackets_shows_it_once():
    study = study_from({"id": "a", "title": "A title. (With a bracket) in it", "year": 2020,
                        "journal": "J Synth"})
    assert [r.text for r in apa_references([study])] == [
        "A title. (With a bracket) in it. (2020). J Synth."]


def test_a_title_that_recurs_in_a_work_with_authors_is_left_alone():
    study = study_from({"id": "c", "title": "Smith", "authors": ["Smith, Ann"], "year": 2019,
                        "journal": "J"})
    assert [r.text for r in apa_references([study])] == ["Smith, A. (2019). Smith. J."]
