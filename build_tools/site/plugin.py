"""The thin MkDocs plugin: generation runs inside MkDocs, so `mkdocs build`, `mkdocs serve` and
`mike deploy` all produce the complete site. All contact with MkDocs lives here and in build.py.

Two ways in. `livingreview build` (site.build) assembles the review and gathers the version
itself, then hands both over with `prepare()` before MkDocs runs. Plain `mkdocs build` and
`mkdocs serve` have no such caller, so `on_config` is their edge: it assembles the review and
reads the release to build from $LIVINGREVIEW_RELEASE (the public way to rebuild a tag)."""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from jinja2 import Environment
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.utils import get_relative_url

from build_tools.core.clock import epoch_of
from build_tools.core.errors import BuildError, InvalidRecords, ReviewError
from build_tools.core.input_files import read_folder_problems
from build_tools.core.mdtext import plain_title
from build_tools.core.output_cache import default_cache_root, flush_all
from build_tools.core.project import Project
from build_tools.pages.feed import FEED_PATH, feed_link_tag
from build_tools.pages.generate import AssembledSite, assemble_site
from build_tools.pages.page import Page
from build_tools.pages.registry import Handwritten, about_pages, build_nav
from build_tools.site import page_store, passing, search_summary, shared_nav
from build_tools.site.html_pages import RawHtmlPage
from build_tools.site.serve_errors import (
    configure_problem_site,
    problem_files,
    problem_lines,
    problem_pages,
)
from build_tools.site.site_assets import add_assets
from build_tools.site.site_dir import check_site_dir, mark_site, site_path
from build_tools.site.site_plan import SitePlan, plan_site
from build_tools.site.tex_math import add_math
from build_tools.versions.manifest import write_manifest
from build_tools.versions.versioning import (
    THEME_DIR,
    BuildVersion,
    build_version,
    release_from_environment,
)

# Advisory data warnings (a title that differs from Crossref, a stray file in studies/) are shown
# but are not MkDocs warnings: outside the "mkdocs" logger, `--strict` does not fail on them.
data_log = logging.getLogger("living_review")


