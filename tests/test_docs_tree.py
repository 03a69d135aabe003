"""`livingreview export-docs`: a plain `mkdocs build` of the exported tree, without our plugin,
gives the site `livingreview build` gives. The project is tests/scenarios/tiny-review (SYNTHETIC
data) with hand-written pages, an asset, a theme override and tagged settings added here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from build_tools.cli.main import main
from build_tools.core.errors import BuildError
from build_tools.core.project import Project
from build_tools.pages.page import Page
from build_tools.site.build import build_site
from build_tools.site.docs_tree import (
    MARKER,
    DocsTree,
    check_tree_target,
    docs_tree,
    not_in_nav_patterns,
    write_docs_tree,
)
from build_tools.site.export_config import PLUGIN_NAME, Tagged, dump_config, read_config
from build_tools.site.site_assets import STYLESHEETS
from tests.conftest import SCENARIOS, copy_project

HOSTILE_TITLE = "SYNTHETIC </title><script>alert(1)</script> & <b>bold</b>"

MKDOCS_YML = """\
site_name: Tiny synthetic review
copyright: !ENV [LR_TEST_COPYRIGHT, "SYNTHETIC copyright line"]
theme:
  name: material
  font: false
  custom_dir: theme
plugins:
  - search
  - living-review
markdown_extensions:
  - tables
  - attr_list
  - admonition
  - toc:
      permalink: true
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
extra_css:
  - assets/extra.css
extra:
  note: kept as written
"""


def make_project(root: Path) -> Project:
    """tiny-review plus what a real project has: own pages, an asset, a theme override."""
    root.mkdir(parents=True, exist_ok=True)
    project = copy_project(SCENARIOS / "tiny-review", root)
    (root / "mkdocs.yml").write_text(MKDOCS_YML, "utf-8")
    study = root / "studies" / "synthetic-one.yaml"
    study.write_text(study.read_text("utf-8").replace(
        'title: "SYNTHETIC: a made-up study of peer groups"',
        f"title: {json.dumps(HOSTILE_TITLE)}"), "utf-8")
    docs = root / "docs"
    (docs / "assets").mkdir(parents=True)
    (docs / "assets" / "extra.css").write_text(".synthetic { color: teal; }\n", "utf-8")
    (docs / "about.md").write_text(
        "---\nhide:\n  - toc\n---\n\n# About `this` & that\n\nSYNTHETIC page :smile:.\n", "utf-8")
    (docs / "notes").mkdir()
    (docs / "notes" / "field_notes.md").write_text("No heading, SYNTHETIC text.\n", "utf-8")
    (root / "theme" / "partials").mkdir(parents=True)
    (root / "theme" / "partials" / "copyright.html").write_text(
        '<div class="synthetic-copyright">{{ config.copyright }}</div>\n', "utf-8")
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, DocsTree, Path, Path]:
    """The same project built by `livingreview build` and by plain MkDocs from the export."""
    base = tmp_path_factory.mktemp("engine")
    project = make_project(base / "project")
    with_plugin = build_site(project, strict=True, site_dir=base / "with-plugin")
    tree = docs_tree(project)
    folder = write_docs_tree(project, tree, base / "tree")
    env = {**os.environ, "SOURCE_DATE_EPOCH": tree.epoch, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
         str(folder / "mkdocs.yml"), "-d", str(base / "without-plugin")],
        capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return project, tree, with_plugin, base / "without-plugin"


def files_of(site: Path) -> set[str]:
    """Every published file; `livingreview build`'s own marker (.living-review-site) is
    bookkeeping of our site folder guard, not part of the site an engine makes."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.is_file() and p.name != ".living-review-site"}


def comparable_html(text: str) -> str:
    """The page with whitespace between the tags of <head> dropped: the plugin puts the feed
    link before </head> after rendering, the export's theme override in the extrahead block,
    and no template can reproduce the plugin's line breaks. The <body> is compared exactly."""
    head, body = text.split("</head>", 1)
    return re.sub(r">\s+<", "><", head).strip() + "</head>" + body


