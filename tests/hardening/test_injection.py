"""Hardening, injection: markup in every text field is shown as text, never run or interpreted.

One payload of HTML, scripts, event attributes, `javascript:`/`data:` links, Jinja2 and Markdown
extension syntax goes into every free-text field of a study record (fields taken from the schema),
every text value of review.yaml (found by walking the file) and the titles, journal and author
names of a cached Crossref work. Every address (review.yaml's `url` and `doi` keys, a study's
source URLs, a Crossref licence and notice DOI) gets an address built to carry Markdown and HTML
that the URL rule still allows, or (Crossref, from the network) one it refuses. The same site is
also built with harmless text in the same fields: the hostile build may contain no kind of
element or attribute the harmless one lacks. Constrained fields (enums, numbers, dates,
patterns, DOIs, URLs) are shown to refuse the payload with a located problem, so free text
cannot reach the pages through them. All data here is synthetic, made up by the tests.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import rispy
import yaml
from pybtex.database import parse_string

from build_tools.core.project import Project
from build_tools.core.urls import doi_url
from build_tools.crossref.cache import CachedWork, write_cached_work
from build_tools.evidence.checks import check_project
from build_tools.site.build import build_site
from tests.conftest import make_project
from tests.factories import IDENTIFIER_FIELDS, with_identifier_fields
from tests.hardening.schema_fields import record_fields

pytestmark = pytest.mark.hardening

PAYLOAD = "\n\n".join([
    '<script>alert("pwn1")</script>',
    '<img src=x onerror=alert("pwn2")>',
    '<a href="javascript:alert(3)" onclick="alert(4)">pwn3</a>',
    '[md link](javascript:alert("pwn4")) [ref][r] <javascript:alert(5)>',
    "[r]: javascript:alert(6)",
    "![md image](data:text/html;base64,PHNjcmlwdD5wd248L3NjcmlwdD4=)",
    "{{ 7 * 191 }} {% if true %}jinja{% endif %} {# comment #}",
    '!!! danger "pwn admonition"',
    '{: onclick="alert(7)" #pwnid .pwnclass }',
    '--8<-- "mkdocs.yml"',
    "*[HTML]: Hyper Text pwn abbreviation",
    "Footnote[^1]",
    "[^1]: pwn footnote",
    "<!-- pwn comment -->",
    '<div markdown="1">**pwn bold**</div>',
    "</title></textarea></script><svg onload=alert(8)>",
    "&lt;b&gt; &#60;i&#62; \\<u\\>",
    "}\n@misc{pwn,",
    "ER  - \nTY  - GEN",
    "    indented code pwn",
])
SHOWN = " ".join(PAYLOAD.split())
# For a field with a schema maxLength (an excerpt: at most 300 characters), the payload's most
# active parts, which fit; the whole payload there is refused with a located problem instead.
SHORT_PAYLOAD = "\n\n".join([
    '<script>alert("pwn1")</script>',
    '<img src=x onerror=alert("pwn2")>',
    '[md link](javascript:alert("pwn4"))',
    "{{ 7 * 191 }}",
    '{: onclick="alert(7)" #pwnid .pwnclass }',
    "*[HTML]: Hyper Text pwn abbreviation",
    "</title></textarea></script><svg onload=alert(8)>",
    '<div markdown="1">**pwn bold**</div>',
])
SHORT_SHOWN = " ".join(SHORT_PAYLOAD.split())
SKIP_REVIEW_KEYS = {"source"}
# Addresses the URL rule allows although they carry Markdown emphasis, strike-through and
# percent-encoded HTML and link syntax; and what the harmless build has in the same places.
HOSTILE_URL = ("https://example.org/_em_/~~del~~/a_b_c?q=%22%3E%3Cscript%3Ealert%281%29&"
               "r=%5Bx%5D%28javascript%3Ay%29#_f_")
HOSTILE_DOI = '10.5555/x"><script>alert(1)</script>[a](javascript:b)_c_~~d~~{{7*191}}'
REFUSED_URL = "https://x.org/[a](onmouseover=alert(1)//)"  # Crossref only: never validated
HARMLESS = {"url": "https://example.org/plain", "doi": "10.5555/plain",
            "licence": "https://example.org/licence"}
HOSTILE = {"url": HOSTILE_URL, "doi": HOSTILE_DOI, "licence": REFUSED_URL}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data",
                  "xlink:href", "cite", "background"}
HOSTILE_STUDIES = ("hostile-a", "hostile-b", "hostile-c")


@dataclass
class Fields:
    """Which marker went into which field."""

    markers: dict[str, str] = field(default_factory=dict)
    made: int = 0

    def value(self, where: str, payload: str) -> str:
        self.made += 1
        marker = f"ZQ{self.made:03d}QZ"
        self.markers[marker] = where
        return f"{marker} {payload}"


def _text_fields(project: Project) -> list[tuple[str, str, str]]:
    """(table, field, type) of every free-text field a study record writes itself."""
    return [(f.table, f.name, f.type) for f in record_fields(project)
            if f.type in ("string", "array") and f.free]


def _fitting(payload: str, limit: int | None) -> str:
    """The payload, or its short form where the field's maxLength would refuse it."""
    return SHORT_PAYLOAD if limit is not None and len(payload) + 8 > limit else payload


