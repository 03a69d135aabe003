"""Hardening, links: one URL rule for every address, links Markdown cannot rewrite.

Addresses come from study records (schema fields of format `uri`), review.yaml (every `url` or
`*_url` key), Crossref works (licence URLs, publisher data from the network) and DOIs. The rule
(build_tools.core.urls) links only http(s) addresses with a host and no character that could
leave an attribute or start Markdown syntax; validation reports any other as a located problem;
Crossref addresses that fail it are shown as text. All data here is synthetic, made up by the tests.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from build_tools.core import mdtext
from build_tools.core.neutral import neutralise
from build_tools.core.project import Project
from build_tools.core.urls import URL_CHARACTERS, doi_url, url_problem, web_url
from build_tools.crossref.cache import CachedWork, write_cached_work
from build_tools.crossref.works import citation_from_record, citation_from_work
from build_tools.evidence.checks import check_project
from build_tools.evidence.review import review_from_data
from build_tools.pages.feed import FeedEntry, atom_feed
from build_tools.site.build import build_site
from tests.conftest import make_project

pytestmark = pytest.mark.hardening
EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc"]  # as in mkdocs.yml
HOSTILE_PIECES = ["[a](onmouseover=alert(1)//)", '"><script>alert(1)</script>', "' onclick='x",
                  "`code`", "\\[x\\]", "![i](data:x)", "<b>", "{{ 7*7 }}", "{: .c }", "*em*",
                  "_u_", "~~s~~", "&#34;", "%22", "%2", " ", "\t", "\u202e", "\x00", "é", "|"]
HOSTILE_URLS = [
    "https://x.org/[a](onmouseover=alert(1)//)",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>1</script>",
    "https://x.org/\"onmouseover=\"alert(1)", "https://x.org/'><svg onload=alert(1)>",
    "https://x.org/a b", "https://x.org/`x`", "https://x.org/\\", "//x.org/a", "x.org",
    "https://", "https://x.org/a%zz", "https://x.org/\u202eevil", "https://x.org/\x00",
    "https://[::1]/", "https://x.org/a|b", "https://x.org/{{7*7}}", "ftp://x.org/",
]


class Links(HTMLParser):
    """Every element with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def parsed(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Links()
    parser.feed(text)
    parser.close()
    return parser.elements


urls = st.one_of(
    st.sampled_from(HOSTILE_URLS),
    st.builds(lambda scheme, host, path: f"{scheme}://{host}/{path}",
              st.sampled_from(["https", "http", "HTTPS", "javascript", "data"]),
              st.sampled_from(["x.org", "a-b.example.org:8080", "x.org@evil", ""]),
              st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES),
                                 st.text(alphabet=sorted(URL_CHARACTERS), max_size=8)),
                       max_size=6).map("".join)),
    st.text(max_size=40),
)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_url_rule_refuses_every_hostile_address(url: str) -> None:
    assert url_problem(url) is not None
    assert web_url(url) is None
    assert "<a" not in mdtext.link(url, "label")


@pytest.mark.parametrize("url", [
    "https://www.crd.york.ac.uk/prospero/display_record.php?ID=CRD42021268273",
    "http://example.org", "HTTPS://EXAMPLE.ORG:8443/a/b?c=d&e=f#g", "https://x.org/%28a%29~_",
])
def test_url_rule_allows_ordinary_addresses(url: str) -> None:
    assert url_problem(url) is None
    assert parsed(mdtext.link(url, "label")) == [("a", {"href": url})]


@settings(max_examples=300, deadline=None)
@given(url=urls, label=st.text(max_size=30))
def test_a_link_through_markdown_is_one_element_with_the_address_or_none(url: str,
                                                                         label: str) -> None:
    """Python-Markdown with the site's extensions turns a link into exactly one <a> whose only
    attribute is the address, or into no element at all."""
    page = markdown.markdown(f"Before {mdtext.link(url, label)} after.\n\n"
                             f"| a | b |\n|---|---|\n| {mdtext.link(url)} | x |\n",
                             extensions=EXTENSIONS)
    found = [(tag, attrs) for tag, attrs in parsed(page)
             if tag not in ("p", "table", "thead", "tbody", "tr", "th", "td")]
    if web_url(url) is None:
        assert found == []
    else:
        assert found == [("a", {"href": url})] * 2
        assert set(url) <= URL_CHARACTERS


