"""The Atom updates feed: required elements (RFC 4287), dated by the build clock, inert text."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from build_tools.evidence.review import review_from_data
from build_tools.pages.feed import FeedEntry, atom_feed, feed_link_tag, feed_page
from build_tools.pages.generate import generate_site
from build_tools.site.build import build_site

A = "{http://www.w3.org/2005/Atom}"
DATE = dt.date(2025, 3, 4)

SCENARIO_FEED = """<?xml version='1.0' encoding='utf-8'?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Therapeutic alliance and suicidal experiences: updates</title>
  <subtitle>New versions of this living systematic review and what changed.</subtitle>
  <id>urn:uuid:037d9dae-152b-5bf3-888f-898eb52fc3ff</id>
  <updated>2025-03-04T00:00:00Z</updated>
  <author>
    <name>The maintainers of the living review Therapeutic alliance and suicidal experiences</name>
  </author>
  <link rel="self" type="application/atom+xml" href="feed.xml" />
  <link rel="alternate" type="text/html" href="./" />
  <generator>living-review</generator>
  <entry>
    <title>Site rebuilt on 2025-03-04</title>
    <id>urn:uuid:7074cad7-0bc6-5f7e-becc-1ebc82422d6b</id>
    <updated>2025-03-04T00:00:00Z</updated>
    <link rel="alternate" type="text/html" href="./" />
    <summary>This build lists 4 of 37 included studies and 2 themes.</summary>
  </entry>
</feed>
"""


def _required_elements_present(document: bytes) -> ET.Element:
    root = ET.fromstring(document)
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{tag}") is not None, tag
    assert root.find(f"{A}author/{A}name").text
    assert root.find(f"{A}link[@rel='self']").get("href") == "feed.xml"
    for entry in root.findall(f"{A}entry"):
        for tag in ("id", "title", "updated"):
            assert entry.find(f"{A}{tag}").text, tag
        dt.datetime.fromisoformat(entry.find(f"{A}updated").text)
    return root


def test_feed_page_scenario_review(project):
    evidence = generate_site(project).evidence
    page = feed_page(evidence, DATE)
    assert (page.path, page.nav) == ("feed.xml", None)
    assert page.content.decode("utf-8") == SCENARIO_FEED
    _required_elements_present(page.content)


def test_built_site_feed_uses_build_date_from_source_date_epoch(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1741046400")  # 2025-03-04
    site = build_site(project)
    assert (site / "feed.xml").read_text("utf-8") == SCENARIO_FEED


def test_atom_feed_versions_newest_first_with_distinct_ids():
    entries = [FeedEntry("Version 1.0", dt.date(2025, 1, 2), "First release."),
               FeedEntry("Version 1.1", dt.date(2025, 6, 7), "Two studies added.", "1.1/")]
    root = _required_elements_present(atom_feed(review_from_data({"title": "A review"}), entries))
    found = root.findall(f"{A}entry")
    assert [e.find(f"{A}title").text for e in found] == ["Version 1.1", "Version 1.0"]
    assert root.find(f"{A}updated").text == "2025-06-07T00:00:00Z"
    assert found[0].find(f"{A}link").get("href") == "1.1/"
    assert len({e.find(f"{A}id").text for e in found}) == 2


def test_atom_feed_hostile_text_stays_text():
    # Synthetic review title for this test only.
    title = '<script>alert(1)</script> & {{ x }} "q"'
    entry = FeedEntry("</title><evil/>", DATE, "]]><x>")
    document = atom_feed(review_from_data({"title": title}), [entry])
    root = _required_elements_present(document)
    assert root.find(f"{A}title").text == f"{title}: updates"
    assert root.find(f"{A}entry/{A}title").text == "</title><evil/>"
    assert b"<script>" not in document and b"<evil/>" not in document


def test_feed_link_tag_escapes_its_address():
    assert feed_link_tag("../feed.xml") == (
        '<link rel="alternate" type="application/atom+xml" title="Updates" href="../feed.xml">')
    assert '"><' not in feed_link_tag('"><script>')
