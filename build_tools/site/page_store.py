"""The finished HTML of generated pages, kept between builds: a rebuild builds only what changed.

What the theme and every plugin make of a page depends on the page's source, its address, and
the site around it: the configuration, the navigation (with its titles), the theme's templates
and the versions of MkDocs, Material and this code. All of it goes into the entry's key
(`site_fingerprint`, `page_key`), so a changed input is a miss, never a stale page;
tests/test_page_store.py builds with and without the store after each kind of change and
compares every byte of the site.

What is kept is a page's output after every `on_post_page` handler, as MkDocs would write it,
and the search entries building it added (one line of JSON before the HTML). A page whose entry
matches **passes through** the next build: the plugin writes the kept bytes as soon as it has
read them and takes the page out of MkDocs' run (no context, template, handlers or search
parse: ~1 ms a page), adding the kept search entries at the page's place in the index and the
page to the sitemap (site/plugin.py, site/passing.py). That is sound only for plugins whose
page events this module knows: with any other plugin or hook, or MkDocs' own search (which
indexes a page that asks to be left out), nothing is stored or reused.

The store keeps one entry per page address and project, tagged with its key (a later build
replaces it), so it stays the size of one site. Entries live in the user's cache folder
(core.output_cache), never in the project; one that is missing, damaged, too large or for
another key is a miss, found when the build plans (the page is then built as usual).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import material
import mkdocs
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import SearchPlugin as MaterialSearchPlugin
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.theme import Theme
from mkdocs.utils import get_build_datetime, write_file

from build_tools.core.output_cache import OutputCache, text_key, text_of

FORMAT = 3  # raise when what is stored, or how a page is made from it, changes
STORE_KIND = "pages"
MAX_ENTRY_BYTES = 16 * 1024 * 1024
PLAN_BATCH = 500  # entries read at once when planning

# Plugins whose page events only read a page (Material's search, which leaves out a page that
# asks), add what the key already holds (ours, mike's version settings, offline's link removal)
# or work on the finished site (offline).
KNOWN_PLUGINS = frozenset({"search", "material/search", "living-review", "living-review/offline",
                           "offline", "material/offline", "mike"})
# Config settings that say where or how MkDocs runs, not what a page looks like.
RUN_SETTINGS = frozenset({"site_dir", "config_file_path", "dev_addr", "watch", "strict",
                          "plugins", "hooks", "validation", "exclude_docs", "not_in_nav",
                          "draft_docs", "remote_branch", "remote_name", "docs_dir"})
# Our code that shapes a page's finished output besides the templates.
SHAPING_MODULES = ("plugin.py", "shared_nav.py", "html_pages.py", "page_store.py",
                   "search_summary.py", "offline.py")


SearchEntries = list[dict[str, Any]]  # what a page adds to the search index, in order


@dataclass(frozen=True)
class Candidate:
    """A generated page that may pass through: where it is and what it is made from."""

    src_uri: str
    url: str
    source: str
    dest_path: str  # the file MkDocs would write


@dataclass
class PageStore:
    """This build's view of the store: which pages pass through and which are to be kept."""

    cache: OutputCache
    project: str  # entries are per project folder: one per page address
    fingerprint: str
    keys: dict[str, str] = field(default_factory=dict)  # src_uri: its key in this build
    # src_uri of each page that passes through (its file is written): its search entries
    passing: dict[str, SearchEntries] = field(default_factory=dict)
    to_keep: set[str] = field(default_factory=set)  # pages to keep once built

    def entry(self, src_uri: str) -> str:
        return f"{self.project}:{src_uri}"

    def keep(self, src_uri: str, output: str, search_entries: SearchEntries) -> None:
        """Keep a page this build made, with the search entries it added, for the next build."""
        if src_uri in self.to_keep:
            self.to_keep.discard(src_uri)
            text = kept_text(output, search_entries)
            if text is not None:
                self.cache.put_text(self.entry(src_uri), self.keys[src_uri], text,
                                    MAX_ENTRY_BYTES)


