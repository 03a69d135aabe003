"""What a build knows about versions: which release it is (or that it is a development build),
what changed since the previous release, the earlier releases, and the build's fixed date.

This is the edge where `releases/` and git are read; the version pages (pages.version_pages)
get the result as data. A build is a release build when it is given a version recorded in
`releases/`: `build_site(project, release=...)`, `livingreview build --release VERSION`, and,
read only by the CLI and the MkDocs plugin, the environment variable LIVINGREVIEW_RELEASE, the
public way to rebuild a version byte for byte from its tag with plain MkDocs:

    git checkout v1.1 && LIVINGREVIEW_RELEASE=1.1 mkdocs build
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build_tools.core.clock import build_date
from build_tools.core.project import Project
from build_tools.pages.feed import FeedEntry
from build_tools.pages.generate import AssembledSite
from build_tools.pages.version_pages import VersionData
from build_tools.versions.changelog import Changelog, compute_changelog
from build_tools.versions.releases import (
    Release,
    data_snapshot,
    find_release,
    previous_release,
    read_releases,
    read_snapshot,
    snapshot_bytes,
)

RELEASE_ENV = "LIVINGREVIEW_RELEASE"
THEME_DIR = Path(__file__).resolve().parents[1] / "assets" / "theme"


@dataclass(frozen=True)
class ReleaseHistory:
    """One earlier release with the one-line summary of what it changed (for the feed too)."""

    release: Release
    summary: str
    changes: Changelog


@dataclass(frozen=True)
class BuildVersion:
    """The version being built: `release` is None for a development build."""

    release: Release | None
    previous: Release | None
    date: dt.date
    snapshot: dict[str, Any]
    changelog: Changelog
    history: tuple[ReleaseHistory, ...]

    @property
    def version(self) -> str | None:
        return self.release.version if self.release else None


def release_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """$LIVINGREVIEW_RELEASE, for the edges that offer it (the CLI and the MkDocs plugin)."""
    return environ.get(RELEASE_ENV) or None


def build_version(project: Project, generated: AssembledSite, version: str | None = None,
                  date: dt.date | None = None) -> BuildVersion:
    """The release named by `version`, or a development build (`version` None). The date is
    `date` if given, else the release's recorded date, else the date of the last commit."""
    releases = read_releases(project)
    release = find_release(project, version) if version else None
    previous = previous_release(releases, version)
    snapshot = data_snapshot(generated.tables, generated.evidence.review.document, generated.schema)
    old = read_snapshot(project, previous.version) if previous else None
    shown = [r for r in releases if release is None or r.key < release.key]
    return BuildVersion(
        release=release,
        previous=previous,
        date=date or (release.date if release else build_date(project.root)),
        snapshot=snapshot,
        changelog=compute_changelog(old, snapshot),
        history=tuple(reversed(release_history(project, shown))),
    )


def release_history(project: Project, releases: list[Release] | None = None
                    ) -> list[ReleaseHistory]:
    """Every release, oldest first, with what it changed: for the changelog and the updates feed."""
    releases = read_releases(project) if releases is None else releases
    history, before = [], None
    for release in releases:
        snapshot = read_snapshot(project, release.version)
        changes = compute_changelog(before, snapshot)
        history.append(ReleaseHistory(release, changes.summary(), changes))
        before = snapshot
    return history


def version_data(built: BuildVersion) -> VersionData:
    """What the version pages and the feed show of this build, as data."""
    return VersionData(
        version=built.version,
        date=built.date,
        built=built,
        changelog=built.changelog,
        snapshot=snapshot_bytes(built.snapshot) if built.release is not None else None,
        feed=tuple(feed_entries(built)),
    )


def feed_entries(built: BuildVersion) -> list[FeedEntry]:
    """One entry per release up to this one; none for a development build without releases."""
    entries = [FeedEntry(f"Version {h.release.version}", h.release.date,
                         feed_summary(h.release.message, h.changes))
               for h in built.history]
    if built.release is not None:
        entries.append(FeedEntry(f"Version {built.release.version}", built.release.date,
                                 feed_summary(built.release.message, built.changelog)))
    return entries


def feed_summary(message: str, changes: Changelog) -> str:
    """A release in sentences, for feed readers: "First release. 4 studies." """
    if changes.first:
        count = len(changes.added_studies)
        data = f"{count} {'study' if count == 1 else 'studies'}"
        message = message.strip() or "First release"
    else:
        data = changes.summary()
    said = [message.strip(), data[:1].upper() + data[1:]]  # the message as its author wrote it
    return " ".join(_sentence(text) for text in said if text)


def _sentence(text: str) -> str:
    """`text` ending with a full stop, unless it ends with one already (or ! ? …)."""
    return text if re.search(r"[.!?…][)\]\"'”’»]*$", text) else text + "."


def site_title(site_name: str, built: BuildVersion) -> str:
    """PRISMA-LSR: the title says it is a living review and which version."""
    name = site_name if "living" in site_name.lower() else f"Living review: {site_name}"
    if built.version:
        return f"{name} (version {built.version})"
    return f"{name} (development build)"


def template_facts(built: BuildVersion, use_directory_urls: bool) -> dict[str, Any]:
    """What the theme override shows on every page (announcement and outdated banner)."""
    def page_url(name: str) -> str:
        return f"{name}/" if use_directory_urls else f"{name}.html"

    return {
        "version": built.version,
        "date": f"{built.date.day} {built.date:%B %Y}",
        "previous": built.previous.version if built.previous else None,
        "cite_url": page_url("cite"),
        "changelog_url": page_url("changelog"),
    }
