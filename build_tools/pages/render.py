"""Render the evidence into pages with Jinja2: one environment for every template of the site.

The pages themselves are listed, in navigation order, by `pages.registry`; the functions here
render the review's own pages (home, methods, themes, the studies table, references) with
nothing written to disk; each study's own page is `pages.study_pages`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markdown.extensions.toc import slugify
from markupsafe import Markup

from build_tools.core import mdtext
from build_tools.core.output_cache import OutputCache
from build_tools.evidence.assemble import Evidence, Study
from build_tools.formats.references import StudyCitation, cite_studies
from build_tools.pages.page import Page, relative_url
from build_tools.pages.paging import Part, numbered_paths, split_into_parts
from build_tools.pages.study_rows import RowWriter, studies_row, theme_list_item

MISSING = "not yet curated"
HTML_TEMPLATE = ".html.j2"  # the suffix of templates that write raw HTML pages
THEME_LIST_LIMIT = 300  # supporting studies shown on a theme page itself, per theme or subtheme
LIST_PART_SIZE = 1000  # studies per page of a list that moved off its theme page
REFERENCES_PER_PAGE = 1000  # ~0.55 MB of HTML per part; at 2,500 studies one page was 1.4 MB


def make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("build_tools.pages", "templates"),
        autoescape=True,  # macros then return Markup; finalize does the escaping itself
        finalize=mdtext.finalize,
        undefined=StrictUndefined,  # a typo in a template is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        text=mdtext.text, paragraphs=mdtext.paragraphs, link=mdtext.link, doi_url=mdtext.doi_url,
        slug=mdtext.slug, or_missing=or_missing, preformatted=mdtext.preformatted,
        prose=mdtext.prose, quotation=mdtext.quotation, arxiv_url=mdtext.arxiv_url,
        pubmed_url=mdtext.pubmed_url, anchor=anchor, yaml_string=yaml_string,
        plain_title=mdtext.plain_title,
    )
    environment.globals.update(href=href, study_href=study_href, study_link=study_link)
    return environment


def anchor(label: Any) -> Markup:
    """The id Python-Markdown's toc gives a heading with this text (a raw HTML heading gets
    the same one, so links to it do not depend on how the page was made)."""
    return Markup(html.escape(slugify(str(label), "-"), quote=True))


def yaml_string(value: Any) -> Markup:
    """A one-line front-matter value that YAML reads back as the same string: JSON's quoted
    form with every non-ASCII character escaped is valid YAML."""
    return Markup(json.dumps(str(value), ensure_ascii=True))


@pass_context
def href(context: Context, target: str) -> Markup:
    """The address of one of our pages from the page being rendered (`here`), for raw HTML
    links, which MkDocs does not rewrite; made of ids and path characters only."""
    link = relative_url(context["here"], target, context["use_directory_urls"])
    return Markup(html.escape(link, quote=True))


@pass_context
def study_href(context: Context, study_id: str, fragment: str = "") -> Markup:
    """The address of a study's page (and `fragment` on it) from the page being rendered."""
    return href(context, f"studies/{mdtext.slug(study_id)}.md{fragment}")


@pass_context
def study_link(context: Context, study: Any, fragment: str = "") -> Markup:
    """A link to a study's page, named by its label as inert text. A function, not a macro:
    the pages that list every study make tens of thousands of these."""
    return Markup(f'<a href="{study_href(context, study.id, fragment)}">'
                  f'{mdtext.finalize(study.label)}</a>')


def or_missing(value: Any, missing: str = MISSING) -> Markup:
    """A value as inert text, or an explicit, styled 'not yet curated'."""
    if value is None or value == "" or value == [] or value == ():
        return Markup(f'<span class="lr-missing">{mdtext.text(missing)}</span>')
    if isinstance(value, (list, tuple)):
        return Markup("; ").join(mdtext.text(v) for v in value)
    return mdtext.text(value)


