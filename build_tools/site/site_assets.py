"""The site's own CSS and JavaScript, kept once in the package and put into every site.

The stylesheet (the review's elements: `lr-` classes) and the scripts (the studies table's
filters and sorting, small accessibility repairs) are the generator's presentation, not review
data: a project does not carry copies of them, so a new version of living-review restyles every
review that builds with it. They are site files like any page (`asset_pages`, at the paths
`assets/…` that projects used to hold), and both site engines list them first, before the
project's own `extra_css` and `extra_javascript`, so a project's stylesheet can override ours:
the plugin in MkDocs' live config (`add_assets`), `export-docs` in the exported mkdocs.yml
(`with_assets`). A project that still lists them, or still holds copies in docs/assets/, gets
the package's files once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig

from build_tools.pages.page import Page

SOURCE = Path(__file__).resolve().parents[1] / "assets" / "site"
SITE_DIR = "assets"
STYLESHEETS = (f"{SITE_DIR}/living-review.css",)
SCRIPTS = (f"{SITE_DIR}/studies-table.js", f"{SITE_DIR}/accessibility.js")


def asset_pages() -> tuple[Page, ...]:
    """Our stylesheet and scripts, as site files (they replace a project's old copies)."""
    return tuple(Page(path, (SOURCE / path.removeprefix(f"{SITE_DIR}/")).read_bytes())
                 for path in (*STYLESHEETS, *SCRIPTS))


def add_assets(config: MkDocsConfig) -> None:
    """Our stylesheet and scripts on every page, before the project's own."""
    config.extra_css[:0] = [path for path in STYLESHEETS if path not in config.extra_css]
    present = {str(script) for script in config.extra_javascript}
    config.extra_javascript[:0] = [ExtraScriptValue(path) for path in SCRIPTS
                                   if path not in present]


def with_assets(config: dict[str, Any]) -> dict[str, Any]:
    """An exported mkdocs.yml (a plain mapping) with what `add_assets` adds to a live config."""
    config = dict(config)
    stylesheets = list(config.get("extra_css") or [])
    config["extra_css"] = [*(p for p in STYLESHEETS if p not in stylesheets), *stylesheets]
    scripts = list(config.get("extra_javascript") or [])
    present = {s if isinstance(s, str) else str(s.get("path")) for s in scripts}
    config["extra_javascript"] = [*(p for p in SCRIPTS if p not in present), *scripts]
    return config
