"""The complete documentation source tree, for any Material-compatible site engine.

`docs_tree()` gathers what the MkDocs plugin adds while MkDocs runs — generated pages, version
pages, feed, navigation, title, theme overrides and `extra` values — as plain files plus a
mkdocs.yml without the plugin. A plain `mkdocs build` of the tree gives the same pages as
`livingreview build` (tests/test_docs_tree.py compares them). `write_docs_tree()` is the one
writer, at the edge; it swaps the whole tree in, like `build_site`, and refuses folders that hold
project files.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException

from build_tools.core.clock import epoch_of
from build_tools.core.errors import BuildError
from build_tools.core.project import Project
from build_tools.pages.feed import FEED_PATH, feed_link_tag
from build_tools.pages.generate import assemble_site
from build_tools.pages.page import Page
from build_tools.pages.page_titles import TitleReader, is_markdown, nav_titles, with_title
from build_tools.site import search_summary
from build_tools.site.export_config import (
    DOCS_DIR,
    THEME_OVERRIDES,
    dump_config,
    exported_config,
    read_config,
)
from build_tools.site.plugin import handwritten_pages
from build_tools.site.site_dir import OutputKind, check_output_dir, site_path
from build_tools.site.site_plan import plan_site
from build_tools.site.staging import (
    make_staging_dir,
    output_error,
    recover_interrupted_build,
    replace_directory,
)
from build_tools.versions.versioning import THEME_DIR, build_version

CONFIG_NAME = "mkdocs.yml"
SEARCH_HOOK = "hooks/search_summary.py"  # site/search_summary.py, run by MkDocs as a hook
MARKER = ".livingreview-docs-tree"  # marks a folder we wrote, so we may replace it next time
DOCS_TREE = OutputKind(MARKER, "livingreview export-docs", "an export",
                       "choose an empty or new folder", "", "nothing was written",
                       own_entries=frozenset({CONFIG_NAME}))
_HREF = "LIVINGREVIEWFEEDHREF"


@dataclass(frozen=True)
class DocsTree:
    """Files of the tree by relative path, the mkdocs.yml mapping, and the build's date.

    `epoch` is the SOURCE_DATE_EPOCH that makes the tree's sitemap dates those of
    `livingreview build` (the one thing a config file cannot pin)."""

    files: dict[str, bytes]
    config: dict[str, Any]
    epoch: str
    released: str | None
    sources: tuple[Path, ...] = ()  # the project folders it was read from (never written to)


def docs_tree(project: Project, *, release: str | None = None,
              date: dt.date | None = None) -> DocsTree:
    """Everything a plain `mkdocs build` needs to produce the site our plugin produces;
    `release` and `date` as for `site.build.build_site`."""
    settings = _mkdocs_settings(project)
    raw = read_config(project.mkdocs_file, project.display(project.mkdocs_file))
    site = assemble_site(project)
    docs_dir = Path(settings.docs_dir)
    plan = plan_site(site, build_version(project, site, release, date),
                     site_name=settings.site_name, site_url=settings.site_url,
                     use_directory_urls=settings.use_directory_urls,
                     handwritten=handwritten_pages(docs_dir))
    del site
    nav = settings.nav if settings.nav is not None else plan.nav()
    documents = {**_read_folder(docs_dir),
                 **{p.path: _bytes(p.content) for p in plan.generated}}
    reader = TitleReader(list(settings.markdown_extensions), dict(settings.mdx_configs or {}))
    titles = nav_titles(nav)
    for path, content in documents.items():
        if is_markdown(path):
            text = content.decode("utf-8-sig")
            documents[path] = with_title(path, text, titles.get(path), reader).encode("utf-8")
    config = exported_config(raw, config_dir=project.mkdocs_file.parent, site_name=plan.site_name,
                             extra=plan.extra, nav=nav,
                             not_in_nav=not_in_nav_patterns(plan.pages, documents))
    files = {f"{DOCS_DIR}/{path}": content for path, content in documents.items()}
    files.update({f"{THEME_OVERRIDES}/{path}": content
                  for path, content in _theme_files(settings).items()})
    # The plugin's search entries for pages kept out of the search parser, as a MkDocs hook.
    files[SEARCH_HOOK] = Path(search_summary.__file__).read_bytes()
    config["hooks"] = [*config.get("hooks", []), SEARCH_HOOK]
    files[CONFIG_NAME] = dump_config(config).encode("utf-8")
    return DocsTree(files, config, epoch_of(plan.date), plan.released, _source_dirs(settings))


def _source_dirs(settings: MkDocsConfig) -> tuple[Path, ...]:
    dirs = [settings.docs_dir, settings.theme.custom_dir]
    return tuple(Path(d).resolve() for d in dirs if d)


def _mkdocs_settings(project: Project) -> MkDocsConfig:
    """The project's settings as MkDocs reads them (paths resolved, defaults filled in)."""
    if not project.mkdocs_file.is_file():
        raise BuildError(f"{project.display(project.mkdocs_file)}: not found (run from the "
                         "project folder or pass --project)")
    try:
        return load_config(str(project.mkdocs_file))
    except MkDocsException as error:
        raise BuildError(f"MkDocs failed: {error}") from None