ADDRESS_KEYS = ("url", "doi")
# The scenarios whose every field kind the suite fills: the shipped review's shape, and a
# quantitative review with a judgement scale and a child table of its own (effects).
SCENARIOS = ("alliance-review", "synthetic-trials-review")


@dataclass(frozen=True)
class Shape:
    """What a valid study record of a scenario needs, read from its schema and its data: the
    required values of each table (enums take their first value, links to another table a
    value that table has), and where each child table's rows go in the record."""

    required: dict[str, dict[str, Any]]
    list_key: dict[str, str]
    max_length: dict[tuple[str, str], int]  # (table, field) -> the schema's maxLength

    @classmethod
    def of(cls, project: Project) -> Shape:
        checked = check_project(project)
        schema = checked.schema
        assert schema is not None and checked.validation is not None
        tables = checked.validation.tables
        required: dict[str, dict[str, Any]] = {}
        max_length = {(table.name, spec.name): int(spec.constraints["maxLength"])
                      for table in schema.tables for spec in table.fields
                      if "maxLength" in spec.constraints}
        for table in schema.tables:
            if table.source != "studies":
                continue
            links = {name: key["reference"] for key in
                     table.descriptor["schema"].get("foreignKeys", [])
                     for name in key["fields"]}
            values: dict[str, Any] = {}
            for spec in table.record_fields:
                if spec.name == "id" or not spec.constraints.get("required"):
                    continue
                if spec.name in links and links[spec.name]["resource"] != "studies":
                    reference = links[spec.name]
                    values[spec.name] = tables[reference["resource"]][0].values[
                        reference["fields"][0]]
                elif "enum" in spec.constraints:
                    values[spec.name] = spec.constraints["enum"][0]
                elif spec.type in ("integer", "number"):
                    values[spec.name] = spec.constraints.get("minimum", 1)
                else:
                    values[spec.name] = "synthetic"
            required[table.name] = values
        return cls(required, {t.name: t.path[0] for t in schema.child_tables()},
                   max_length)

    def record(self, study_id: str, url: str = "https://example.org/synthetic") -> dict[str, Any]:
        """A valid record with one row of every child table that needs one (sources)."""
        record: dict[str, Any] = {"id": study_id, **self.required["studies"]}
        record["sources"] = [{**self.required["sources"], "url": url}]
        return record

    def put(self, record: dict[str, Any], table: str, name: str, value: Any) -> None:
        if table == "studies":
            record[name] = value
        else:
            rows = record.setdefault(self.list_key[table], [dict(self.required[table])])
            rows[0][name] = value


def _study(study_id: str, fields: Fields, payload: str, text_fields: list[tuple[str, str, str]],
           shape: Shape, *, with_authors: bool, url: str) -> dict[str, Any]:
    record = shape.record(study_id, url)
    for table, name, kind in text_fields:
        if name == ("first_author" if with_authors else "authors"):
            continue
        where = f"studies/{study_id}.yaml {table}.{name}"
        payload_here = _fitting(payload, shape.max_length.get((table, name)))
        value: Any = (fields.value(where, payload_here) if kind == "string"
                      else [fields.value(where, payload), fields.value(where, payload)])
        shape.put(record, table, name, value)
    return record


