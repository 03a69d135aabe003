"""TeX math rendered offline: KaTeX stored in the package, put into every site.

Pages carry math as elements of class `arithmatex`, the generic form of Material's math
recipe: spans that `core.mdtext.math_text` writes around TeX from records, and, where a project
lists pymdownx.arithmatex (`generic: true`) in its mkdocs.yml for `$…$` in hand-written pages,
what that extension writes. The extension is not added for the project: record text never goes
through it (it is inert text by then), and it imports `urllib.request`, which a build must not
load (tests/test_site_update.py). The stored KaTeX and our script (assets/math/render-math.js)
render those elements in the browser; they are site files like any page, so nothing is loaded
from another host. Both site engines apply this: the plugin to MkDocs' live config
(`add_math`), `export-docs` to the exported mkdocs.yml (`with_math`); the files come with the
plan's pages (`math_pages`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig

from build_tools.pages.page import Page

ASSETS = Path(__file__).resolve().parents[1] / "assets"
KATEX = ASSETS / "vendor" / "katex"
SCRIPT = ASSETS / "math" / "render-math.js"
SITE_DIR = "assets/katex"
STYLESHEETS = (f"{SITE_DIR}/katex.min.css",)
SCRIPTS = (f"{SITE_DIR}/katex.min.js", f"{SITE_DIR}/render-math.js")


def math_pages() -> tuple[Page, ...]:
    """KaTeX (script, stylesheet, WOFF2 fonts, licence) and our script, as site files."""
    files = [KATEX / "katex.min.js", KATEX / "katex.min.css", KATEX / "LICENSE",
             *sorted((KATEX / "fonts").glob("*.woff2"))]
    pages = [Page(f"{SITE_DIR}/{path.relative_to(KATEX).as_posix()}", path.read_bytes())
             for path in files]
    pages.append(Page(f"{SITE_DIR}/render-math.js", SCRIPT.read_bytes()))
    return tuple(pages)


def add_math(config: MkDocsConfig) -> None:
    """KaTeX and our script on every page (the stylesheet first, KaTeX before our script)."""
    for path in STYLESHEETS:
        if path not in config.extra_css:
            config.extra_css.append(path)
    present = {str(script) for script in config.extra_javascript}
    for path in SCRIPTS:
        if path not in present:
            config.extra_javascript.append(ExtraScriptValue(path))


def with_math(config: dict[str, Any]) -> dict[str, Any]:
    """An exported mkdocs.yml (a plain mapping) with what `add_math` adds to a live config."""
    config = dict(config)
    stylesheets = list(config.get("extra_css") or [])
    config["extra_css"] = [*stylesheets, *(p for p in STYLESHEETS if p not in stylesheets)]
    scripts = list(config.get("extra_javascript") or [])
    present = {s if isinstance(s, str) else str(s.get("path")) for s in scripts}
    config["extra_javascript"] = [*scripts, *(p for p in SCRIPTS if p not in present)]
    return config
