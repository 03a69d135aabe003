"""The page store (site/page_store.py): a rebuild reuses the theme HTML of pages whose inputs
did not change, and the site is byte for byte the site built without the store, after every
kind of change a project can make."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.contrib.search import SearchPlugin as MkDocsSearch
from mkdocs.structure.nav import Navigation

from build_tools.core.output_cache import DATABASE_NAME, OutputCache
from build_tools.core.project import Project
from build_tools.site import page_store
from build_tools.site.build import build_site
from tests import cache_rows
from tests.factories import make_project

Change = Callable[[Project], None]


def site_bytes(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def entries(cache: Path) -> dict[str, str]:
    """Each stored page and the key it was kept for (a page rendered again is kept for a new
    key: the same key would have been reused)."""
    return cache_rows.tags(cache, page_store.STORE_KIND)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def change_a_study(project: Project) -> None:
    study = next(path for path in sorted(project.studies_dir.glob("*.yaml"))
                 if "\nnotes: " in path.read_text("utf-8"))
    replace_in(study, "\nnotes: ", "\nnotes: Changed for the page store test. ")


def rename_the_site(project: Project) -> None:
    replace_in(project.mkdocs_file, "site_name: \"Living review:", "site_name: \"Renamed:")


def change_the_palette(project: Project) -> None:
    replace_in(project.mkdocs_file, "primary: teal", "primary: indigo")


def add_social_links(project: Project) -> None:
    with project.mkdocs_file.open("a", encoding="utf-8") as out:
        out.write("extra:\n  social:\n    - icon: fontawesome/brands/github\n"
                  "      link: https://example.org/changed\n")


def override_the_theme(project: Project) -> None:
    overrides = project.root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}A banner of our own{% endblock %}\n',
        "utf-8")
    replace_in(project.mkdocs_file, "  name: material\n",
               "  name: material\n  custom_dir: overrides\n")


def add_a_page(project: Project) -> None:
    (project.root / "docs" / "added.md").write_text("# An added page\n\nText.\n", "utf-8")


def retitle_a_page(project: Project) -> None:
    page = project.root / "docs" / "notes.md"
    lines = page.read_text("utf-8").splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("# "))
    lines[heading] = "# A heading changed for the test"
    page.write_text("\n".join(lines) + "\n", "utf-8")


# (change, whether unchanged pages may be reused after it)
CHANGES: dict[str, tuple[Change, bool]] = {
    "one study changed": (change_a_study, True),
    "site renamed": (rename_the_site, False),
    "palette changed": (change_the_palette, False),
    "social links added": (add_social_links, False),
    "theme overridden": (override_the_theme, False),
    "a page added to the navigation": (add_a_page, False),
    "a navigation title changed": (retitle_a_page, False),
}


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A project of the scenario review and a store warmed by one build of it (twice: the
    second build must reuse every page the first kept)."""
    root = tmp_path_factory.mktemp("store")
    project = make_project(root / "review")
    cache = root / "cache"
    first = site_bytes(build_site(project, output_cache=cache))
    kept = entries(cache)
    assert len(kept) >= 5
    second = site_bytes(build_site(project, output_cache=cache))
    assert entries(cache) == kept, "the second build rewrote pages it should have reused"
    assert second == first
    return project.root, cache


@pytest.mark.parametrize("name", CHANGES)
def test_after_each_kind_of_change_the_site_is_the_site_built_without_the_store(
        name: str, warm: tuple[Path, Path], tmp_path: Path) -> None:
    change, reusable = CHANGES[name]
    shutil.copytree(warm[0], tmp_path / "review")
    shutil.copytree(warm[1], tmp_path / "cache")
    # The store is per project folder: the copy gets the warm entries under its own name.
    with sqlite3.connect(tmp_path / "cache" / DATABASE_NAME) as connection:
        connection.execute("UPDATE entries SET key = replace(key, ?, ?) WHERE kind = ?",
                           (page_store.project_id(warm[0]),
                            page_store.project_id(tmp_path / "review"),
                            page_store.STORE_KIND))
    project = Project.at(tmp_path / "review")
    change(project)
    before = entries(tmp_path / "cache")
    with_store = site_bytes(build_site(project, output_cache=tmp_path / "cache"))
    after = entries(tmp_path / "cache")
    fresh = site_bytes(build_site(project, site_dir=tmp_path / "fresh", output_cache=None))
    assert with_store == fresh
    reused = [entry for entry, key in before.items() if after.get(entry) == key]
    if reusable:
        assert reused and len(reused) < len(before)
    else:
        assert not reused, f"{len(reused)} pages reused after: {name}"