def _poison_review(node: Any, fields: Fields, payload: str, path: str, skip: set[str],
                   addresses: dict[str, str]) -> Any:
    """Every text value (and every unset one) of review.yaml, except references; addresses
    (`url`, `doi`) get the build's address."""
    if isinstance(node, dict):
        return {k: (v if k in SKIP_REVIEW_KEYS or k.endswith("_source") or f"{path}.{k}" in skip
                    else addresses[k] if k in ADDRESS_KEYS
                    else _poison_review(v, fields, payload, f"{path}.{k}", skip, addresses))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_poison_review(v, fields, payload, f"{path}[]", skip, addresses) for v in node]
    if node is None or isinstance(node, str):
        return fields.value(f"review.yaml {path}", payload)
    return node


def _line_of_argument(review: dict[str, Any]) -> dict[str, Any]:
    """A line-of-argument model over the scenario's first subtheme (if any): every text of it
    (title, summary, labels, descriptions, relations) is poisoned like the rest of the file."""
    subthemes = [s["id"] for t in review.get("themes") or () for s in t.get("subthemes") or ()]
    return {"title": None, "summary": None,
            "levels": [{"id": "micro", "label": None}, {"id": "macro", "label": None}],
            "nodes": [{"id": "a", "label": None, "level": "micro", "description": None,
                       "subthemes": subthemes[:1]},
                      {"id": "b", "label": None, "level": "macro", "description": None}],
            "edges": [{"from": "a", "to": "b", "relation": None}]}


def _make_project(root: Path, scenario: str, payload: str,
                  addresses: dict[str, str]) -> tuple[Project, Fields]:
    project = make_project(root, scenario)
    fields = Fields()
    text_fields = _text_fields(project)
    shape = Shape.of(project)
    skip = {".themes[].id", ".themes[].subthemes[].id", ".search_rounds[].id",
            ".findings[].id", ".roles[].id",  # ids, checked by the schema's pattern
            ".appraisal_tool.scale[].colour", ".kind",  # one of a list, checked by validation
            ".reporting.guidelines", ".reporting.items.emerge-2.where",  # ids, validated
            *(f".line_of_argument.{key}" for key in (  # ids and references, validated
                "levels[].id", "nodes[].id", "nodes[].level", "nodes[].subthemes",
                "nodes[].themes", "edges[].from", "edges[].to"))}
    review = yaml.safe_load(project.review_file.read_text("utf-8"))
    review.setdefault("citation", {"authors": [None, None]})  # "Cite this version" names them
    review.setdefault("reporting", {  # the note of a declared item is shown on its checklist
        "guidelines": ["emerge"], "items": {"emerge-2": {"where": ["question"],
                                                         "note": None}}})
    review.setdefault("line_of_argument", _line_of_argument(review))
    review = _poison_review(review, fields, payload, "", skip, addresses)
    project.review_file.write_text(yaml.safe_dump(review, sort_keys=False, allow_unicode=True),
                                   "utf-8")
    studies = {
        "hostile-a": _study("hostile-a", fields, payload, text_fields, shape, with_authors=True,
                            url=addresses["url"]),
        "hostile-b": _study("hostile-b", fields, payload, text_fields, shape, with_authors=False,
                            url=addresses["url"]),
        "hostile-c": {**shape.record("hostile-c"), "doi": "10.5555/synthetic.hostile"},
    }
    replaced = studies["hostile-b"]["country"].split()[0]
    del fields.markers[replaced]
    studies["hostile-b"]["country"] = '=HYPERLINK("https://example.org/pwn")'  # spreadsheets
    for study_id, record in studies.items():
        (project.studies_dir / f"{study_id}.yaml").write_text(
            yaml.safe_dump(record, sort_keys=False, allow_unicode=True), "utf-8")
    where = "crossref 10.5555/synthetic.hostile"
    work = {
        "title": [fields.value(f"{where} title", payload)],
        "container-title": [fields.value(f"{where} container-title", payload)],
        "abstract": fields.value(f"{where} abstract", payload),
        "author": [{"family": fields.value(f"{where} author.family", payload),
                    "given": fields.value(f"{where} author.given", payload)},
                   {"name": fields.value(f"{where} author.name", payload)}],
        "volume": fields.value(f"{where} volume", payload),
        "issue": fields.value(f"{where} issue", payload),
        "page": fields.value(f"{where} page", payload),
        "issued": {"date-parts": [[2020]]},
        "license": [{"URL": addresses["licence"], "content-version": "vor"}],
        "updated-by": [{"DOI": addresses["doi"], "type": "correction", "source": "publisher",
                        "label": fields.value(f"{where} updated-by.label", payload),
                        "updated": {"date-parts": [[2021, 2, 3]]}}],
    }
    write_cached_work(project.cache_dir, CachedWork("10.5555/synthetic.hostile", "2025-01-01",
                                                    work))
    return project, fields


