"""What a build adds on top of the generated pages, decided once for every site engine.

The MkDocs plugin applies the plan to MkDocs' live config; `docs_tree` writes the same plan into
a plain source tree. Both call `plan_site`, so the two ways of building cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from build_tools.core.project import Project
from build_tools.pages.generate import GeneratedSite
from build_tools.pages.render import Page
from build_tools.site.tex_math import math_pages
from build_tools.versions.versioning import build_version, site_title, template_facts, version_pages


@dataclass(frozen=True)
class SitePlan:
    """Every page (generated and version pages), the title, and the theme's `extra` values."""

    pages: tuple[Page, ...]
    site_name: str
    extra: dict[str, Any] = field(default_factory=dict)
    released: str | None = None  # the release being built, None for a development build
    date: dt.date = dt.date(1970, 1, 1)  # the build's date (sitemap dates are pinned to it)


def plan_site(project: Project, generated: GeneratedSite, *, site_name: str,
              site_url: str | None, use_directory_urls: bool) -> SitePlan:
    """Release or development build: version pages, title and the facts the theme shows."""
    version = build_version(project, generated)
    pages = version_pages(project, generated.evidence, version, site_url, use_directory_urls)
    extra: dict[str, Any] = {"living_review": template_facts(version, use_directory_urls)}
    if version.release is not None:
        extra["version"] = {"provider": "mike", "default": "latest", "alias": True}
    return SitePlan(
        pages=(*generated.pages, *pages, *math_pages()),
        site_name=site_title(site_name, version),
        extra=extra,
        released=version.version,
        date=version.date,
    )
