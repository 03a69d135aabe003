"""What a build adds on top of the generated pages, decided once for every site engine.

The MkDocs plugin applies the plan to MkDocs' live config; `docs_tree` writes the same plan into
a plain source tree. Both call `plan_site`, so the two ways of building cannot drift apart.
Nothing here reads a file: the version and the hand-written pages are gathered by the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from build_tools.pages.generate import AssembledSite
from build_tools.pages.page import Page
from build_tools.pages.registry import Handwritten, build_nav, produce_pages
from build_tools.site.site_assets import asset_pages
from build_tools.site.tex_math import math_pages
from build_tools.versions.versioning import (
    BuildVersion,
    site_title,
    template_facts,
    version_data,
)


@dataclass(frozen=True)
class SitePlan:
    """Every page (from the registry), the title, and the theme's `extra` values."""

    pages: tuple[Page, ...]
    site_name: str
    extra: dict[str, Any] = field(default_factory=dict)
    released: str | None = None  # the release being built, None for a development build
    date: dt.date = dt.date(1970, 1, 1)  # the build's date (sitemap dates are pinned to it)

    @property
    def generated(self) -> tuple[Page, ...]:
        """The pages with content (hand-written ones are only placed in the navigation)."""
        return tuple(page for page in self.pages if not page.handwritten)

    def nav(self) -> list[Any]:
        """The navigation when mkdocs.yml sets none, from the pages' places."""
        return build_nav(self.pages)


def plan_site(site: AssembledSite, version: BuildVersion, *, site_name: str,
              site_url: str | None, use_directory_urls: bool,
              handwritten: tuple[Handwritten, ...] = (),
              output_cache: Path | None = None) -> SitePlan:
    """Release or development build: every page, the title and the facts the theme shows;
    `output_cache` keeps per-study outputs between builds (the pages are the same)."""
    pages = produce_pages(site.inputs(version_data(version), site_url, handwritten,
                                      output_cache, use_directory_urls))
    extra: dict[str, Any] = {"living_review": template_facts(version, use_directory_urls)}
    if version.release is not None:
        extra["version"] = {"provider": "mike", "default": "latest", "alias": True}
    return SitePlan(
        pages=(*pages, *asset_pages(), *math_pages()),
        site_name=site_title(site_name, version),
        extra=extra,
        released=version.version,
        date=version.date,
    )