@dataclass(frozen=True)
class Built:
    site: Path
    fields: Fields
    scenario: str


@pytest.fixture(scope="module", params=SCENARIOS)
def builds(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Built]:
    """The site with the payload everywhere, and with harmless text in the same places."""
    result = []
    for name, payload, addresses in (("hostile", PAYLOAD, HOSTILE),
                                     ("harmless", "plain words only", HARMLESS)):
        root = tmp_path_factory.mktemp(name)
        project, fields = _make_project(root, request.param, payload, addresses)
        result.append(Built(build_site(project), fields, request.param))
    return result[0], result[1]


class _Elements(HTMLParser):
    """Every element's kind (tag and attribute names), the URL schemes and script texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.kinds: set[tuple[str, tuple[str, ...]]] = set()
        self.urls: list[str] = []
        self.events: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.kinds.add((tag, tuple(sorted(name for name, _ in attrs))))
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                self.urls.append(value)
            if name.startswith("on"):
                self.events.append(f"{tag} {name}")
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def handle_comment(self, data: str) -> None:
        self.kinds.add(("<!--", (data.strip()[:20],)))


def elements(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text("utf-8")
            for p in sorted(site.rglob("*.html"))}


def visible(raw: str) -> str:
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def article(raw: str) -> str:
    return raw.split('<article class="md-content__inner md-typeset">')[1].split("</article>")[0]


def _unsafe(found: _Elements) -> list[str]:
    bad = [f"event attribute {e}" for e in found.events]
    bad += [f"url {u}" for u in found.urls
            if re.match(r"\s*(javascript|data|vbscript):", u, re.I)
            or ("pwn" in u.lower() and not re.fullmatch(r"#[a-z0-9_-]+", u))]  # heading anchors
    bad += [f"script {s[:40]}" for s in found.scripts if "pwn" in s or "alert(" in s]
    return bad


def test_every_page_has_no_element_or_attribute_the_harmless_build_lacks(builds) -> None:
    hostile, harmless = builds
    allowed: set[tuple[str, tuple[str, ...]]] = set()
    for raw in pages(harmless.site).values():
        allowed |= elements(raw).kinds
    hostile_pages = pages(hostile.site)
    assert len(hostile_pages) == len(pages(harmless.site)) >= 15
    for name, raw in hostile_pages.items():
        found = elements(raw)
        assert found.kinds - allowed == set(), name


def test_every_page_has_no_event_attribute_script_or_unsafe_url(builds) -> None:
    hostile, _ = builds
    for name, raw in pages(hostile.site).items():
        assert _unsafe(elements(raw)) == [], name


def test_no_markdown_extension_or_template_acted_on_the_payload(builds) -> None:
    hostile, _ = builds
    for name, raw in pages(hostile.site).items():
        assert "1337" not in raw, f"{name}: Jinja2 evaluated {{{{ 7 * 191 }}}}"
        assert "<abbr title=\"Hyper Text pwn" not in raw, f"{name}: an abbreviation was defined"
        assert 'class="footnote' not in raw, f"{name}: a footnote was made"
        assert "admonition danger" not in raw, f"{name}: an admonition was made"
        assert "pwnclass" not in re.findall(r'class="([^"]*)"', raw).__str__(), name
        assert 'id="pwnid"' not in raw, name
        assert "site_name:" not in visible(raw), f"{name}: a snippet was included"
        assert "<strong>pwn bold</strong>" not in raw, name
        assert "<!-- pwn" not in raw, name


def test_every_text_field_is_shown_as_written_or_not_at_all(builds) -> None:
    """Each field's text appears whole, as text, on some page; the fields no page shows are
    pinned, so a field that silently stops being shown fails this test."""
    hostile, _ = builds
    bodies = " ".join(visible(article(raw)) for raw in pages(hostile.site).values())
    # A name is shown as "Family, Given": the comma that splits it gets a space after it.
    variants = (SHOWN, SHOWN.replace(",", ", ", 1), SHORT_SHOWN)
    shown = {marker for marker in hostile.fields.markers
             if any(f"{marker} {variant}" in bodies for variant in variants)}
    # Crossref's titles and names are markup, not plain text: their tags are stripped (except
    # safe face markup) by build_tools.crossref.markup, tested in tests/test_markup.py.
    garbled = {hostile.fields.markers[m] for m in hostile.fields.markers
               if m in bodies and m not in shown}
    assert sorted(garbled) == [
        "crossref 10.5555/synthetic.hostile author.family",
        "crossref 10.5555/synthetic.hostile author.given",
        "crossref 10.5555/synthetic.hostile author.name",
        "crossref 10.5555/synthetic.hostile container-title",
        "crossref 10.5555/synthetic.hostile title",
    ]
    not_shown = sorted({hostile.fields.markers[m] for m in hostile.fields.markers} -
                       {hostile.fields.markers[m] for m in shown} - garbled)
    # the short title is in the feed (see below), the rest are keys
    assert not_shown == NOT_SHOWN[hostile.scenario]
    assert len(shown) >= MIN_SHOWN[hostile.scenario]


NOT_SHOWN = {
    "alliance-review": [
        "crossref 10.5555/synthetic.hostile abstract",
        "review.yaml .methods[].id",
        "review.yaml .reported_characteristics[].id",
        "review.yaml .short_title",
    ],
    "synthetic-trials-review": [
        "crossref 10.5555/synthetic.hostile abstract",
        "review.yaml .short_title",
    ],
}
MIN_SHOWN = {"alliance-review": 100, "synthetic-trials-review": 30}


def test_titles_in_head_header_and_navigation_use_look_alikes(builds) -> None:
    hostile, _ = builds
    raw = (hostile.site / "studies/hostile-a/index.html").read_text("utf-8")
    title = re.search(r"<title>(.*?)</title>", raw, re.S)
    assert title is not None
    assert "‹script›alert(”pwn1”)‹/script›" in title.group(1)
    assert "<" not in html.unescape(title.group(1)).replace("‹", "")
    home = (hostile.site / "index.html").read_text("utf-8")
    navigation = home.split("md-nav--primary")[1].split("md-sidebar--secondary")[0]
    if hostile.scenario == "alliance-review":  # theme titles are navigation entries
        assert "‹script›alert(”pwn1”)‹/script›" in navigation
    assert _unsafe(elements(navigation)) == []


def test_search_index_holds_the_payload_only_as_text(builds) -> None:
    """Material's search shows titles and text from the index as HTML: no markup may be in it."""
    hostile, harmless = builds
    allowed: set[tuple[str, tuple[str, ...]]] = set()
    for doc in json.loads((harmless.site / "search/search_index.json").read_text())["docs"]:
        allowed |= elements(doc["title"]).kinds | elements(doc["text"]).kinds
    docs = json.loads((hostile.site / "search/search_index.json").read_text())["docs"]
    assert any("pwn1" in html.unescape(doc["text"]) for doc in docs)
    for doc in docs:
        for part in ("title", "text"):
            found = elements(doc[part])
            assert found.kinds - allowed == set(), (doc["location"], part)
            assert _unsafe(found) == [], (doc["location"], part)


