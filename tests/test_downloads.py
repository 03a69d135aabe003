"""The built site: Downloads page and files, References page, "Cite this study", feed links.

One strict MkDocs build of the test scenario (tests/scenarios) plus one synthetic hostile record
(test-only).
"""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml
from frictionless import validate

from build_tools.evidence.checks import check_project
from build_tools.formats.exports import bibtex_text, csl_items, ris_text
from build_tools.formats.references import cite_studies
from build_tools.pages.downloads import download_pages
from build_tools.pages.generate import generate_site
from build_tools.site.build import build_site
from tests.conftest import make_project
from tests.refdata import HOSTILE_TITLE, scenario_studies


def study(study_id: str):
    return next(s for s in scenario_studies() if s.id == study_id)

DOWNLOADS = ["appraisal_questions.csv", "appraisals.csv", "datapackage.json", "excerpts.csv",
             "findings.csv", "prisma_counts.csv", "references.bib", "references.json",
             "references.ris", "roles.csv", "search_rounds.csv", "sources.csv", "studies.csv",
             "study_subthemes.csv", "subthemes.csv", "themes.csv", "translations.csv"]


def _article(page: str) -> str:
    """The page's content, without the theme's head, navigation and title (not ours)."""
    return page.split('<article class="md-content__inner md-typeset">')[1].split("</article>")[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    project = make_project(root)
    record = {"id": "hostile2020", "title": HOSTILE_TITLE + "\n</code></pre><script>x()</script>",
              "authors": ["Evil, <b>Eve</b>"], "year": 2020, "perspective": "client",
              "sources": [{"description": "Synthetic test record, not a real study"}]}
    (project.studies_dir / "hostile2020.yaml").write_text(
        yaml.safe_dump(record, allow_unicode=True), "utf-8")
    return build_site(project, strict=True, site_dir=root / "site")


def test_download_pages_paths_and_nav(project):
    checked = check_project(project)
    schema, validation = checked.schema, checked.validation
    evidence = generate_site(project).evidence
    pages = download_pages(evidence, schema, validation.tables, cite_studies(evidence.studies))
    assert [(p.path, p.nav) for p in pages][:2] == [("downloads/index.md", ("Downloads",)),
                                                    ("downloads/studies.csv", None)]
    assert sorted(p.path for p in pages[1:]) == [f"downloads/{n}" for n in DOWNLOADS]
    assert all(isinstance(p.content, bytes) for p in pages[1:])


def test_built_site_has_every_download(site):
    assert sorted(p.name for p in (site / "downloads").iterdir()) == sorted(
        [*DOWNLOADS, "index.html"])
    page = (site / "downloads" / "index.html").read_text("utf-8")
    for name in DOWNLOADS:
        assert f'href="{name}"' in page


def test_built_data_package_valid_by_frictionless(site):
    report = validate(str(site / "downloads" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])


def test_built_references_json_is_csl_for_every_study(site):
    items = json.loads((site / "downloads" / "references.json").read_text("utf-8"))
    assert [i["id"] for i in items] == ["aherne-2018", "alonzo-2017", "awenat-psychosis-9-38",
                                        "hostile2020", "fogarty-2021"]
    assert items[3]["author"] == [{"family": "Evil", "given": "<b>Eve</b>"}]


def test_references_page_links_every_study(site):
    page = (site / "references" / "index.html").read_text("utf-8")
    links = re.findall(r'href="(\.\./studies/[^"]+)"', page)
    assert sorted(set(links)) == [f"../studies/{i}/" for i in (
        "aherne-2018", "alonzo-2017", "awenat-psychosis-9-38", "fogarty-2021", "hostile2020")]
    assert "<i>Psychotherapy Research</i>" in page
    assert "Not yet curated: full author list, year" in html.unescape(page)


def test_study_page_cite_this_study(site):
    page = _article((site / "studies" / "aherne-2018" / "index.html").read_text("utf-8"))
    assert 'id="cite-this-study"' in page
    blocks = [html.unescape(b) for b in re.findall(r"<pre><code>(.*?)</code></pre>", page, re.S)]
    assert blocks == [bibtex_text(csl_items([study("aherne-2018")])).rstrip("\n"),
                      ris_text(csl_items([study("aherne-2018")])).rstrip("\n")]
    assert "<i>Psychotherapy Research</i>" in page


@pytest.mark.parametrize("page_path", ["studies/hostile2020/index.html", "references/index.html"])
def test_hostile_record_cannot_add_markup(site, page_path):
    page = _article((site / page_path).read_text("utf-8"))
    for dangerous in ("<script", "<b>Eve", "javascript:", "{{", "{%", "<i>x", "</code></pre><"):
        assert dangerous not in page
    assert len(re.findall("<pre>", page)) == len(re.findall("</pre>", page))


def test_every_page_announces_the_feed(site):
    assert '<link rel="alternate" type="application/atom+xml" title="Updates" href="feed.xml">' \
        in (site / "index.html").read_text("utf-8")
    study = (site / "studies" / "aherne-2018" / "index.html").read_text("utf-8")
    assert 'type="application/atom+xml" title="Updates" href="../../feed.xml">' in study
    assert 'href="feed.xml">updates feed (Atom)</a>' in (site / "index.html").read_text("utf-8")
    assert (site / "feed.xml").read_bytes().startswith(b"<?xml version='1.0' encoding='utf-8'?>")