def comparable_search_index(data: bytes) -> object:
    """Entries in page order, which follows the order files reached MkDocs (the plugin appends
    generated pages after docs/); the entries themselves must be identical."""
    index = json.loads(data)
    return index["config"], sorted(index["docs"], key=lambda d: json.dumps(d, sort_keys=True))


def test_plain_mkdocs_build_of_the_export_gives_the_same_site(built) -> None:
    _, _, with_plugin, without_plugin = built
    assert files_of(with_plugin) == files_of(without_plugin)
    pages = 0
    for relative in sorted(files_of(with_plugin)):
        first = (with_plugin / relative).read_bytes()
        second = (without_plugin / relative).read_bytes()
        if relative.endswith(".html"):
            pages += 1
            assert comparable_html(first.decode()) == comparable_html(second.decode()), relative
        elif relative == "search/search_index.json":
            assert comparable_search_index(first) == comparable_search_index(second)
        else:
            assert first == second, relative
    assert pages > 12  # tiny-review declares no charts, appraisal, search rounds or findings


def test_export_keeps_what_the_plugin_adds(built) -> None:
    _, tree, with_plugin, without_plugin = built
    for site in (with_plugin, without_plugin):
        study = (site / "studies/synthetic-one/index.html").read_text("utf-8")
        assert "<script>alert" not in study
        assert '<title>SYNTHETIC ‹/title›‹script›alert(1)‹/script› ＆ ‹b›bold‹/b› - ' in study
        assert 'type="application/atom+xml" title="Updates" href="../../feed.xml"' in study
        assert "Development build: not a released version" in study
        assert "SYNTHETIC copyright line" in study  # the project's override and its !ENV
        assert (site / "feed.xml").is_file() and (site / "cite/index.html").is_file()
        assert (site / "assets/extra.css").is_file() and (site / "about/index.html").is_file()
        assert (site / STYLESHEETS[0]).is_file()  # ours, from the package
    assert tree.config["extra_css"][:2] == [*STYLESHEETS, "assets/extra.css"]
    assert tree.config["site_name"] == "Living review: Tiny synthetic review (development build)"


def test_exported_mkdocs_yml_does_not_name_the_plugin(built) -> None:
    _, tree, _, _ = built
    text = tree.files["mkdocs.yml"].decode("utf-8")
    # our stylesheet's file name (site/site_assets.py) is the one other use of the words
    assert PLUGIN_NAME not in text.replace(STYLESHEETS[0], "")
    assert tree.config["plugins"] == ["search"]
    assert "copyright: !ENV\n- LR_TEST_COPYRIGHT\n- SYNTHETIC copyright line\n" in text
    assert "emoji_index: !!python/name:material.extensions.emoji.twemoji ''\n" in text
    assert {"About": [{"About this ＆ that": "about.md"},
                      {"field_notes": "notes/field_notes.md"}]} in tree.config["nav"]
    assert tree.config["not_in_nav"] == "/studies/synthetic-one.md\n"


def test_read_config_keeps_tags_and_dumps_them_back(tmp_path: Path) -> None:
    path = tmp_path / "mkdocs.yml"
    path.write_text(MKDOCS_YML, "utf-8")
    config = read_config(path, "mkdocs.yml")
    assert config["copyright"].tag == "!ENV"
    assert isinstance(config["markdown_extensions"][4]["pymdownx.emoji"]["emoji_index"], Tagged)
    assert read_config_text(dump_config(config), tmp_path) == read_config_text(MKDOCS_YML,
                                                                               tmp_path)


def read_config_text(text: str, folder: Path) -> str:
    (folder / "again.yml").write_text(text, "utf-8")
    return repr(read_config(folder / "again.yml", "again.yml"))