def test_downloads_keep_the_text_verbatim_and_cannot_break_their_formats(builds) -> None:
    hostile, harmless = builds
    downloads = hostile.site / "downloads"
    rows = list(csv.DictReader(io.StringIO((downloads / "studies.csv").read_text("utf-8"))))
    by_id = {row["id"]: row for row in rows}
    assert by_id["hostile-a"]["notes"].endswith(" " + PAYLOAD)
    assert by_id["hostile-b"]["country"] == "'=HYPERLINK(\"https://example.org/pwn\")"
    assert (downloads / "datapackage.json").read_bytes() == (
        harmless.site / "downloads/datapackage.json").read_bytes()
    ids = sorted(by_id)
    assert sorted(item["id"] for item in json.loads((downloads / "references.json").read_text())
                  ) == ids
    bib = (downloads / "references.bib").read_text("utf-8")
    assert sorted(re.findall(r"^@\w+\{([^,]+),", bib, re.M)) == ids
    ris = (downloads / "references.ris").read_text("utf-8").splitlines()
    assert sum(line.startswith("ER  -") for line in ris) == len(ids)
    assert [line for line in ris if line and not re.match(r"^[A-Z][A-Z0-9]  - ", line)] == []


def test_cite_files_keep_one_record_each_with_the_title_as_text(builds) -> None:
    """cite/*: the review's own reference, by the writers of the studies' references."""
    hostile, _ = builds
    cite = hostile.site / "cite"
    assert sorted(p.name for p in cite.iterdir() if p.suffix != ".html") == [
        "living-review-development.bib", "living-review-development.json",
        "living-review-development.ris"]
    bib = (cite / "living-review-development.bib").read_text("utf-8")
    parsed = parse_string(bib, "bibtex")
    assert list(parsed.entries) == ["livingreview_dev"]
    assert len(parsed.entries["livingreview_dev"].persons["author"]) == 2
    assert re.findall(r"^@", bib, re.M) == ["@"] and "\\<" not in bib
    ris = (cite / "living-review-development.ris").read_text("utf-8")
    (record,) = rispy.loads(ris)
    assert record["title"].endswith(" " + SHOWN) and len(record["authors"]) == 2
    assert [line for line in ris.splitlines()
            if line and not re.match(r"^[A-Z][A-Z0-9]  - ", line)] == []
    (item,) = json.loads((cite / "living-review-development.json").read_text("utf-8"))
    assert item["title"] == record["title"] and item["type"] == "webpage"


