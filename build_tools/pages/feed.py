"""The updates feed: an Atom feed (RFC 4287) of the review's versions and what changed.

Until the review records its versions, the feed has one entry: the current build, dated by
`clock.build_date` (never "now"), so two builds of one commit write the same bytes. Links are
relative to the feed's own address (RFC 4287 §4.2.7), so the feed works wherever the site is
served, under any version folder.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from build_tools.core.neutral import neutralise
from build_tools.evidence.assemble import Evidence
from build_tools.evidence.review import Review
from build_tools.pages.page import Page

ATOM = "http://www.w3.org/2005/Atom"
FEED_PATH = "feed.xml"
FEED_TITLE = "Updates"


@dataclass(frozen=True)
class FeedEntry:
    """One update: a version of the review (or the current build) and what changed in it."""

    title: str
    date: dt.date
    summary: str
    link: str = "./"


def feed_page(evidence: Evidence, date: dt.date, entries: Sequence[FeedEntry] = ()) -> Page:
    """feed.xml at the site's root; without recorded versions, one entry for this build."""
    entries = list(entries) or [current_build_entry(evidence, date)]
    return Page(FEED_PATH, atom_feed(evidence.review, entries), None)


def current_build_entry(evidence: Evidence, date: dt.date) -> FeedEntry:
    curated = len(evidence.studies)
    expected = evidence.expected_count
    counted = f"{curated} of {expected}" if expected else str(curated)
    words = evidence.review.wording
    noun = words.study if curated == 1 and not expected else words.studies
    return FeedEntry(
        title=f"Site rebuilt on {date.isoformat()}",
        date=date,
        summary=f"This build lists {counted} included {noun} and {len(evidence.themes)} "
                "themes.",
    )


def atom_feed(review: Review, entries: Sequence[FeedEntry]) -> bytes:
    """The feed document; entries newest first, `updated` is the newest entry's date."""
    entries = sorted(entries, key=lambda e: e.date, reverse=True)
    title = review.short_title or review.title or "Living review"
    feed_id = review_urn(review)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", f"{title}: {FEED_TITLE.lower()}")
    _text(feed, "subtitle", f"New versions of this {review.wording.review} and what changed.")
    _text(feed, "id", feed_id)
    _text(feed, "updated", _timestamp(entries[0].date) if entries else "1970-01-01T00:00:00Z")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", f"The maintainers of the living review {title}")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml",
                  href=FEED_PATH)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href="./")
    _text(feed, "generator", "living-review")
    for entry in entries:
        element = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(element, "title", entry.title)
        _text(element, "id", str(uuid.uuid5(uuid.UUID(feed_id[9:]),
                                             neutralise(f"{entry.date.isoformat()}\n{entry.title}")).urn))
        _text(element, "updated", _timestamp(entry.date))
        ET.SubElement(element, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                      href=neutralise(entry.link))
        _text(element, "summary", entry.summary)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def review_urn(review: Review) -> str:
    """A stable id for the feed, derived from the source review's DOI (or the title)."""
    key = (review.source_review.doi if review.source_review else None) or review.title
    return uuid.uuid5(uuid.NAMESPACE_URL, neutralise(f"living-review:{key}")).urn


def feed_link_tag(href: str) -> str:
    """<link rel="alternate"> for a page's <head>; `href` is the feed relative to that page."""
    return (f'<link rel="alternate" type="application/atom+xml" title="{FEED_TITLE}" '
            f'href="{html.escape(href, quote=True)}">')


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    """A text element. ElementTree escapes markup but writes control characters as they are,
    which XML 1.0 forbids: every value loses them (and bidi controls) first."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = neutralise(value)
    return element


def _timestamp(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"
