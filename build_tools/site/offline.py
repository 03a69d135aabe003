"""`livingreview build --offline`: a site that works opened from disk (file://), no server.

Browsers show a folder listing for a directory URL on disk, refuse to fetch the search index and
refuse Web Workers there. Material's offline plugin answers the first two (links to `.html`
files, the search index inlined as a script); the third needs the iframe-worker shim, which
Material would load from a CDN: here it is the copy stored in the package, put into the site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from material.plugins.offline.plugin import OfflinePlugin
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

SHIM = Path(__file__).resolve().parents[1] / "assets" / "vendor" / "iframe-worker" / "shim.js"
SHIM_PATH = "assets/javascripts/iframe-worker-shim.js"
# Material fetches `sitemap.xml` beside every <link rel="alternate"> (meant for other languages
# of the site); from disk the browser refuses, so an offline page announces no feed or language.
ALTERNATE_LINK = re.compile(r'\s*<link rel="alternate"[^>]*>')
CONFIG_OVERRIDES: dict[str, Any] = {"use_directory_urls": False}
"""Given to load_config, so every plugin sees page URLs ending in `.html` from the start."""


class StoredShimOfflinePlugin(OfflinePlugin):
    """Material's offline plugin, with the stored shim put into the site."""

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        files.append(File.generated(config, SHIM_PATH, abs_src_path=str(SHIM)))
        return files

    def on_post_page(self, output: str, page: Any, config: MkDocsConfig) -> str:
        return ALTERNATE_LINK.sub("", output)


def add_offline_plugin(config: MkDocsConfig) -> None:
    """Make a loaded configuration build the offline site."""
    # Set before any plugin's on_config: Material's offline plugin (ours, or one the project
    # lists itself) then finds an iframe-worker entry and adds no CDN address.
    polyfills = [p for p in config.extra.get("polyfills") or [] if "iframe-worker" not in str(p)]
    config.extra["polyfills"] = [*polyfills, SHIM_PATH]
    plugin = StoredShimOfflinePlugin()
    plugin.load_config({})
    config.plugins["living-review/offline"] = plugin
