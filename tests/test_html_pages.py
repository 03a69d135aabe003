"""Pages made of raw HTML (study pages) reach MkDocs without Markdown: the HTML must be what
Markdown makes of them, so the plugin's shortcut and the exported tree's plain build agree.

Differential: every such page of every scenario, and study pages made from generated hostile
records, are converted by Python-Markdown with the project's extensions and MkDocs' own raw-HTML
anchor scan, and compared with `html_pages.markdown_output` and `html_pages.anchor_ids`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from mkdocs.config import load_config
from mkdocs.structure.pages import _RawHTMLPreprocessor
from mkdocs.utils.meta import get_data

from build_tools.core.errors import InvalidRecords
from build_tools.core.project import Project
from build_tools.pages.generate import assemble_site
from build_tools.pages.registry import produce_pages
from build_tools.site import shared_nav
from build_tools.site.build import build_site
from build_tools.site.html_pages import anchor_ids, markdown_output
from build_tools.site.search_summary import SUMMARY_KEY
from build_tools.versions.versioning import build_version, version_data
from tests.factories import SCENARIOS, make_project, make_record, write_record

SCENARIO_NAMES = sorted(path.name for path in SCENARIOS.iterdir() if path.is_dir())


def markdown_of(project: Project, body: str) -> tuple[str, set[str]]:
    """What MkDocs' Markdown makes of `body` in this project, and the anchors MkDocs finds."""
    config = load_config(str(project.mkdocs_file))
    converter = markdown.Markdown(extensions=config["markdown_extensions"],
                                  extension_configs=config["mdx_configs"] or {})
    anchors = _RawHTMLPreprocessor()
    anchors._register(converter)
    html = converter.convert(body)
    return html, anchors.present_anchor_ids


def html_pages_of(project: Project) -> list[tuple[str, str, dict[str, object]]]:
    """The raw HTML pages of a build, version pages (the changelog) included."""
    site = assemble_site(project)
    version = version_data(build_version(project, site, None))
    pages = [page for page in produce_pages(site.inputs(version)) if page.body_html]
    return [(page.path, *get_data(str(page.content))) for page in pages]


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_every_raw_html_page_is_what_markdown_makes_of_it(scenario: str) -> None:
    project = Project.at(SCENARIOS / scenario)
    pages = html_pages_of(project)
    assert pages, "every scenario has study pages"
    for path, body, meta in pages:
        html, anchors = markdown_of(project, body)
        assert markdown_output(body) == html, path
        assert anchor_ids(html) == anchors, path
        if path.startswith("studies/"):  # found by their summaries instead
            assert meta["search"] == {"exclude": True}, path
            if path != "studies/index.md":
                assert isinstance(meta.get(SUMMARY_KEY), str), path


PIECES = [*"<>&\"'`*_[](){}#!|\\$:;=/-. \n\tab", "\u2028", "&amp;", "&#60;", "<!--", "-->",
          "</div>", "<pre>", "```", "\n\n", "<h2 id=x>", "    ", "- ", "1. ", "> "]
HOSTILE = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join).filter(
    lambda text: text.strip() != "")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("html-pages"), "tiny-review")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(title=HOSTILE, note=HOSTILE, author=HOSTILE, value=HOSTILE)
def test_hostile_record_text_keeps_the_page_raw_html(tiny: Project, title: str, note: str,
                                                     author: str, value: str) -> None:
    """Any record text leaves the page one raw HTML block with only our anchors."""
    for old in tiny.studies_dir.glob("*.yaml"):
        old.unlink()
    write_record(tiny.studies_dir, make_record(
        id="synthetic-hostile", title=title, notes=note, authors=[author], year=2020,
        participants=value))
    try:
        pages = html_pages_of(tiny)
    except InvalidRecords:
        assume(False)  # text the record rules refuse (tested in tests/hardening) makes no page
    [(_, body, meta)] = [page for page in pages if page[0] == "studies/synthetic-hostile.md"]
    html, anchors = markdown_of(tiny, body)
    assert markdown_output(body) == html
    assert anchor_ids(html) == anchors
    assert not any(anchor.startswith("x") for anchor in anchors)
    assert isinstance(meta[SUMMARY_KEY], str) and "\n" not in str(meta[SUMMARY_KEY])


def test_each_study_has_one_small_search_entry_with_title_authors_and_year(
        tmp_path: Path) -> None:
    """Study pages stay out of the search parser; one entry each keeps them findable."""
    project = make_project(tmp_path / "project")
    site = build_site(project, strict=True, site_dir=tmp_path / "site")
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    records = [yaml.safe_load(path.read_text("utf-8"))
               for path in sorted(project.studies_dir.glob("*.yaml"))]
    assert records
    for record in records:
        entries = [e for e in index["docs"]
                   if e["location"].startswith(f"studies/{record['id']}/")]
        assert len(entries) == 1, record["id"]
        [entry] = entries
        assert len(json.dumps(entry, ensure_ascii=False).encode()) < 600
        assert entry["title"] and entry["boost"] == 0.5
        if record.get("authors"):
            assert record["authors"][0].split(",")[0] in entry["text"]
        if record.get("year"):
            assert str(record["year"]) in entry["text"]


def test_pages_out_of_the_navigation_share_one_rendered_sidebar(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sidebar is rendered once per key, not once per study page; that it equals what each
    page renders itself is tests/test_docs_tree.py's comparison with a plain MkDocs build."""
    rendered: list[str] = []
    put = shared_nav.SharedNav._put

    def counting(self: shared_nav.SharedNav, key: str, html: str) -> Markup:
        rendered.append(key)
        return put(self, key, html)

    monkeypatch.setattr(shared_nav.SharedNav, "_put", counting)
    project = make_project(tmp_path / "project")
    site = build_site(project, strict=True, site_dir=tmp_path / "site")
    study_pages = list((site / "studies").glob("*/index.html"))
    assert len(study_pages) > 2
    assert 1 <= len(rendered) == len(set(rendered)) < len(study_pages)
    sidebars = {re.search(r'<div class="md-sidebar md-sidebar--primary".*?</nav>',
                          path.read_text("utf-8"), re.S).group(0)  # type: ignore[union-attr]
                for path in study_pages}
    assert len(sidebars) == 1


@pytest.mark.parametrize(("anchor", "valid"), [("cite-this-study", True),
                                                 ("no-such-anchor", False)])
def test_links_to_an_anchor_of_a_study_page_are_checked(tmp_path: Path, anchor: str,
                                                       valid: bool) -> None:
    """A study page finds its anchors only when a link asks for them (RawHtmlPage): a link to
    one it has passes a strict build, a link to one it lacks fails it."""
    project = make_project(tmp_path / "project")  # its mkdocs.yml warns of missing anchors
    study = sorted(project.studies_dir.glob("*.yaml"))[0].stem
    (project.root / "docs" / "links.md").write_text(
        f"# Links\n\n[Cite it](studies/{study}.md#{anchor})\n", "utf-8")
    if valid:
        build_site(project, strict=True, site_dir=tmp_path / "site", output_cache=None)
    else:
        with pytest.raises(Exception, match="strict mode"):
            build_site(project, strict=True, site_dir=tmp_path / "site", output_cache=None)