def test_feed_is_well_formed_atom_with_the_title_as_text(builds) -> None:
    hostile, _ = builds
    feed = ET.fromstring((hostile.site / "feed.xml").read_bytes())
    namespaces = {element.tag.split("}")[0] for element in feed.iter()}
    assert namespaces == {"{http://www.w3.org/2005/Atom"}
    title = feed.findtext("{http://www.w3.org/2005/Atom}title")
    assert title is not None and title.endswith(f" {PAYLOAD}: updates")


def _hrefs(raw: str) -> list[str]:
    return [attrs["href"] or "" for tag, attrs in _Tags.of(article(raw)) if tag == "a"
            and "href" in attrs]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    @classmethod
    def of(cls, text: str) -> list[tuple[str, dict[str, str | None]]]:
        parser = cls()
        parser.feed(text)
        parser.close()
        return parser.found


def test_addresses_are_linked_whole_or_shown_as_text(builds) -> None:
    """An allowed address is one href, exactly as written; a refused one (the Crossref licence)
    is left out; a DOI is linked at its percent-encoded address."""
    hostile, _ = builds
    study = (hostile.site / "studies/hostile-a/index.html").read_text("utf-8")
    assert _hrefs(study).count(HOSTILE_URL) == 1
    crossref = (hostile.site / "studies/hostile-c/index.html").read_text("utf-8")
    assert not [h for h in _hrefs(crossref) if "x.org" in h]
    assert "onmouseover" not in visible(article(crossref))  # the licence is left out
    home = (hostile.site / "index.html").read_text("utf-8")
    if hostile.scenario == "alliance-review":  # the review's own DOI (source_review.doi)
        assert doi_url(HOSTILE_DOI) in _hrefs(home)
    assert doi_url(HOSTILE_DOI.lower()) in _hrefs(crossref)  # the notice, DOI lower-cased


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_constrained_fields_refuse_free_text_with_a_located_problem(tmp_path: Path,
                                                                    scenario: str) -> None:
    """Enums, numbers, dates, patterns, DOIs, URLs and links to other tables: the payload in any
    of them is a problem naming its file, line and field, so it never reaches a page."""
    project = make_project(tmp_path, scenario)
    shape = Shape.of(project)
    constrained = [f for f in record_fields(project) if not f.free and f.name != "id"]
    assert {f.type for f in constrained} >= {"string", "integer"}
    for spec in constrained:
        record = shape.record("hostile-x")
        value = PAYLOAD if spec.type != "array" else [PAYLOAD]
        shape.put(record, spec.table, spec.name, value)
        path = project.studies_dir / "hostile-x.yaml"
        path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), "utf-8")
        checked = check_project(project)
        validation = checked.validation
        assert validation is not None
        located = [p for p in validation.errors
                   if p.file == "studies/hostile-x.yaml" and p.field.endswith(spec.name)
                   and p.line > 1]
        assert located, f"{spec.table}.{spec.name} accepted the payload"


