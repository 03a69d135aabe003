"""Citations from cached Crossref works (recorded responses), and how the pages show them."""

from __future__ import annotations

import pytest

from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, write_cached_work
from build_tools.crossref.works import (
    Author,
    Update,
    citation_from_record,
    citation_from_work,
    work_authors,
    work_updates,
)
from build_tools.pages.generate import generate_site
from tests.crossref_fixtures import work

RECORD = citation_from_record({"title": "Record title", "year": 1999, "journal": "Record J",
                               "pages": "1-2", "doi": "10.1/x", "first_author": "Recorder"})


def cited(name: str):
    return citation_from_work(CachedWork("doi", "2026-11-20T10:00:00Z", work(name)), RECORD)


def test_a_full_recorded_work() -> None:
    c = cited("10.1136_jclinpath-2020-206745.json")
    assert (c.origin, c.retrieved, c.year, c.issued) == ("crossref", "2026-11-20", 2020,
                                                         "2020-08-17")
    assert c.title.startswith("Construction of a reference material panel for detecting KRAS /")
    assert "<i>KRAS</i>" in c.title_markup
    assert (c.journal, c.volume, c.issue, c.pages) == ("Journal of Clinical Pathology", "74", "5",
                                                       "314-320")
    assert c.authors[0] == Author("Xu", "Jun", "")
    assert any(a.orcid == "https://orcid.org/0000-0002-3513-6501" for a in c.authors)
    assert c.license == "http://creativecommons.org/licenses/by-nc/4.0/"
    assert c.cited_by == 10
    assert c.updates == ()


@pytest.mark.parametrize(("name", "issued", "pages"), [
    ("10.1037_0003-066x.59.1.29.json", "2004", "29-40"),  # year only
    ("10.1016_j.neurobiolaging.2010.03.024.json", "2012-03", "588-602"),  # year and month
    ("10.1038_srep16696.json", "2015-11-19", "16696"),  # article number, no page
    ("10.1371_journal.pone.0033693.json", "2012-03-21", "e33693"),  # e-locator
])
def test_dates_and_pages_as_precise_as_crossref(name: str, issued: str, pages: str) -> None:
    c = cited(name)
    assert (c.issued, c.pages, c.year) == (issued, pages, int(issued[:4]))


def test_the_record_fills_what_crossref_lacks() -> None:
    c = cited("10.7287_peerj.3819v0.1_reviews_2.json")  # no journal, no volume
    assert (c.journal, c.volume, c.pages) == ("Record J", None, "1-2")
    assert c.title == 'Peer Review #2 of "Human agency beliefs influence behaviour during ' \
                      'virtual social interactions (v0.1)"'


def test_licence_of_the_version_of_record_is_preferred() -> None:
    assert cited("10.1002_jor.1100150407.json").license == \
        "http://onlinelibrary.wiley.com/termsAndConditions#vor"


def test_non_ascii_names_are_kept() -> None:
    assert [a.family for a in cited("10.3389_fgene.2017.00147.json").authors][:2] == [
        "Pánek", "Modrák"]


def test_organisations_are_authors_by_name() -> None:
    # Shape of an organisation author in Crossref (`name`, no family/given); built here.
    authors = work_authors({"author": [{"name": "The Study Group", "sequence": "first"},
                                       {"given": "Ann", "family": "Lee", "ORCID": "o"}]})
    assert authors == (Author("The Study Group"), Author("Lee", "Ann", "o"))
    assert authors[0].display == "The Study Group"


def test_a_recorded_correction_notice() -> None:
    assert cited("10.1371_journal.pone.0033693.json").updates == (Update(
        "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda", "correction", "Correction",
        "2012-05-08", ("publisher",)),)