def kept_text(output: str, search_entries: SearchEntries) -> str | None:
    """What is stored: the search entries as one line of JSON, then the page. They are written
    as Material writes its index (`default=str`), so reading them back and writing the index
    gives the same bytes; None when they cannot be written at all."""
    try:
        header = json.dumps({"search": search_entries}, ensure_ascii=True,
                            separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        return None
    return f"{header}\n{output}"


def read_kept(text: str) -> tuple[SearchEntries, str] | None:
    """(search entries, page) of a stored text, or None when it is not of that shape."""
    header, newline, output = text.partition("\n")
    if not newline:
        return None
    try:
        value = json.loads(header)
    except (ValueError, RecursionError):
        return None
    entries = value.get("search") if isinstance(value, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return None
    return entries, output


def open_store(root: Path, project_root: Path, config: MkDocsConfig,
               nav: Navigation) -> PageStore | None:
    """The store for this project and build, or None when pages must not be reused."""
    fingerprint = site_fingerprint(config, nav)
    if fingerprint is None:
        return None
    return PageStore(OutputCache(root, STORE_KIND), project_id(project_root), fingerprint)


def project_id(project_root: Path) -> str:
    """Entries are kept per project folder (two checkouts do not replace each other's)."""
    return hashlib.sha256(os.fsencode(project_root.resolve())).hexdigest()[:24]


def plan_reuse(store: PageStore, candidates: Iterable[Candidate]) -> None:
    """Each candidate passes through if its entry was kept for the same key and reads: its file
    is written now, from the kept bytes (read once, never held), and its search entries are
    kept for the index; any other is built as usual and kept."""
    by_uri = {candidate.src_uri: candidate for candidate in candidates}
    for src_uri, candidate in by_uri.items():
        store.keys[src_uri] = page_key(store.fingerprint, src_uri, candidate.url,
                                       candidate.source)
    uris = list(by_uri)
    for start in range(0, len(uris), PLAN_BATCH):
        batch = uris[start:start + PLAN_BATCH]
        kept = store.cache.get_values({store.entry(uri): store.keys[uri] for uri in batch})
        for src_uri in batch:
            value = kept.get(store.entry(src_uri))
            text = text_of(value, MAX_ENTRY_BYTES) if value is not None else None
            found = read_kept(text) if text is not None else None
            if found is None:
                store.to_keep.add(src_uri)
                continue
            search_entries, output = found
            write_file(output.encode("utf-8", errors="xmlcharrefreplace"),
                       by_uri[src_uri].dest_path)
            store.passing[src_uri] = search_entries


def page_key(fingerprint: str, src_uri: str, url: str, source: str) -> str:
    """Everything a page's theme output depends on: the site's fingerprint and the page."""
    return text_key(fingerprint, src_uri, url, source)


def site_fingerprint(config: MkDocsConfig, nav: Navigation) -> str | None:
    """What the theme reads besides the page, as one hash; None if a plugin or hook we do not
    know takes part (it could change pages in ways no key sees)."""
    if set(config.plugins) - KNOWN_PLUGINS or config.hooks or _other_search(config):
        return None
    settings = {key: stable(value) for key, value in config.items()
                if key not in RUN_SETTINGS and not key.startswith("_")}
    parts = {
        "format": FORMAT,
        "mkdocs": mkdocs.__version__,
        "material": getattr(material, "__version__", "?"),
        "date": get_build_datetime().isoformat(),
        "plugins": {name: stable(dict(plugin.config)) for name, plugin in config.plugins.items()},
        "settings": settings,
        "nav": nav_outline(nav.items),
        "jieba": material_search.jieba is not None,  # Material's search splits Chinese with it
        "templates": _templates_digest(config.theme),
        "code": _files_digest(Path(__file__).parent / name for name in SHAPING_MODULES),
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _other_search(config: MkDocsConfig) -> bool:
    """Whether a search plugin other than Material's runs (MkDocs' own indexes every page)."""
    return any(name in ("search", "material/search")
               and not isinstance(plugin, MaterialSearchPlugin)
               for name, plugin in config.plugins.items())


def titles_known(items: Iterable[Any]) -> bool:
    """Whether every title of the navigation is known before any page is read (given in the
    configuration, as our generated navigation gives them): `nav_outline` is then final."""
    return all(item.title is not None
               and (not getattr(item, "children", None) or titles_known(item.children))
               for item in items)


def nav_outline(items: Iterable[Any]) -> list[Any]:
    """The navigation as the sidebar shows it: kind, title, address and children (a page is a
    page whether or not the plugin made it a RawHtmlPage yet: the outline is the same before
    MkDocs reads the pages and after)."""
    return [[_kind(item), str(item.title), str(getattr(item, "url", "")),
             nav_outline(item.children or ()) if getattr(item, "children", None) else []]
            for item in items]


def _kind(item: Any) -> str:
    return "Page" if isinstance(item, MkDocsPage) else type(item).__name__


def stable(value: Any) -> Any:
    """A JSON form of a setting that is the same in every process (no object addresses)."""
    if isinstance(value, Theme):
        return {"name": value.name, "dirs": list(value.dirs),
                "vars": stable(dict(value.items())),
                "static_templates": sorted(value.static_templates)}
    if isinstance(value, Mapping):
        return {str(key): stable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [stable(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def _templates_digest(theme: Theme) -> str:
    return _files_digest(path for folder in theme.dirs
                         for path in sorted(Path(folder).rglob("*.html")))


def _files_digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(os.fsencode(path))
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()
