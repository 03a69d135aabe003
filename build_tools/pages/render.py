"""Render the evidence into pages: {path: content}, with nothing written to disk here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from build_tools.core import mdtext
from build_tools.core.output_cache import OutputCache
from build_tools.evidence.assemble import Evidence
from build_tools.formats.references import StudyCitation, cite_studies
from build_tools.pages.paging import Part, split_into_parts
from build_tools.pages.views import evidence_pages

MISSING = "not yet curated"
REFERENCES_PER_PAGE = 1000  # ~0.55 MB of HTML per part; at 2,500 studies one page was 1.4 MB


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
        undefined=StrictUndefined,  # a typo in a template is an error, not a blank
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


def render_pages(evidence: Evidence, reference_cache: OutputCache | None = None) -> list[Page]:
    """All pages of the site, in navigation order; `reference_cache` keeps formatted references
    between builds (it never changes the output)."""
    environment = make_environment()
    citations = cite_studies(evidence.studies, reference_cache)
    context = {"evidence": evidence, "review": evidence.review, "sources": evidence.sources,
               "citations": citations}

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
    for part in reference_parts(citations):
        pages.append(page("references.md.j2", part.path,
                          ("References",) if part.number == 1 else None, part=part))
    pages += evidence_pages(evidence, page, Page)
    return pages


def reference_parts(citations: dict[str, StudyCitation]) -> list[Part[tuple[str, StudyCitation]]]:
    """The References list in parts; each part is named by its first and last authors."""

    def family(entry: tuple[str, StudyCitation]) -> str:
        return entry[1].apa.text.split(",")[0].split("(")[0].strip() or entry[0]

    return split_into_parts(
        list(citations.items()), REFERENCES_PER_PAGE,
        lambda number: "references.md" if number == 1 else f"references-{number}.md",
        lambda chunk: f"{family(chunk[0])} – {family(chunk[-1])}")