@settings(max_examples=200, deadline=None)
@given(doi=st.text(min_size=1, max_size=40))
def test_every_doi_becomes_an_address_the_rule_allows(doi: str) -> None:
    assert url_problem(doi_url(doi.replace("\ud800", ""))) is None


def _work(url: object) -> CachedWork:
    return CachedWork("10.5555/synthetic.links", "2025-01-01",
                      {"title": ["Synthetic"], "license": [{"URL": url, "content-version": "vor"}]})


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_crossref_licence_that_fails_the_rule_is_not_linked(url: str) -> None:
    record = citation_from_record({"title": "Synthetic"})
    assert citation_from_work(_work(url), record).license is None
    good = "https://creativecommons.org/licenses/by/4.0/"
    assert citation_from_work(_work(good), record).license == good


def _problems(project: Project) -> list[str]:
    checked = check_project(project)
    validation = checked.validation
    assert validation is not None
    return [str(p) for p in validation.problems]


def test_validation_locates_a_bad_study_url(project: Project, write_study) -> None:
    write_study("linky", sources=[{"description": "synthetic",
                                   "url": "https://x.org/[a](onmouseover=alert(1)//)"}])
    assert [p for p in _problems(project) if "linky" in p] == [
        "studies/linky.yaml:6: sources[0].url: 'https://x.org/[a](onmouseover=alert(1)//)' has "
        "characters a link may not hold: '(' ')' '[' ']' (percent-encode them; letters, digits "
        "and - . _ ~ / : ? # @ & = + , ; may stand as they are (e.g. a space as %20, ( as %28, "
        ") as %29))"]


def test_validation_locates_every_bad_url_of_review_yaml(project: Project) -> None:
    review = yaml.safe_load(project.review_file.read_text("utf-8"))
    review["protocol"]["url"] = "javascript:alert(1)"
    first = next(iter(review["sources"]))
    review["sources"][first]["url"] = "https://x.org/\"><script>"
    review["living"]["registry_url"] = 12
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")
    lines = project.review_file.read_text("utf-8").splitlines()

    def line(text: str) -> int:
        return next(i for i, t in enumerate(lines, 1) if text in t)

    problems = [p for p in _problems(project) if "url" in p.split(": ")[1]]
    assert sorted(problems) == sorted([
        f"review.yaml:{line('javascript:')}: protocol.url: 'javascript:alert(1)' is not a web "
        "address (a URL starting with https:// or http://)",
        f"review.yaml:{line('x.org/')}: sources.{first}.url: 'https://x.org/\"><script>' has "
        "characters a link may not hold: '\"' '<' '>' (percent-encode them; letters, digits and "
        "- . _ ~ / : ? # @ & = + , ; may stand as they are (e.g. a space as %20, ( as %28, ) as "
        "%29))",
        f"review.yaml:{line('registry_url')}: living.registry_url: 12 is not text (a URL "
        "starting with https:// or http://)",
        # review.yaml's own format check names the key it does not know, too
        f"review.yaml:{line('registry_url')}: living.registry_url: unknown field (one of: "
        "last_search, last_search_source, retirement_plan, update_schedule)",
    ])


CONTROL_TEXT = st.text(alphabet=st.characters(codec=None, categories=("Cc", "Cf", "Cs", "Zl",
                                                                       "Zp", "Co", "L", "P")))


@settings(max_examples=200, deadline=None)
@given(value=CONTROL_TEXT)
def test_neutralised_text_has_no_control_or_bidi_character(value: str) -> None:
    out = neutralise(value)
    assert not [c for c in out if (ord(c) < 32 and c not in "\t\n\r")
                or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
                or c in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]
    assert neutralise(out) == out
    for shown in (mdtext.text(value), mdtext.plain_title(value), mdtext.preformatted(value)):
        assert "\u202e" not in shown and "\x00" not in shown


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review=st.fixed_dictionaries({}, optional={
           "title": CONTROL_TEXT, "short_title": CONTROL_TEXT,
           "source_review": st.fixed_dictionaries({}, optional={"doi": CONTROL_TEXT})}),
       entries=st.lists(st.builds(FeedEntry, title=CONTROL_TEXT,
                                  date=st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
                                  summary=CONTROL_TEXT, link=CONTROL_TEXT), max_size=3))