def rebuilt_after(tmp_path: Path, prepare: Change, change: Change) -> tuple[bool, bool]:
    """Build a prepared project, change it, rebuild with the store: (whether the site equals
    one built without the store, whether any page was reused)."""
    project = make_project(tmp_path / "review")
    prepare(project)
    cache = tmp_path / "cache"
    build_site(project, output_cache=cache)
    change(project)
    before = entries(cache)
    with_store = site_bytes(build_site(project, output_cache=cache))
    after = entries(cache)
    fresh = site_bytes(build_site(project, site_dir=tmp_path / "fresh", output_cache=None))
    return with_store == fresh, any(after.get(entry) == key for entry, key in before.items())


def test_a_changed_template_of_the_project_renders_every_page_again(tmp_path: Path) -> None:
    def edit(project: Project) -> None:
        replace_in(project.root / "overrides" / "main.html", "A banner of our own", "Changed")

    assert rebuilt_after(tmp_path, override_the_theme, edit) == (True, False)


def test_a_title_the_navigation_takes_from_a_heading_renders_every_page_again(
        tmp_path: Path) -> None:
    """With `nav:` in mkdocs.yml and no title given, a page's heading is its navigation title,
    which every page's sidebar shows."""
    def listed_without_titles(project: Project) -> None:
        with project.mkdocs_file.open("a", encoding="utf-8") as out:
            out.write("nav:\n  - index.md\n  - notes.md\n  - studies/index.md\n")

    assert rebuilt_after(tmp_path, listed_without_titles, retitle_a_page) == (True, False)


def test_without_titles_in_the_navigation_pages_pass_once_every_page_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Titles the navigation takes from headings are known only once pages are read: kept
    pages then pass after MkDocs reads them (site/plugin.py), with the same site."""
    def listed_without_titles(project: Project) -> None:
        with project.mkdocs_file.open("a", encoding="utf-8") as out:
            out.write("nav:\n  - index.md\n  - notes.md\n  - studies/index.md\n")

    read = reading_recorded(monkeypatch)
    assert rebuilt_after(tmp_path, listed_without_titles, change_a_study) == (True, True)
    assert sum(uri.startswith("studies/") for uri in read) > 3  # every page read each build


def reading_recorded(monkeypatch: pytest.MonkeyPatch, step: str = "_populate_page"
                     ) -> list[str]:
    """The pages MkDocs reads (its `_populate_page`), or passes through another `step` of its
    build (`_build_page`), as it does."""
    seen: list[str] = []
    real = getattr(mkdocs_build, step)

    def recording(page: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(page.file.src_uri)
        real(page, *args, **kwargs)

    monkeypatch.setattr(mkdocs_build, step, recording)
    return seen


def test_a_page_another_file_is_written_over_is_built_as_mkdocs_builds_it(
        tmp_path: Path) -> None:
    """A kept page is written early; where a file of docs/ has the same address, MkDocs would
    write the page after it, so such a page does not pass (the site stays as without the
    store)."""
    def shadow_a_study_page(project: Project) -> None:
        study = sorted(project.studies_dir.glob("*.yaml"))[0].stem
        folder = project.root / "docs" / "studies" / study
        folder.mkdir(parents=True)
        (folder / "index.html").write_text("<p>A file of docs/</p>\n", "utf-8")

    assert rebuilt_after(tmp_path, shadow_a_study_page, change_a_study) == (True, True)


def test_kept_pages_are_not_even_read_when_every_title_is_known(
        warm: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(warm[0], tmp_path / "review")
    project = Project.at(tmp_path / "review")
    cache = tmp_path / "cache"
    build_site(project, output_cache=cache)
    change_a_study(project)
    read = reading_recorded(monkeypatch)
    build_site(project, output_cache=cache)
    assert len([uri for uri in read if uri.startswith("studies/")
                and uri != "studies/index.md"]) == 1


def test_pages_kept_before_reading_pass_after_reading_and_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key is the same whether the plugin plans before MkDocs reads the pages or after
    (the navigation's outline does not see the page class the plugin gives a page)."""
    project = make_project(tmp_path / "review")
    cache = tmp_path / "cache"
    build_site(project, output_cache=cache)  # planned before reading
    kept = entries(cache)
    monkeypatch.setattr(page_store, "titles_known", lambda items: False)
    build_site(project, output_cache=cache)  # planned after reading
    assert entries(cache) == kept  # every page passed: none was kept anew
    monkeypatch.undo()
    build_site(project, output_cache=cache)
    assert entries(cache) == kept