def _bytes(content: str | bytes | None) -> bytes:
    assert content is not None  # only generated pages are written
    return content.encode("utf-8") if isinstance(content, str) else content


def _read_folder(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative POSIX path (links followed, as MkDocs does)."""
    files: dict[str, bytes] = {}
    if not folder.is_dir():
        return files
    for parent, dirs, names in os.walk(folder, followlinks=True):
        dirs.sort()
        for name in sorted(names):
            path = Path(parent) / name
            if path.is_file():
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def _theme_files(settings: MkDocsConfig) -> dict[str, bytes]:
    """Our theme overrides, with the project's custom_dir over them (its files win, as in the
    plugin, where custom_dir comes first in the theme's search path)."""
    files = _read_folder(THEME_DIR)
    files["main.html"] = feed_in_head(files["main.html"].decode("utf-8")).encode("utf-8")
    if settings.theme.custom_dir:
        files.update(_read_folder(Path(settings.theme.custom_dir)))
    return files


def feed_in_head(template: str) -> str:
    """main.html with the feed link the plugin adds to each page's <head> (on_post_page)."""
    tag = feed_link_tag(_HREF).replace(_HREF, "{{ '" + FEED_PATH + "' | url }}")
    return (template.rstrip("\n") + "\n{% block extrahead %}\n  {{ super() }}\n"
            "  {%- if page %}\n  " + tag + "\n  {%- endif %}\n{% endblock %}\n")


def not_in_nav_patterns(pages: tuple[Page, ...], documents: dict[str, bytes]) -> list[str]:
    """gitignore patterns for the pages the plugin keeps out of the navigation: one per folder
    with exceptions where most are out (thousands of study pages: two lines), else one per page;
    MkDocs matches every page against every pattern."""
    outside = {p.path for p in pages if p.nav is None and is_markdown(p.path)}
    folders: dict[str, list[str]] = {}
    for path in documents:
        if is_markdown(path):
            folders.setdefault(posixpath.dirname(path), []).append(path)
    patterns = []
    for folder, paths in sorted(folders.items()):
        mine = sorted(p for p in paths if p in outside)
        others = sorted(p for p in paths if p not in outside and p.endswith(".md"))
        if len(mine) > len(others) + 1 and all(p.endswith(".md") for p in mine):
            patterns.append(f"/{folder}/*.md" if folder else "/*.md")
            patterns += [f"!/{path}" for path in others]
        else:
            patterns += [f"/{path}" for path in mine]
    return patterns


def check_tree_target(project: Project, target: Path, sources: tuple[Path, ...] = ()) -> None:
    """Refuse a folder that is, or holds, the project's files (it is replaced whole); the same
    guard as the site's, with the theme folders the tree is made from and the site added."""
    others = {folder: "which export-docs reads" for folder in sources}
    others[project.site_dir] = "which livingreview build writes"
    check_output_dir(project.root, site_path(target), DOCS_TREE, others)


def write_docs_tree(project: Project, tree: DocsTree, target: Path) -> Path:
    """Write the tree into a staging folder beside `target`, then swap it in whole."""
    target = site_path(target)
    check_tree_target(project, target, tree.sources)
    recover_interrupted_build(target)
    staging = make_staging_dir(target)
    try:
        for relative, content in {**tree.files, MARKER: b""}.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        replace_directory(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise output_error(error, target, staging) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
