"""The thin MkDocs plugin: generation runs inside MkDocs, so `mkdocs build`, `mkdocs serve` and
`mike deploy` all produce the complete site. All contact with MkDocs lives here and in site.py."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from build_tools.errors import InvalidRecords
from build_tools.pipeline import GeneratedSite, generate_site
from build_tools.project import Project
from build_tools.render import Page

log = logging.getLogger("mkdocs.plugins.living-review")


class LivingReviewConfig(Config):
    project_dir = config_options.Optional(config_options.Type(str))


class LivingReviewPlugin(BasePlugin[LivingReviewConfig]):
    """Adds the generated pages as virtual files; nothing is written into docs/."""

    def __init__(self) -> None:
        self.generated: GeneratedSite | None = None
        self.project: Project | None = None
        self.pregenerated: GeneratedSite | None = None  # handed over by build_site()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = self.config.project_dir or str(Path(config.config_file_path).parent)
        self.project = Project.at(root)
        try:
            self.generated = self.pregenerated or generate_site(self.project)
        except InvalidRecords as error:
            raise PluginError(str(error)) from None
        for warning in self.generated.warnings:
            log.warning(str(warning))
        if config.nav is None:
            config.nav = build_nav(self.generated.pages) + about_section(
                Path(config.docs_dir), self.generated.pages)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.generated is not None
        for page in self.generated.pages:
            inclusion = InclusionLevel.UNDEFINED if page.nav else InclusionLevel.NOT_IN_NAV
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.content,
                                        inclusion=inclusion))
        return files

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Reload on edits to the data, not only to docs/."""
        assert self.project is not None
        for path in (self.project.review_file, self.project.studies_dir,
                     self.project.schema_file, self.project.cache_dir):
            if path.exists():
                server.watch(str(path))
        return server


def build_nav(pages: tuple[Page, ...]) -> list[Any]:
    """Navigation from the pages' `nav` entries, in their order; sections gather children."""
    nav: list[Any] = []
    sections: dict[str, list[Any]] = {}
    for page in pages:
        if not page.nav:
            continue
        if len(page.nav) == 1:
            nav.append({page.nav[0]: page.path})
            continue
        section, title = page.nav[0], page.nav[-1]
        if section not in sections:
            sections[section] = []
            nav.append({section: sections[section]})
        sections[section].append({title: page.path})
    return nav


ABOUT_SECTION = "About"


def about_section(docs_dir: Path, pages: tuple[Page, ...]) -> list[Any]:
    """Hand-written docs/*.md pages (not generated ones), under "About", titled by their `# `
    heading: a generated navigation would otherwise leave them out."""
    generated = {page.path for page in pages}
    entries = []
    for path in sorted(docs_dir.rglob("*.md")) if docs_dir.is_dir() else ():
        relative = path.relative_to(docs_dir).as_posix()
        if relative not in generated:
            entries.append({_heading(path) or path.stem: relative})
    return [{ABOUT_SECTION: entries}] if entries else []


def _heading(path: Path) -> str | None:
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None