class Renderer:
    """Renders templates with the context every page of the review shares (made once)."""

    def __init__(self, evidence: Evidence, reference_cache: OutputCache | None = None,
                 use_directory_urls: bool = True,
                 bibtex_cache: OutputCache | None = None,
                 row_cache: OutputCache | None = None,
                 citation_cache: OutputCache | None = None) -> None:
        self.evidence = evidence
        self.environment = make_environment()
        self.reference_cache = reference_cache  # formatted references kept between builds
        self.bibtex_cache = bibtex_cache  # written BibTeX entries kept between builds
        self.citation_cache = citation_cache  # each study's whole citation, kept between builds
        self.use_directory_urls = use_directory_urls  # how the site's addresses look
        self.rows = RowWriter(self.environment, use_directory_urls, row_cache)

    @cached_property
    def context(self) -> dict[str, Any]:
        evidence = self.evidence
        return {"evidence": evidence, "review": evidence.review, "sources": evidence.sources,
                "citations": self.citations, "use_directory_urls": self.use_directory_urls}

    @cached_property
    def citations(self) -> dict[str, StudyCitation]:
        return cite_studies(self.evidence.studies, self.reference_cache, self.bibtex_cache,
                            self.citation_cache)

    def text(self, template: str, **extra: Any) -> str:
        return self.environment.get_template(template).render(**self.context, **extra)

    def page(self, template: str, path: str, nav: tuple[str, ...] | None, **extra: Any) -> Page:
        """A page from a template: `*.html.j2` ones write raw HTML under their front matter,
        which MkDocs then gets without Markdown (Page.body_html)."""
        return Page(path, self.text(template, here=path, **extra), nav,
                    body_html=template.endswith(HTML_TEMPLATE))


def home_pages(render: Renderer) -> list[Page]:
    return [render.page("index.md.j2", "index.md", ("Home",))]


def methods_pages(render: Renderer) -> list[Page]:
    return [render.page("methods.md.j2", "methods.md", ("Methods",))]


def theme_pages(render: Renderer) -> list[Page]:
    """One page per theme, in the Themes section, in review.yaml's order. A list of supporting
    studies longer than THEME_LIST_LIMIT moves to pages of its own (split into parts of at most
    LIST_PART_SIZE), which the theme page links to, so a theme page stays small at any size."""
    pages = []
    for theme in render.evidence.themes:
        long_lists: dict[str, str] = {}
        list_pages: list[Page] = []
        lists = [(theme.id, theme.title, theme.own_studies),
                 *((node.id, node.title, node.studies) for node in theme.subthemes)]
        for node_id, title, studies in lists:
            if len(studies) <= THEME_LIST_LIMIT:
                continue
            parts = split_into_parts(list(studies), LIST_PART_SIZE,
                                     numbered_paths(f"themes/{theme.id}--{node_id}"), _study_range)
            long_lists[node_id] = parts[0].path.rsplit("/", 1)[-1]
            list_pages += [_theme_list_page(render, theme, title, len(studies), part)
                           for part in parts]
        pages.append(render.page("theme.md.j2", f"themes/{theme.id}.md",
                                 ("Themes", theme.title), theme=theme, long_lists=long_lists))
        pages += list_pages
    return pages


def _theme_list_page(render: Renderer, theme: Any, title: str, count: int,
                     part: Part[tuple[Study, str | None]]) -> Page:
    """One part of a theme's or subtheme's long list of supporting studies."""
    rows = render.rows.write("theme_list_item", part.path, None,
                             [theme_list_item(study, note) for study, note in part.items])
    return render.page("theme_list.html.j2", part.path, None, theme=theme, title=title,
                       count=count, part=part, rows=rows)


def _study_range(chunk: Sequence[tuple[Study, str | None]]) -> str:
    return f"{chunk[0][0].label} – {chunk[-1][0].label}"


def studies_table_page(render: Renderer) -> Page:
    """The studies table, in the navigation (each study's own page: pages.study_pages)."""
    evidence = render.evidence
    path = "studies/index.md"
    columns = [field.name for field in evidence.table_fields]
    rows = render.rows.write("studies_row", path, None,
                            [studies_row(study, columns) for study in evidence.studies])
    return render.page("studies.html.j2", path, (evidence.review.wording.Studies,), rows=rows)


def reference_pages(render: Renderer) -> list[Page]:
    """The References list, split into parts of at most REFERENCES_PER_PAGE (the first part
    keeps the list's address and navigation place)."""
    return [render.page("references.html.j2", part.path,
                        ("References",) if part.number == 1 else None, part=part)
            for part in reference_parts(render.citations)]


def reference_parts(citations: dict[str, StudyCitation]) -> list[Part[tuple[str, StudyCitation]]]:
    """The References list in parts; each part is named by its first and last authors."""

    def family(entry: tuple[str, StudyCitation]) -> str:
        return entry[1].apa.text.split(",")[0].split("(")[0].strip() or entry[0]

    return split_into_parts(
        list(citations.items()), REFERENCES_PER_PAGE,
        numbered_paths("references"),
        lambda chunk: f"{family(chunk[0])} – {family(chunk[-1])}")
