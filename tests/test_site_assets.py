"""The site's CSS and JavaScript: one copy in the package (build_tools/assets/site/), put into
every site before the project's own stylesheets and scripts, which can therefore override ours.
The project is tests/scenarios/tiny-review (SYNTHETIC data)."""

from __future__ import annotations

from pathlib import Path

from build_tools.site.build import build_site
from build_tools.site.site_assets import SCRIPTS, SOURCE, STYLESHEETS, asset_pages, with_assets
from tests.factories import make_project

OWN_CSS = ".synthetic { color: teal; }\n"


def test_every_asset_page_is_the_packages_file() -> None:
    pages = {page.path: page.content for page in asset_pages()}
    assert list(pages) == [*STYLESHEETS, *SCRIPTS]
    for path, content in pages.items():
        assert content == (SOURCE / Path(path).name).read_bytes(), path


def test_the_exported_config_lists_ours_once_before_the_projects_own() -> None:
    config = with_assets({"extra_css": ["assets/a.css"],
                          "extra_javascript": ["assets/a.js", {"path": SCRIPTS[1]}]})
    assert config["extra_css"] == [*STYLESHEETS, "assets/a.css"]
    assert config["extra_javascript"] == [SCRIPTS[0], "assets/a.js", {"path": SCRIPTS[1]}]
    assert with_assets(config) == config
    assert with_assets({}) == {"extra_css": list(STYLESHEETS), "extra_javascript": list(SCRIPTS)}


def test_a_project_adds_its_own_css_after_ours_and_an_old_copy_gives_way(
        tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "tiny-review")
    config = project.mkdocs_file.read_text("utf-8")
    project.mkdocs_file.write_text(config + "extra_css:\n  - assets/extra.css\n", "utf-8")
    assets = project.root / "docs" / "assets"
    assets.mkdir(parents=True)
    (assets / "extra.css").write_text(OWN_CSS, "utf-8")
    (assets / "living-review.css").write_text("/* SYNTHETIC stale copy */\n", "utf-8")
    site = build_site(project, strict=True, site_dir=tmp_path / "site")
    assert (site / "assets/extra.css").read_text("utf-8") == OWN_CSS
    for path in (*STYLESHEETS, *SCRIPTS):
        assert (site / path).read_bytes() == (SOURCE / Path(path).name).read_bytes(), path
    home = (site / "index.html").read_text("utf-8")
    ours, own = home.index('href="assets/living-review.css"'), home.index('"assets/extra.css"')
    assert ours < own
    assert home.count('"assets/living-review.css"') == 1
    for script in SCRIPTS:
        assert home.count(f'src="{script}"') == 1, script