class _ProblemLines(logging.Handler):
    """Prints a problem exactly as `validate` does (it already says "warning:")."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr)


if not data_log.handlers:
    data_log.addHandler(_ProblemLines())
    data_log.propagate = False


class LivingReviewConfig(Config):
    project_dir = config_options.Optional(config_options.Type(str))


@dataclass(frozen=True)
class PreparedBuild:
    """What `livingreview build` hands the plugin: the assembled review and the version."""

    site: AssembledSite
    version: BuildVersion
    date_given: bool = False  # an explicit build date: pin MkDocs' dates to it too
    output_cache: Path | None = None  # where per-study outputs are kept between builds


class LivingReviewPlugin(BasePlugin[LivingReviewConfig]):
    """Adds the generated pages as virtual files; nothing is written into docs/."""

    def __init__(self) -> None:
        self.project: Project | None = None
        self.prepared: PreparedBuild | None = None  # handed over by prepare(), used once
        self.pages: tuple[Page, ...] = ()  # the generated pages of the last good build
        self.released: str | None = None  # the release being built, for its manifest
        self._epoch_pinned = False
        self._saved_epoch: str | None = None
        self.serving = False  # under `mkdocs serve`, invalid records give a problem page
        self.problems: list[str] | None = None  # what that page lists; None: the site is good
        self._by_path: tuple[tuple[Page, ...], dict[str, Page]] | None = None
        self.shared_nav = shared_nav.SharedNav()
        self.store_root: Path | None = None  # where kept outputs live (None: keep nothing)
        self.nav: Navigation | None = None
        self.page_store: page_store.PageStore | None = None  # this build's kept pages
        self.passing: passing.Passing | None = None  # the kept pages taken out of MkDocs' run
        self._indexed_before_page: int | None = None  # search entries before this page's own
        self._planned = False  # whether this build has decided which kept pages pass through

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also keeps this plugin across serve's rebuilds, so the pages of
        # the last good build are known when a later one fails (serve_errors.problem_pages).
        self.serving = command == "serve"

    def prepare(self, site: AssembledSite, version: BuildVersion, *,
                date_given: bool = False, output_cache: Path | None = None) -> None:
        """The explicit hand-off from `livingreview build`, before MkDocs runs: the next
        on_config uses these instead of reading the project and the environment."""
        self.prepared = PreparedBuild(site, version, date_given, output_cache)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = self.config.project_dir or str(Path(config.config_file_path).parent)
        self.project = Project.at(root)
        self.problems = self.released = None
        self.nav = self.page_store = self.passing = None
        prepared, self.prepared = self.prepared, None  # one build each, and not kept after
        # where outputs are kept between builds (None: `--no-cache`, keep and reuse nothing)
        self.store_root = output_cache = (prepared.output_cache if prepared
                                          else default_cache_root())
        self._refuse_unsafe_folders(config)
        try:
            site = prepared.site if prepared else assemble_site(self.project, output_cache)
        except InvalidRecords as error:
            if not self.serving:
                raise PluginError(str(error)) from None
            return self._serve_problems(config, error)
        except ReviewError as error:
            if not self.serving:
                raise
            return self._serve_problems(config, error)
        for warning in site.warnings:
            data_log.warning(str(warning))
        # a ReleaseError reaches the CLI as one line
        version = (prepared.version if prepared else
                   build_version(self.project, site, release_from_environment()))
        plan = plan_site(site, version, site_name=config.site_name, site_url=config.site_url,
                         use_directory_urls=config.use_directory_urls,
                         handwritten=handwritten_pages(Path(config.docs_dir)),
                         output_cache=output_cache)
        # From here MkDocs needs only the pages: let the records, tables and evidence go, they
        # are most of our memory while MkDocs runs (docs/performance.md).
        date_given = prepared.date_given if prepared else False
        del site, prepared, version
        self._apply_plan(config, plan, date_given)
        if config.nav is None:
            config.nav = plan.nav()
        self.pages = plan.generated
        return config

    @property
    def _generated(self) -> dict[str, Page]:
        """The generated pages by path (made once per build)."""
        if self._by_path is None or self._by_path[0] is not self.pages:
            self._by_path = (self.pages, {page.path: page for page in self.pages})
        return self._by_path[1]

    def _serve_problems(self, config: MkDocsConfig, error: ReviewError) -> MkDocsConfig:
        """Under serve: the problems as the site, at every page the last good build had."""
        lines = problem_lines(error)
        for line in lines:
            data_log.error(line)
        self.problems = lines
        self.pages = problem_pages(lines, (page.path for page in self.pages))
        configure_problem_site(config, lines)
        return config

    def _refuse_unsafe_folders(self, config: MkDocsConfig) -> None:
        """`mkdocs build` and `mkdocs serve` get the guards of `livingreview build`: MkDocs
        empties site_dir right after on_config, and reads docs/ right after that."""
        assert self.project is not None
        try:
            check_site_dir(self.project.root, site_path(config.site_dir))
        except BuildError as error:
            raise PluginError(f"site_dir {error}") from None
        problems = read_folder_problems(self.project.root,
                                        [config.docs_dir, config.theme.custom_dir])
        if problems:
            raise PluginError("\n".join(str(problem) for problem in problems))

    def _apply_plan(self, config: MkDocsConfig, plan: SitePlan, date_given: bool = False) -> None:
        """Release or development build: title, banners, and a fixed date for MkDocs."""
        self.released = plan.released
        config.site_name = plan.site_name
        config.extra.update(plan.extra)
        add_assets(config)
        add_math(config)
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        # Reproducible builds: MkDocs dates the sitemap and its gzip header from this, and reads
        # it nowhere else; it is put back as it was when the build ends.
        self._saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        self._epoch_pinned = True
        if plan.released is not None or date_given or self._saved_epoch is None:
            os.environ["SOURCE_DATE_EPOCH"] = epoch_of(plan.date)

    @event_priority(100)  # before the search plugin writes its index
    def _write_passing(self, config: MkDocsConfig) -> None:
        """The search entries of the pages that passed through after the last page built (their
        files are written already)."""
        if self.passing is not None:
            self.passing.finish(config)
            self.passing = None

    @event_priority(-100)  # after every other plugin has written its files
    def _finish_build(self, config: MkDocsConfig) -> None:
        mark_site(Path(config.site_dir))  # so the next build may replace this folder
        self.page_store = None
        flush_all()  # what this build keeps for the next one
        if self.released is not None:
            write_manifest(Path(config.site_dir), self.released)
        self._restore_epoch()

    on_post_build = CombinedEvent(_write_passing, _finish_build)

    def on_build_error(self, error: Exception) -> None:
        self.page_store = self.passing = None
        flush_all()  # every kept output is filed under its inputs: still right
        self._restore_epoch()

    def on_shutdown(self) -> None:
        self._restore_epoch()

    def _restore_epoch(self) -> None:
        if not self._epoch_pinned:
            return
        if self._saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = self._saved_epoch
        self._epoch_pinned = False

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.problems is not None:
            return problem_files(files, config, self.pages)
        for page in self.pages:
            if page.content is None:
                continue  # hand-written: MkDocs has it from docs/ already
            inclusion = InclusionLevel.UNDEFINED if page.nav else InclusionLevel.NOT_IN_NAV
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.content,
                                        inclusion=inclusion))
        return files

    def _announce_feed(self, output: str, page: Any, config: MkDocsConfig) -> str:
        """Announce the updates feed in every page's <head>, for browsers and feed readers."""
        tag = feed_link_tag(get_relative_url(FEED_PATH, page.url))
        return output.replace("</head>", f"{tag}\n</head>", 1)

    @event_priority(-100)  # the finished page, after every plugin has post-processed it
    def _keep_page_output(self, output: str, page: Any, config: MkDocsConfig) -> str:
        if self.page_store is not None and passing.may_pass(page):
            self.page_store.keep(page.file.src_uri, output,
                                 passing.entries_since(config, self._indexed_before_page))
        return output

    on_post_page = CombinedEvent(_announce_feed, _keep_page_output)

    def on_pre_page(self, page: MkDocsPage, config: MkDocsConfig, files: Files) -> MkDocsPage:
        """A raw-HTML page skips Markdown altogether (html_pages.RawHtmlPage)."""
        generated = self._generated.get(page.file.src_uri)
        if generated is not None and generated.body_html and self.problems is None:
            page.__class__ = RawHtmlPage
        return page

    def on_page_content(
        self, html: str, page: MkDocsPage, config: MkDocsConfig, files: Files
    ) -> str:
        """Pin a title the theme cannot turn into markup (see mdtext.plain_title)."""
        if page.title:
            page.meta["title"] = plain_title(page.title)
        return html

    @event_priority(100)  # before any plugin indexes the page being built
    def _index_passing_before(
        self, context: Any, page: MkDocsPage, config: MkDocsConfig, nav: Any
    ) -> Any:
        """The search entries of the pages that pass through before this one (passing); then
        where this page's own entries will start, to keep them with the page."""
        if self.passing is not None:
            self.passing.index_before(page.file.src_uri, config)
        if self.page_store is not None:
            self._indexed_before_page = passing.indexed_so_far(config)
        return context

    def _summary_and_sidebar(
        self, context: Any, page: MkDocsPage, config: MkDocsConfig, nav: Any
    ) -> Any:
        """A page kept out of the search parser gets its one entry: title and summary; a page
        out of the navigation the key of the sidebar it shares (shared_nav)."""
        if self.problems is None:
            search_summary.on_page_context(context, page, config, nav)
            shared_nav.add_key(context, page, nav)
        return context

    on_page_context = CombinedEvent(_index_passing_before, _summary_and_sidebar)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Kept pages pass through before MkDocs reads any page when it can: every title of the
        navigation (part of every page's key) is known without reading, and this is a build,
        not `serve` (which shows excluded pages). MkDocs then does not read them at all."""
        self.nav = nav
        self._planned = False
        if not self.serving and page_store.titles_known(nav.items):
            self._plan_passing(config, files, read=False)
        return nav

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        self.shared_nav.install(env)
        if not self._planned:  # once every page is read (titles known)
            self._plan_passing(config, files, read=True)
        return env

    def _plan_passing(self, config: MkDocsConfig, files: Files, *, read: bool) -> None:
        self._planned = True
        self.page_store = store = self._reuse_kept_pages(config, files, read=read)
        inclusion = InclusionLevel.is_in_serve if self.serving else InclusionLevel.is_included
        self.passing = (passing.take_out(store, files, inclusion)
                        if store is not None and store.passing else None)

    def on_template_context(self, context: Any, *, template_name: str,
                            config: MkDocsConfig) -> Any:
        """The sitemap lists the pages that pass through too, in their place."""
        if template_name == "sitemap.xml" and self.passing is not None:
            context["pages"] = self.passing.documentation_pages
        return context

    def _reuse_kept_pages(self, config: MkDocsConfig, files: Files, *, read: bool
                          ) -> page_store.PageStore | None:
        """The generated raw HTML pages whose finished HTML the last build kept, for the same
        inputs, pass through (page_store, passing): their files are written here. Before the
        pages are read (`read` False) every generated raw HTML page is a candidate (only pages
        that may pass are ever kept: `_keep_page_output`) and one that passes is never read;
        after, the pages that may pass."""
        if self.store_root is None or self.project is None or self.nav is None \
                or self.problems is not None:
            return None
        store = page_store.open_store(self.store_root, self.project.root, config, self.nav)
        if store is None:
            return None
        generated = self._generated
        # A page is written early: no other file or theme template may be written where it is
        # (MkDocs would have written the page after them, over them).
        destinations = Counter([*(file.dest_uri for file in files),
                                *config.theme.static_templates])
        candidates: list[tuple[MkDocsPage, str]] = []
        for file in files.documentation_pages():
            made = generated.get(file.src_uri)
            if made is None or not made.body_html or not isinstance(made.content, str) \
                    or destinations[file.dest_uri] > 1:
                continue
            if read and not (isinstance(file.page, RawHtmlPage) and passing.may_pass(file.page)):
                continue
            # out of the navigation, a page is made here as MkDocs' loop would make it
            page = file.page or RawHtmlPage(None, file, config)
            candidates.append((page, made.content))
        page_store.plan_reuse(store, (page_store.Candidate(
            page.file.src_uri, str(page.url), content, page.file.abs_dest_path)
            for page, content in candidates))
        if not read:  # a page that passes is never read: links to its anchors use its source
            for page, content in candidates:
                if page.file.src_uri in store.passing:
                    page.__class__ = RawHtmlPage
                    cast(RawHtmlPage, page).pass_unread(content)
        return store

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Reload on edits to the data, not only to docs/."""
        assert self.project is not None
        for path in (self.project.review_file, self.project.studies_dir,
                     self.project.schema_file, self.project.cache_dir):
            if path.exists():
                server.watch(str(path))
        return server


def handwritten_pages(docs_dir: Path) -> tuple[Handwritten, ...]:
    """The hand-written docs/*.md pages with their `# ` headings (the About producer's data)."""
    return tuple(Handwritten(path.relative_to(docs_dir).as_posix(), _heading(path))
                 for path in (sorted(docs_dir.rglob("*.md")) if docs_dir.is_dir() else ()))


def about_section(docs_dir: Path, pages: tuple[Page, ...]) -> list[Any]:
    """The "About" part of the navigation: hand-written pages that no generated page replaces."""
    generated = {page.path for page in pages}
    placed = [p for p in about_pages(handwritten_pages(docs_dir)) if p.path not in generated]
    return build_nav(placed)


def _heading(path: Path) -> str | None:
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].replace("`", "").strip()  # a nav title is plain text
    return None