def test_feed_is_well_formed_for_any_text(review: dict, entries: list[FeedEntry]) -> None:
    """Every value the feed holds (titles, DOI-derived id, entry title, summary and link)."""
    root = ET.fromstring(atom_feed(review_from_data(review), entries))
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == len(entries)




BENIGN_URL = "https://example.org/plain"


def _url_project(root: Path, url: str, notice_doi: str) -> Project:
    """The shipped review with `url` in every review.yaml address, a study's source and a
    Crossref licence, and `notice_doi` as a Crossref notice's DOI (synthetic data)."""
    project = make_project(root)
    review = yaml.safe_load(project.review_file.read_text("utf-8"))
    review["protocol"]["url"] = url
    for source in review["sources"].values():
        source["url"] = url
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")
    record = {"id": "linky", "doi": "10.5555/synthetic.linky", "perspective": "client",
              "sources": [{"description": "synthetic", "url": url}]}
    (project.studies_dir / "linky.yaml").write_text(yaml.safe_dump(record), "utf-8")
    work = {"title": ["Synthetic"], "issued": {"date-parts": [[2020]]},
            "license": [{"URL": url, "content-version": "vor"}],
            "updated-by": [{"DOI": notice_doi, "type": "correction", "source": "publisher"}]}
    write_cached_work(project.cache_dir, CachedWork("10.5555/synthetic.linky", "2025-01-01",
                                                    work))
    return project


def _kinds(site: Path) -> set[tuple[str, tuple[str, ...]]]:
    return {(tag, tuple(sorted(attrs))) for page in site.rglob("*.html")
            for tag, attrs in parsed(page.read_text("utf-8"))}


@pytest.fixture(scope="module")
def benign_kinds(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, tuple[str, ...]]]:
    root = tmp_path_factory.mktemp("benign-links")
    return _kinds(build_site(_url_project(root, BENIGN_URL, "10.5555/plain")))


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(url=urls, notice_doi=st.text(min_size=1, max_size=30).map(lambda t: "10.5555/" + t))
@example(url="https://example.org/_em_/~~s~~?q=%22%3E%3Cb%3E&r=1#_f_",
         notice_doi='10.5555/"><script>alert(1)</script>[a](javascript:b)')
@example(url="https://x.org/[a](onmouseover=alert(1)//)", notice_doi="10.5555/\u202e\x00")
def test_no_address_adds_an_element_or_attribute_to_any_page(
        tmp_path_factory: pytest.TempPathFactory, benign_kinds, url: str,
        notice_doi: str) -> None:
    """Every URL field kind at once; a refused address must be reported (records) or left
    unlinked (Crossref), and the built pages may not gain any kind of element or attribute."""
    root = tmp_path_factory.mktemp("links")
    project = _url_project(root, url, notice_doi)
    if url_problem(url) is not None:
        problems = _problems(project)
        assert any(p.startswith("studies/linky.yaml:") and "sources[0].url" in p
                   for p in problems)
        assert any(p.startswith("review.yaml:") and "protocol.url" in p for p in problems)
        review = yaml.safe_load(project.review_file.read_text("utf-8"))
        review["protocol"]["url"] = BENIGN_URL
        for source in review["sources"].values():
            source["url"] = BENIGN_URL
        project.review_file.write_text(yaml.safe_dump(review, sort_keys=False), "utf-8")
        (project.studies_dir / "linky.yaml").write_text(yaml.safe_dump(
            {"id": "linky", "doi": "10.5555/synthetic.linky", "perspective": "client",
             "sources": [{"description": "synthetic", "url": BENIGN_URL}]}), "utf-8")
    site = build_site(project)
    assert _kinds(site) - benign_kinds == set()
    hrefs = {attrs.get("href") or "" for page in site.rglob("*.html")
             for tag, attrs in parsed(page.read_text("utf-8")) if tag == "a"}
    assert not [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h, re.I)]
