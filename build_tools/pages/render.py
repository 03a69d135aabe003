"""Render the evidence into pages: {path: content}, with nothing written to disk here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import ChainableUndefined, Environment, PackageLoader
from markupsafe import Markup

from build_tools.core import mdtext
from build_tools.evidence.assemble import Evidence
from build_tools.formats.references import cite_studies
from build_tools.pages.views import evidence_pages

MISSING = "not yet curated"


@dataclass(frozen=True)
class Page:
    """One generated file; `nav` places it in the navigation, None keeps it out (study pages)."""

    path: str
    content: str | bytes
    nav: tuple[str, ...] | None = None


def make_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("build_tools.pages", "templates"),
        autoescape=True,  # macros then return Markup; finalize does the escaping itself
        finalize=mdtext.finalize,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        text=mdtext.text, paragraphs=mdtext.paragraphs, link=mdtext.link, doi_url=mdtext.doi_url,
        slug=mdtext.slug, or_missing=or_missing, preformatted=mdtext.preformatted,
        prose=mdtext.prose, arxiv_url=mdtext.arxiv_url, pubmed_url=mdtext.pubmed_url,
    )
    return environment


def or_missing(value: Any, missing: str = MISSING) -> Markup:
    """A value as inert text, or an explicit, styled 'not yet curated'."""
    if value is None or value == "" or value == [] or value == ():
        return Markup(f'<span class="lr-missing">{mdtext.text(missing)}</span>')
    if isinstance(value, (list, tuple)):
        return Markup("; ").join(mdtext.text(v) for v in value)
    return mdtext.text(value)


def render_pages(evidence: Evidence) -> list[Page]:
    """All pages of the site, in navigation order."""
    environment = make_environment()
    context = {"evidence": evidence, "review": evidence.review, "sources": evidence.sources,
               "citations": cite_studies(evidence.studies)}

    def page(template: str, path: str, nav: tuple[str, ...] | None, **extra: Any) -> Page:
        content = environment.get_template(template).render(**context, **extra)
        return Page(path, content, nav)

    pages = [
        page("index.md.j2", "index.md", ("Home",)),
        page("methods.md.j2", "methods.md", ("Methods",)),
    ]
    for theme in evidence.themes:
        pages.append(page("theme.md.j2", f"themes/{theme.id}.md", ("Themes", theme.title),
                          theme=theme))
    pages.append(page("studies.md.j2", "studies/index.md", ("Studies",)))
    for study in evidence.studies:
        pages.append(page("study.md.j2", f"studies/{study.id}.md", None, study=study))
    pages.append(page("references.md.j2", "references.md", ("References",)))
    pages += evidence_pages(evidence, page, Page)
    return pages
