"""TeX math rendered offline: KaTeX stored in the package, put into every site.

Pages carry math as elements of class `arithmatex`: spans that `core.mdtext.math_text` writes
around TeX from records, and what pymdownx.arithmatex (generic mode) writes for `$…$` in
hand-written pages. The stored KaTeX and our script (assets/math/render-math.js) render those
elements in the browser; they are site files like any page, so nothing is loaded from another
host. Both site engines apply this: the plugin to MkDocs' live config (`add_math`), `export-docs`
to the exported mkdocs.yml (`with_math`); the files come with the plan's pages (`math_pages`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig

from build_tools.pages.render import Page

ASSETS = Path(__file__).resolve().parents[1] / "assets"
KATEX = ASSETS / "vendor" / "katex"
SCRIPT = ASSETS / "math" / "render-math.js"
SITE_DIR = "assets/katex"
STYLESHEETS = (f"{SITE_DIR}/katex.min.css",)
SCRIPTS = (f"{SITE_DIR}/katex.min.js", f"{SITE_DIR}/render-math.js")
EXTENSION = "pymdownx.arithmatex"
EXTENSION_CONFIG: dict[str, Any] = {"generic": True}


def math_pages() -> tuple[Page, ...]:
    """KaTeX (script, stylesheet, WOFF2 fonts, licence) and our script, as site files."""
    files = [KATEX / "katex.min.js", KATEX / "katex.min.css", KATEX / "LICENSE",
             *sorted((KATEX / "fonts").glob("*.woff2"))]
    pages = [Page(f"{SITE_DIR}/{path.relative_to(KATEX).as_posix()}", path.read_bytes())
             for path in files]
    pages.append(Page(f"{SITE_DIR}/render-math.js", SCRIPT.read_bytes()))
    return tuple(pages)


def add_math(config: MkDocsConfig) -> None:
    """arithmatex in generic mode (unless the project configures it) and KaTeX on every page."""
    if EXTENSION not in config.markdown_extensions:
        config.markdown_extensions.append(EXTENSION)
        config.mdx_configs[EXTENSION] = dict(EXTENSION_CONFIG)
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
    raw = config.get("markdown_extensions") or []
    extensions = ([{name: value} for name, value in raw.items()] if isinstance(raw, dict)
                  else list(raw))
    names = {next(iter(e)) if isinstance(e, dict) else str(e) for e in extensions}
    if EXTENSION not in names:
        extensions.append({EXTENSION: dict(EXTENSION_CONFIG)})
    config["markdown_extensions"] = extensions
    config["extra_css"] = [*(config.get("extra_css") or []),
                           *(p for p in STYLESHEETS if p not in (config.get("extra_css") or []))]
    scripts = list(config.get("extra_javascript") or [])
    present = {s if isinstance(s, str) else str(s.get("path")) for s in scripts}
    config["extra_javascript"] = [*scripts, *(p for p in SCRIPTS if p not in present)]
    return config
