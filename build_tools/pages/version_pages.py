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

from markupsafe import Markup

from build_tools.core import mdtext
from build_tools.evidence.assemble import Evidence
from build_tools.formats.version_citation import VersionCitation, apa_parts, bibtex, ris
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


def changelog_pages(version: VersionData, evidence: Evidence) -> list[Page]:
    """What changed in this version, and the earlier releases."""
    content = make_environment().get_template("changelog.md.j2").render(
        built=version.built, log=version.changelog, review=evidence.review)
    return [Page("changelog.md", content, ("What changed",))]


def cite_pages(version: VersionData, evidence: Evidence, site_url: str | None) -> list[Page]:
    """Cite this version: APA, BibTeX and RIS on the page, and the files to download."""
    citation = VersionCitation.from_review(evidence.review, version.version, version.date,
                                           site_url)
    before, title, after = apa_parts(citation)
    context = {
        "built": version.built, "log": version.changelog, "citation": citation,
        "apa": Markup(" ").join(part for part in (
            mdtext.text(before), Markup(f"<em>{mdtext.text(title)}</em>"), mdtext.text(after),
        ) if part),
        "bibtex": _pre(bibtex(citation)), "ris": _pre(ris(citation)),
        "review": evidence.review,
    }
    # Safe in a link target: versions are digits and dots (releases.RELEASED_NAME).
    stem = Markup(f"living-review-{version.version or 'development'}")
    content = make_environment().get_template("cite.md.j2").render(stem=stem, **context)
    return [
        Page("cite.md", content, ("Cite this version",)),
        Page(f"cite/{stem}.bib", bibtex(citation).encode("utf-8")),
        Page(f"cite/{stem}.ris", ris(citation).encode("utf-8")),
    ]


def snapshot_pages(version: VersionData) -> list[Page]:
    """A release's data, as the next release's changelog will compare against it."""
    return [Page(SNAPSHOT_PATH, version.snapshot)] if version.snapshot is not None else []


def _pre(text: str) -> Markup:
    return Markup('<pre class="lr-citation"><code>{}</code></pre>').format(text.rstrip("\n"))