@pytest.mark.parametrize(("anchor", "valid"), [("cite-this-study", True),
                                                 ("no-such-anchor", False)])
def test_links_to_the_anchors_of_a_page_that_passes_unread_are_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anchor: str, valid: bool) -> None:
    project = make_project(tmp_path / "review")
    study = sorted(project.studies_dir.glob("*.yaml"))[0].stem
    links = project.root / "docs" / "links.md"
    links.write_text(f"# Links\n\n[Cite it](studies/{study}.md#cite-this-study)\n", "utf-8")
    cache = tmp_path / "cache"
    build_site(project, strict=True, output_cache=cache)
    replace_in(links, "#cite-this-study", f"#{anchor}")
    read = reading_recorded(monkeypatch)
    if valid:
        build_site(project, strict=True, output_cache=cache)
    else:
        with pytest.raises(Exception, match="strict mode"):
            build_site(project, strict=True, output_cache=cache)
    assert f"studies/{study}.md" not in read  # it passed through unread


def test_a_page_whose_entry_cannot_be_read_is_rendered_as_usual(
        warm: tuple[Path, Path], tmp_path: Path) -> None:
    """An entry that has its key but cannot be read when the page is written (another build
    replaced it, the disk failed) falls back to the theme: the same page."""
    shutil.copytree(warm[0], tmp_path / "review")
    project = Project.at(tmp_path / "review")
    cache = tmp_path / "cache"
    expected = site_bytes(build_site(project, output_cache=cache))
    kept = entries(cache)
    for entry, key in kept.items():  # key intact, the value damaged
        cache_rows.store_raw(cache, page_store.STORE_KIND, entry, b"damaged", key)
    assert site_bytes(build_site(project, output_cache=cache)) == expected
    repaired = cache_rows.rows(cache, page_store.STORE_KIND)
    assert all(value != b"damaged" for _, value in repaired.values())  # kept anew


def test_a_stored_entry_is_what_a_rebuild_shows(warm: tuple[Path, Path], tmp_path: Path) -> None:
    """Control: the store is really read (byte identity alone could pass unread)."""
    shutil.copytree(warm[0], tmp_path / "review")
    project = Project.at(tmp_path / "review")
    cache = tmp_path / "cache"
    build_site(project, output_cache=cache)
    kept = cache_rows.texts(cache, page_store.STORE_KIND)
    for entry, key in entries(cache).items():
        cache_rows.store_bytes(cache, page_store.STORE_KIND, entry, kept[entry].replace(
            "</body>", "<!-- from the store --></body>", 1).encode(), key)
    site = build_site(project, output_cache=cache)
    marked = [path for path in site.rglob("*.html")
              if b"<!-- from the store -->" in path.read_bytes()]
    assert len(marked) == len(entries(cache))