def test_identifier_fields_refuse_free_text_with_a_located_problem(tmp_path: Path) -> None:
    """arXiv, PubMed, URL, entry-type and citation-key fields (x-format) are constrained too:
    the payload in any of them is a located problem, never a link or a BibTeX key."""
    project = with_identifier_fields(make_project(tmp_path))
    names = [f["name"] for f in IDENTIFIER_FIELDS]
    record = {"id": "hostile-x", "perspective": "both", "sources": [{"description": "synthetic"}],
              **dict.fromkeys(names, PAYLOAD)}
    path = project.studies_dir / "hostile-x.yaml"
    path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), "utf-8")
    validation = check_project(project).validation
    assert validation is not None
    located = {p.field for p in validation.errors
               if p.file == "studies/hostile-x.yaml" and p.line > 1}
    assert located >= set(names)


def test_the_translation_table_and_excerpts_show_the_payload_as_text(builds) -> None:
    """The synthesis views (pages/synthesis.py, the theme pages' excerpts) are among the pages
    checked above: the hostile records' translations and excerpts reach them, as text."""
    hostile, _ = builds
    if hostile.scenario != "alliance-review":  # the scenario whose schema declares them
        return
    concepts = [m for m, where in hostile.fields.markers.items()
                if where.endswith("translations.concept")]
    excerpts = [m for m, where in hostile.fields.markers.items()
                if where.endswith("excerpts.text")]
    assert len(concepts) == len(excerpts) == 2
    table = visible(article((hostile.site / "translations/index.html").read_text("utf-8")))
    for marker in concepts:
        assert f"{marker} {SHOWN}" in table
    themes = " ".join(visible(article(p.read_text("utf-8")))
                      for p in (hostile.site / "themes").rglob("*.html"))
    for marker in excerpts:
        assert f"{marker} {SHORT_SHOWN}" in themes
    raw = "".join(p.read_text("utf-8") for p in (hostile.site / "themes").rglob("*.html"))
    assert raw.count('<blockquote class="lr-excerpt">') == 2


def test_the_line_of_argument_shows_the_payload_as_text_in_its_drawing_and_table(
        builds) -> None:
    """The line-of-argument page (pages/line_of_argument.py) draws record text into an inline
    SVG: the labels there are text of the drawing, whole in its title, description and table."""
    hostile, _ = builds
    markers = {m: where for m, where in hostile.fields.markers.items()
               if ".line_of_argument." in where}
    assert len(markers) == 9  # title, summary, two levels, two nodes with descriptions, a relation
    raw = article((hostile.site / "line-of-argument/index.html").read_text("utf-8"))
    body = visible(raw)
    for marker in markers:
        assert f"{marker} {SHOWN}" in body, markers[marker]
    svg = raw[raw.index("<svg "):raw.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)  # the drawing is still well-formed XML
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "foreignObject")]
    assert _unsafe(elements(svg)) == []
    title = root.findtext("{http://www.w3.org/2000/svg}title") or ""
    assert " ".join(title.split()).endswith(SHOWN)