def test_thousands_of_study_pages_need_two_patterns() -> None:
    pages = (Page("studies/index.md", "# Studies", ("Studies",)),
             *(Page(f"studies/s{i}.md", f"# S{i}") for i in range(3000)),
             Page("cite.md", "# Cite", ("Cite",)))
    documents = {page.path: b"" for page in pages}
    assert not_in_nav_patterns(pages, documents) == ["/studies/*.md", "!/studies/index.md"]


def test_export_docs_command_writes_the_tree(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path / "project")
    assert main(["export-docs", "--project", str(project.root), str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Wrote {len(files_of(tmp_path / 'out')) - 1} files to ")
    assert "SOURCE_DATE_EPOCH=" in out and "mkdocs build -f mkdocs.yml" in out
    exported = yaml.safe_load((tmp_path / "out" / "docs" / "studies" / "synthetic-one.md")
                              .read_text("utf-8").split("---\n")[1])
    assert exported["title"].startswith("SYNTHETIC ‹/title›")
    assert (tmp_path / "out" / "overrides" / "partials" / "copyright.html").is_file()
    # Run again: the earlier export is replaced whole.
    (tmp_path / "out" / "docs" / "stale.md").write_text("# Stale\n", "utf-8")
    assert main(["export-docs", "--project", str(project.root), str(tmp_path / "out")]) == 0
    assert not (tmp_path / "out" / "docs" / "stale.md").exists()


@pytest.mark.hardening
@pytest.mark.parametrize("where", [".", "..", "docs", "docs/sub", "studies", "theme", "site"])
def test_export_refuses_folders_holding_project_files(tmp_path: Path, where: str) -> None:
    project = make_project(tmp_path / "project")
    target = project.root / where
    with pytest.raises(BuildError, match=r"choose an empty or new folder(, such as \S+)? "
                                         r"\(nothing was written\)$"):
        check_tree_target(project, target, (project.root / "theme",))


@pytest.mark.hardening
def test_export_refuses_a_foreign_folder_and_leaves_it_alone(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path / "project")
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("mine\n", "utf-8")
    assert main(["export-docs", "--project", str(project.root), str(foreign)]) == 1
    assert capsys.readouterr().err == (
        f"error: {foreign}: is not empty and was not made by livingreview export-docs (it has no "
        f"{MARKER} file), so an export would delete what is in it; empty it or choose an empty "
        "or new folder (nothing was written)\n")
    assert [p.name for p in foreign.iterdir()] == ["thesis.txt"]


@pytest.mark.hardening
def test_failed_export_leaves_the_earlier_tree(tmp_path: Path, capsys) -> None:
    project = make_project(tmp_path / "project")
    out = tmp_path / "out"
    assert main(["export-docs", "--project", str(project.root), str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (project.studies_dir / "synthetic-one.yaml").write_text("id: [unclosed\n", "utf-8")
    assert main(["export-docs", "--project", str(project.root), str(out)]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"export stopped: 1 problem(s) in 1 file(s); {out} was not changed")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert (out / MARKER).is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.hardening
@pytest.mark.parametrize("plant", ["link", "marked project"])
def test_export_shares_the_site_guard(tmp_path: Path, plant: str) -> None:
    """The export's target is checked by the same guard as --site-dir: a link is never
    followed, and a planted marker does not make a project replaceable."""
    project = make_project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine\n", "utf-8")
    if plant == "link":
        target = tmp_path / "out"
        target.symlink_to(elsewhere)
        expected = "is a link; choose an empty or new folder (a plain folder)"
    else:
        target = elsewhere
        (target / MARKER).write_text("", "utf-8")
        (target / "review.yaml").write_text("title: mine\n", "utf-8")
        expected = "holds review.yaml, so it looks like a project"
    with pytest.raises(BuildError, match=re.escape(expected)):
        check_tree_target(project, target)
    assert (elsewhere / "keep.txt").read_text("utf-8") == "mine\n"