def test_the_kept_search_entries_are_what_a_rebuild_indexes(warm: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    """Control: a page that passes through is indexed from the entries kept with it, in its
    place, not parsed again (byte identity alone could pass with the entries unread)."""
    shutil.copytree(warm[0], tmp_path / "review")
    project = Project.at(tmp_path / "review")
    cache = tmp_path / "cache"
    site = build_site(project, output_cache=cache)
    before = json.loads((site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    kept = cache_rows.texts(cache, page_store.STORE_KIND)
    marked = 0
    for entry, key in entries(cache).items():
        found = page_store.read_kept(kept[entry])
        assert found is not None
        search_entries, output = found
        for search_entry in search_entries:
            search_entry["title"] = f"kept {search_entry['title']}"
            marked += 1
        text = page_store.kept_text(output, search_entries)
        assert text is not None
        cache_rows.store_bytes(cache, page_store.STORE_KIND, entry, text.encode(), key)
    assert marked > 3
    site = build_site(project, output_cache=cache)
    after = json.loads((site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    assert [e["location"] for e in after] == [e["location"] for e in before]
    assert sum(e["title"].startswith("kept ") for e in after) == marked


def test_kept_pages_pass_through_mkdocs(warm: tuple[Path, Path], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild after one study changed has MkDocs build only the pages it could not keep:
    that study's page and the pages that list studies, not the other study pages."""
    shutil.copytree(warm[0], tmp_path / "review")
    project = Project.at(tmp_path / "review")
    cache = tmp_path / "cache"
    build_site(project, output_cache=cache)
    change_a_study(project)
    built = reading_recorded(monkeypatch, "_build_page")
    site = site_bytes(build_site(project, output_cache=cache))
    study_pages = [uri for uri in built if uri.startswith("studies/") and uri != "studies/index.md"]
    assert len(study_pages) == 1
    written = [path for path in site if path.startswith("studies/") and path.endswith(".html")]
    assert len(written) > 3
    assert site == site_bytes(build_site(project, site_dir=tmp_path / "fresh", output_cache=None))


def test_an_offline_rebuild_is_the_offline_site_built_without_the_store(tmp_path: Path) -> None:
    """Offline: other addresses, Material's offline plugin and its handlers on every page."""
    project = make_project(tmp_path / "review")
    cache = tmp_path / "cache"
    build_site(project, offline=True, output_cache=cache)
    assert entries(cache)
    change_a_study(project)
    with_store = site_bytes(build_site(project, offline=True, output_cache=cache))
    fresh = site_bytes(build_site(project, site_dir=tmp_path / "fresh", offline=True,
                                  output_cache=None))
    assert with_store == fresh
    assert "search/search_index.js" in fresh


@pytest.mark.parametrize("own_search", [False, True])
def test_only_materials_search_lets_pages_pass(tmp_path: Path, own_search: bool) -> None:
    """MkDocs' own search indexes a page that asks to be left out: a page that did not go
    through it would lose its entries, so with it nothing is kept (with Material's, pages are)."""
    project = make_project(tmp_path / "review")
    config = load_config(str(project.mkdocs_file))
    assert "material/search" in config.plugins
    if own_search:
        config.plugins["search"] = MkDocsSearch()
        del config.plugins["material/search"]
    store = page_store.open_store(tmp_path / "cache", project.root, config, _empty_nav())
    assert (store is None) == own_search


def test_a_plugin_or_hook_it_does_not_know_turns_the_store_off(tmp_path: Path) -> None:
    project = make_project(tmp_path / "review")
    (project.root / "hooks.py").write_text("def on_page_context(context, **kwargs):\n"
                                           "    return context\n", "utf-8")
    replace_in(project.mkdocs_file, "plugins:\n", "hooks:\n  - hooks.py\nplugins:\n")
    cache = tmp_path / "cache"
    build_site(project, output_cache=cache)
    assert not entries(cache)
    config = load_config(str(project.mkdocs_file))
    assert page_store.open_store(cache, project.root, config, _empty_nav()) is None


def test_the_fingerprint_is_the_same_in_every_process(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """No object address or other per-process value may enter it, or nothing is ever reused.
    (The build's date does: a build pins it, see plugin._apply_plan.)"""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "review")
    first = load_config(str(project.mkdocs_file))
    second = load_config(str(project.mkdocs_file))
    assert page_store.site_fingerprint(first, _empty_nav()) == \
        page_store.site_fingerprint(second, _empty_nav())
    first.extra["changed"] = "yes"
    assert page_store.site_fingerprint(first, _empty_nav()) != \
        page_store.site_fingerprint(second, _empty_nav())


@given(st.binary(max_size=300), st.integers(0, 2))
def test_any_bytes_in_an_entry_give_a_page_or_a_miss(raw: bytes, form: int) -> None:
    root = Path(os.environ["LIVINGREVIEW_CACHE_DIR"]) / "page-store-hypothesis"
    cache = OutputCache(root, page_store.STORE_KIND)
    cache.put_text("entry", "key", "<p>kept</p>", page_store.MAX_ENTRY_BYTES)
    if form == 0:
        cache_rows.store_raw(root, page_store.STORE_KIND, "entry", raw, "key")
    elif form == 1:
        cache_rows.store_bytes(root, page_store.STORE_KIND, "entry", raw, "key")
    else:  # over the limit
        cache_rows.store_bytes(root, page_store.STORE_KIND, "entry", raw + b"x" * 201, "key")
    text = cache.get_text("entry", "key", 200)
    assert text is None or (form == 1 and text.encode() == raw)
    assert cache.get_text("entry", "another key", 200) is None


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@given(st.lists(st.dictionaries(st.text(), JSON_VALUES, max_size=4), max_size=4), st.text())
def test_kept_search_entries_and_page_read_back_as_written(
        search_entries: list[dict[str, Any]], output: str) -> None:
    text = page_store.kept_text(output, search_entries)
    assert text is not None
    assert page_store.read_kept(text) == (search_entries, output)


@given(st.text())
def test_any_stored_text_reads_as_entries_and_a_page_or_as_a_miss(text: str) -> None:
    found = page_store.read_kept(text)
    assert found is None or (isinstance(found[0], list)
                             and all(isinstance(e, dict) for e in found[0])
                             and isinstance(found[1], str))


def _empty_nav() -> Navigation:
    return Navigation([], [])
