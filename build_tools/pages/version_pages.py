"""The pages that depend on the version being built: What changed, Cite this version (+ its
reference files) and a release's data snapshot.

What a version is (which release, what changed since the previous one, the earlier releases)
is gathered at the edge by `versions.versioning` and arrives here as `VersionData`: nothing here
reads `releases/` or git.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from build_tools.evidence.assemble import Evidence
from build_tools.formats.csl import review_item
from build_tools.formats.reference_formats import REFERENCE_FORMATS
from build_tools.formats.references import apa_of_item
from build_tools.formats.version_citation import VersionCitation
from build_tools.pages.feed import FeedEntry
from build_tools.pages.page import Page
from build_tools.pages.render import make_environment

SNAPSHOT_PATH = "release/data.json"


@dataclass(frozen=True)
class VersionData:
    """The version being built, as data for the pages.

    `built` and `changelog` are walked by changelog.md.j2 (versions.versioning.BuildVersion and
    its Changelog, made in a higher layer); `snapshot` is a release's data.json, None for a
    development build; `feed` holds one entry per release up to this one."""

    version: str | None
    date: dt.date
    built: Any
    changelog: Any
    snapshot: bytes | None = None
    feed: tuple[FeedEntry, ...] = ()


CHANGELOG = "changelog.md"


def changelog_pages(version: VersionData, evidence: Evidence,
                    environment: Environment | None = None,
                    use_directory_urls: bool = True) -> list[Page]:
    """What changed in this version, and the earlier releases (raw HTML: a first release
    lists every study)."""
    content = (environment or make_environment()).get_template("changelog.html.j2").render(
        built=version.built, log=version.changelog, review=evidence.review, here=CHANGELOG,
        use_directory_urls=use_directory_urls)
    return [Page(CHANGELOG, content, ("What changed",), body_html=True)]


@dataclass(frozen=True)
class CiteFile:
    """One reference format of this version, as shown on the page and offered as a file."""

    name: str
    file: Markup  # safe in a link target: versions are digits and dots (RELEASED_NAME)
    text: str

    @property
    def block(self) -> Markup:
        return Markup('<pre class="lr-citation"><code>{}</code></pre>').format(
            self.text.rstrip("\n"))


def cite_pages(version: VersionData, evidence: Evidence, site_url: str | None,
               environment: Environment | None = None) -> list[Page]:
    """Cite this version: APA on the page, and every reference format on the page and as a
    file, written from the review's CSL item by the writers of the studies' references."""
    citation = VersionCitation.from_review(evidence.review, version.version, version.date,
                                           site_url)
    item = review_item(citation)
    stem = f"living-review-{version.version or 'development'}"
    files = [CiteFile(f.name, Markup(f"{stem}.{f.suffix}"), f.write([item]))
             for f in REFERENCE_FORMATS]
    _, apa = apa_of_item(item)  # the studies' APA formatter
    content = (environment or make_environment()).get_template("cite.md.j2").render(
        citation=citation, apa=apa, files=files, built=version.built, review=evidence.review)
    return [Page("cite.md", content, ("Cite this version",)),
            *(Page(f"cite/{f.file}", f.text.encode("utf-8")) for f in files)]


def snapshot_pages(version: VersionData) -> list[Page]:
    """A release's data, as the next release's changelog will compare against it."""
    return [Page(SNAPSHOT_PATH, version.snapshot)] if version.snapshot is not None else []
