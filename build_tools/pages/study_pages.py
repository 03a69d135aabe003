"""Each study's page: rendered on every processor, and kept between builds.

A study page shows its study and a few review-level things (the wording, the characteristic
fields, the appraisal questions, the matrix split and the titles of the subthemes it
supports). Its template sees exactly those, through `StudyPageView`, never the whole evidence:
so the page's key, a hash of what the template can see and of this package's code, changes
whenever the page could, and a rebuild after one study changed renders one page (the rest come
from the output cache; `tests/test_study_page_cache.py` compares bytes with and without it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from build_tools.core import mdtext
from build_tools.core.neutral import one_line
from build_tools.core.output_cache import OutputCache, code_digest, content_key, text_key
from build_tools.core.parallel import map_in_chunks
from build_tools.evidence.assemble import Evidence, Study
from build_tools.pages.output_keys import library_versions
from build_tools.pages.page import Page
from build_tools.pages.render import Renderer

STUDY_TEMPLATE = "study.html.j2"
PARALLEL_FROM = 400  # pages to render before forked workers pay (~1 ms each)
PAGE_FORMAT = 1  # part of every key: raise it when what a study page shows changes otherwise
MAX_PAGE_BYTES = 4 * 1024 * 1024  # a kept page's text (a study's own prose can be long)
_forking: list[tuple[Renderer, StudyPageView]] = []  # what forked workers inherit (never pickled)


@dataclass(frozen=True)
class SubthemeLink:
    """What a study page shows of a subtheme it supports: its title, linked on its theme."""

    id: str
    theme: str
    title: str


@dataclass(frozen=True)
class StudyPageView:
    """The review-level part of a study page: all the template may read besides its study
    (it is rendered with StrictUndefined, so reading anything else is an error, not a stale
    page)."""

    matrix_split: Any
    characteristic_fields: tuple[Any, ...]
    appraisal_questions: tuple[tuple[int, str], ...]
    links: dict[str, SubthemeLink]

    def subtheme(self, subtheme_id: str) -> SubthemeLink:
        return self.links[subtheme_id]


def study_page_view(evidence: Evidence) -> StudyPageView:
    """The review-level view every study page shares (its own subtheme links: `for_study`)."""
    return StudyPageView(evidence.matrix_split, evidence.characteristic_fields,
                         evidence.appraisal_questions, {})


def for_study(view: StudyPageView, evidence: Evidence, study: Study) -> StudyPageView:
    """The view one study's page gets: the shared part and the subthemes it supports."""
    links = {}
    for contribution in study.contributions:
        node = evidence.subtheme(contribution.subtheme)
        links[contribution.subtheme] = SubthemeLink(node.id, node.theme, node.title)
    return replace(view, links=links)


def each_study_page(render: Renderer, cache: OutputCache | None = None) -> list[Page]:
    """Every study's page, in the studies' order: from `cache` where an earlier build kept it,
    else rendered (on every processor, core.parallel) and kept."""
    studies = render.evidence.studies
    view = study_page_view(render.evidence)
    render.citations  # noqa: B018 -- formatted here, once, not in each worker
    shared = content_key(PAGE_FORMAT, code_digest(), library_versions(), repr(view),
                         repr(render.evidence.review.wording), render.use_directory_urls)
    # The key: everything the page is made from (the study with its Crossref data, its
    # citation, the review-level view, the address style) and the package's code.
    keys = [text_key(shared, repr(for_study(view, render.evidence, study).links),
                     repr(study), repr(render.citations[study.id]))
            for study in studies] if cache else []
    texts: dict[int, str] = {}
    if cache is not None:
        kept = cache.get_texts(dict.fromkeys(keys, ""), MAX_PAGE_BYTES)
        texts = {position: kept[key] for position, key in enumerate(keys) if key in kept}
    missing = [position for position in range(len(studies)) if position not in texts]
    _forking.append((render, view))
    try:
        rendered = map_in_chunks(_page_texts_at, missing, min_items=PARALLEL_FROM)
    finally:
        _forking.pop()
    for position, text in zip(missing, rendered, strict=True):
        texts[position] = text
        if cache is not None:
            cache.put_text(keys[position], "", text, MAX_PAGE_BYTES)
    return [Page(_path(study), texts[position], None, body_html=True)
            for position, study in enumerate(studies)]


def _page_texts_at(positions: list[int]) -> list[str]:
    render, view = _forking[-1]
    studies = render.evidence.studies
    return [study_page_text(render, for_study(view, render.evidence, studies[position]),
                            studies[position]) for position in positions]


def study_page_text(render: Renderer, view: StudyPageView, study: Study) -> str:
    """A study's page: raw HTML under its front matter (Page.body_html), found by search from
    its title with its authors, year and journal (site/search_summary.py). `view` is the
    study's own (`for_study`)."""
    citation = study.citation
    title = citation.title or "Title not yet curated"
    authors = "; ".join(author.display for author in citation.authors) or citation.first_author
    found_by = " · ".join(str(part) for part in (authors, citation.year, citation.journal) if part)
    template = render.environment.get_template(STUDY_TEMPLATE)
    return template.render(
        evidence=view, review=SimpleNamespace(wording=render.evidence.review.wording),
        citations={study.id: render.citations[study.id]},
        use_directory_urls=render.use_directory_urls, here=_path(study), study=study,
        page_title=mdtext.plain_title(title), search_summary=one_line(found_by))


def _path(study: Study) -> str:
    return f"studies/{study.id}.md"
