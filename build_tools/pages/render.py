"""Render the evidence into pages with Jinja2: one environment for every template of the site.

The pages themselves are listed, in navigation order, by `pages.registry`; the functions here
render the review's own pages (home, methods, themes, studies, references) with nothing written
to disk.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from jinja2 import ChainableUndefined, Environment, PackageLoader
from markupsafe import Markup

from build_tools.core import mdtext
from build_tools.evidence.assemble import Evidence
from build_tools.formats.references import cite_studies
from build_tools.pages.page import Page

MISSING = "not yet curated"


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
        prose=mdtext.prose,
    )
    return environment


def or_missing(value: Any, missing: str = MISSING) -> Markup:
    """A value as inert text, or an explicit, styled 'not yet curated'."""
    if value is None or value == "" or value == [] or value == ():
        return Markup(f'<span class="lr-missing">{mdtext.text(missing)}</span>')
    if isinstance(value, (list, tuple)):
        return Markup("; ").join(mdtext.text(v) for v in value)
    return mdtext.text(value)


class Renderer:
    """Renders templates with the context every page of the review shares (made once)."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.environment = make_environment()

    @cached_property
    def context(self) -> dict[str, Any]:
        evidence = self.evidence
        return {"evidence": evidence, "review": evidence.review, "sources": evidence.sources,
                "citations": cite_studies(evidence.studies)}

    def text(self, template: str, **extra: Any) -> str:
        return self.environment.get_template(template).render(**self.context, **extra)

    def page(self, template: str, path: str, nav: tuple[str, ...] | None, **extra: Any) -> Page:
        return Page(path, self.text(template, **extra), nav)


def home_pages(render: Renderer) -> list[Page]:
    return [render.page("index.md.j2", "index.md", ("Home",))]


def methods_pages(render: Renderer) -> list[Page]:
    return [render.page("methods.md.j2", "methods.md", ("Methods",))]


def theme_pages(render: Renderer) -> list[Page]:
    """One page per theme, in the Themes section, in review.yaml's order."""
    return [render.page("theme.md.j2", f"themes/{theme.id}.md", ("Themes", theme.title),
                        theme=theme) for theme in render.evidence.themes]


def study_pages(render: Renderer) -> list[Page]:
    """The studies table (in the navigation) and one page per study (out of it)."""
    return [render.page("studies.md.j2", "studies/index.md", ("Studies",)),
            *(render.page("study.md.j2", f"studies/{study.id}.md", None, study=study)
              for study in render.evidence.studies)]


def reference_pages(render: Renderer) -> list[Page]:
    return [render.page("references.md.j2", "references.md", ("References",))]