def test_the_same_retraction_from_both_sources_is_listed_once() -> None:
    # Crossref's documented example (10.1021/am300292v), as given by both sources; built here.
    notice = {"DOI": "10.1021/acsami.9b11759", "type": "retraction", "label": "Retraction",
              "updated": {"date-parts": [[2019, 7, 26]]}}
    updates = work_updates({"updated-by": [
        {**notice, "source": "publisher"},
        {**notice, "DOI": "10.1021/ACSAMI.9B11759", "source": "retraction-watch",
         "record-id": "20946"},
        {"DOI": "10.1021/other", "type": "correction", "source": "publisher"},
    ]})
    assert [(u.doi, u.type, u.sources, u.serious) for u in updates] == [
        ("10.1021/acsami.9b11759", "retraction", ("publisher", "retraction-watch"), True),
        ("10.1021/other", "correction", ("publisher",), False),
    ]
    assert updates[0].reported_by == "the publisher and Retraction Watch"
    assert updates[1].label == "Correction"


def test_pages_show_the_notice_and_the_home_page_lists_it(project: Project, write_study) -> None:
    write_study("sadasivan2012", doi="10.1371/journal.pone.0033693", title=None)
    write_study("xu2020", doi="10.1136/jclinpath-2020-206745", title=None)
    for doi, name in [("10.1371/journal.pone.0033693", "10.1371_journal.pone.0033693.json"),
                      ("10.1136/jclinpath-2020-206745", "10.1136_jclinpath-2020-206745.json")]:
        write_cached_work(project.cache_dir, CachedWork(doi, "2026-11-20T10:00:00Z", work(name)))
    pages = {p.path: p.content for p in generate_site(project).pages}
    study = pages["studies/sadasivan2012.md"]
    assert '<div class="admonition warning">\n<p class="admonition-title">Correction</p>' in study
    assert "(reported by the publisher)" in study
    assert "Citation from Crossref, retrieved 2026&#45;11&#45;20." in study
    assert "<td>Licence</td><td><a href=\"http://creativecommons.org/licenses/by/4.0/\">" in study
    assert "<td>Cited by</td><td>72 (Crossref count on 2026&#45;11&#45;20)</td>" in study
    xu = pages["studies/xu2020.md"]
    assert "<h1>Construction of a reference material panel for detecting <i>KRAS</i>" in xu
    assert "admonition warning" not in xu and "admonition danger" not in xu
    home = pages["index.md"]
    assert '!!! warning "Retractions and corrections"' in home  # a correction, no retraction
    assert "(studies/sadasivan2012.md): Correction (2012&#45;05&#45;08)" in home
    assert "xu2020.md" not in home.split("## Review question")[0]


def test_the_home_page_has_no_notice_list_without_notices(project: Project) -> None:
    pages = {p.path: p.content for p in generate_site(project).pages}
    assert "Retractions and corrections" not in pages["index.md"]
    aherne = pages["studies/aherne-2018.md"]
    assert "Citation from the record; not yet checked against Crossref." in aherne


def test_a_retraction_is_shown_once_in_red(project: Project, write_study) -> None:
    # A SYNTHETIC work built here (no recorded retraction exists), with the notice shape of
    # Crossref's documented example given by both sources.
    notice = {"DOI": "10.5555/synthetic-notice", "type": "retraction", "label": "Retraction",
              "updated": {"date-parts": [[2019, 7, 26]]}}
    synthetic = {"DOI": "10.5555/synthetic-retracted", "title": ["Synthetic test work"],
                 "updated-by": [{**notice, "source": "publisher"},
                                {**notice, "source": "retraction-watch", "record-id": "1"}]}
    write_study("synthetic2019", doi="10.5555/synthetic-retracted", title=None)
    write_cached_work(project.cache_dir, CachedWork("10.5555/synthetic-retracted",
                                                    "2026-11-20T10:00:00Z", synthetic))
    pages = {p.path: p.content for p in generate_site(project).pages}
    study = pages["studies/synthetic2019.md"]
    assert study.count('<div class="admonition danger">') == 1
    assert '<p class="admonition-title">Retraction</p>' in study
    assert "(reported by the publisher and Retraction Watch)" in study
    assert '!!! danger "Retractions and corrections"' in pages["index.md"]
