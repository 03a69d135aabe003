"""TeX math in titles and text: our own inert math spans, rendered offline by the stored KaTeX,
and kept as math in BibTeX. Hostile input comes from Hypothesis; the review is synthetic
(tests/factories.make_preprint_project)."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string

from build_tools.core.mdtext import math_text
from build_tools.core.neutral import neutralise
from build_tools.crossref.works import citation_from_record
from build_tools.formats.csl import csl_item
from build_tools.formats.exports import bibtex_text
from build_tools.formats.latex import keeps_math, latex_text
from build_tools.site.build import build_site
from build_tools.site.tex_math import KATEX, SITE_DIR
from tests.browser import Visit, chromium, opened_from_disk
from tests.factories import make_preprint_project

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', "&lt;b&gt;", "&#60;",
           '"', "'", "`code`", "**bold**", "[a](javascript:b)", "{{ 7*7 }}", "{: .x #y }",
           "\\(x\\)", "\\[y\\]", "$$", "\\href{javascript:alert(3)}{x}", "\\htmlClass{x}{y}",
           "</span>", "<span class=arithmatex>", "\\", "{", "}", "^", "_", "~", "%", "#", "&"]
TEXT = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)), max_size=8).map(
    "".join)
WITH_MATH = st.tuples(TEXT, TEXT, TEXT).map(lambda t: f"{t[0]} $x{t[1]}y$ {t[2]}")
# What Python-Markdown runs with on the site (tests/scenarios' and the shipped mkdocs.yml)
EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc", "pymdownx.arithmatex"]
CONFIGS = {"pymdownx.arithmatex": {"generic": True}}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.math: list[str] = []
        self._in_math = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(attrs)))
        if tag == "span":
            self._in_math += 1
            self.math.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._in_math -= 1

    def handle_data(self, data: str) -> None:
        if self._in_math:
            self.math[-1] += data


def _parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(WITH_MATH)
def test_hostile_text_with_math_gives_only_inert_math_spans(value: str) -> None:
    """Through the site's Markdown (arithmatex included) the only elements are the heading and
    our math spans; every span holds TeX as text, and all the text is shown as written."""
    rendered = markdown.markdown("# " + math_text(value), extensions=EXTENSIONS,
                                 extension_configs=CONFIGS)
    parsed = _parse(rendered)
    assert parsed.tags[0][0] == "h1"
    assert {tag for tag in parsed.tags[1:]} <= {("span", (("class", "arithmatex"),))}
    assert all(m.startswith("\\(") and m.endswith("\\)") for m in parsed.math)
    shown = html.unescape(re.sub(r"<[^>]*>", "", rendered))
    for span in parsed.math:  # each span back to the $…$ it was written as, left to right
        at = shown.index(span)
        shown = shown[:at] + "$" + span[2:-2] + "$" + shown[at + len(span):]
    assert shown == " ".join(neutralise(value).split())


@pytest.mark.parametrize(("value", "spans"), [
    (r"A search for $H \to b\bar{b}$ decays", [r"H \to b\bar{b}"]),
    ("costs $5 and $10", []), ("$x$5", []), (r"a \$ b", []), ("$$x$$", []), ("$ x$", []),
    ("$a$ and $b$", ["a", "b"]),
])
def test_math_follows_pandocs_dollar_rule(value: str, spans: list[str]) -> None:
    assert [m[2:-2] for m in _parse(math_text(value)).math] == spans


def _bibtex(title: str) -> str:
    return bibtex_text([csl_item("synthetic-s1", citation_from_record({"title": title}))])


def test_bibtex_keeps_math_as_math_and_escapes_the_rest() -> None:
    text = _bibtex(r"Search for $H \to b\bar{b}$ at 50% {of} $\input{/etc/passwd}$")
    assert r"{$H \to b\bar{b}$}" in text
    assert r"\$\textbackslash{}input" in text  # math that could read a file is text
    assert r"50\% \textbraceleft{}of\textbraceright{}" in text
    title = parse_string(text, "bibtex").entries["synthetic-s1"].fields["title"]
    assert r"{$H \to b\bar{b}$}" in title


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(TEXT, TEXT, TEXT))
def test_bibtex_with_math_and_hostile_text_always_parses(parts: tuple[str, str, str]) -> None:
    title = f"{parts[0]} $x{parts[1]}y$ {parts[2]}"
    if not " ".join(title.split()):
        return
    text = _bibtex(title)
    entries = parse_string(text, "bibtex").entries
    assert list(entries) == ["synthetic-s1"]
    field = entries["synthetic-s1"].fields["title"]
    for tex in re.findall(r"\{\$([^$]*)\$\}", latex_text(neutralise(title))):
        assert keeps_math(tex) and f"{{${tex}$}}" in field


def test_the_stored_katex_is_the_published_0_19_1() -> None:
    digests = {name: hashlib.sha256((KATEX / name).read_bytes()).hexdigest()
               for name in ("katex.min.js", "katex.min.css")}
    assert digests == {
        "katex.min.js": "fa140498b8cfc8302cbe5e7cb1bdbc1f952bc38b3fa258ede09e73edbf9a74bc",
        "katex.min.css": "00e0b094171b07f58422075f469b4feac2b2f7bce1aeec943c08da4d697f4dcf",
    }
    css = (KATEX / "katex.min.css").read_text("utf-8")
    woff2 = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert woff2 and all((KATEX / name).is_file() for name in woff2)
    assert "http" not in css


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    served = make_preprint_project(tmp_path_factory.mktemp("served"))
    offline = make_preprint_project(tmp_path_factory.mktemp("offline"))
    return {"served": build_site(served, strict=True),
            "offline": build_site(offline, strict=True, offline=True)}


def test_the_preprint_review_builds_strictly_with_katex_in_the_site(sites: dict[str, Path]
                                                                   ) -> None:
    site = sites["served"]
    page = (site / "studies/synthetic-preprint-1/index.html").read_text("utf-8")
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert heading is not None and '<span class="arithmatex">' in heading.group(1)
    for name in ("katex.min.css", "katex.min.js", "render-math.js"):
        assert f"../../{SITE_DIR}/{name}" in page
        assert (site / SITE_DIR / name).is_file()
    assert (site / SITE_DIR / "fonts/KaTeX_Main-Regular.woff2").is_file()
    assert "cdn" not in page.lower()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_katex_renders_a_math_title_from_disk_with_no_external_request(
        browser: Any, sites: dict[str, Path]) -> None:
    visit = Visit(browser, opened_from_disk, block=False)
    try:
        page = visit.page
        page.goto((sites["offline"] / "studies/synthetic-preprint-1.html").as_uri())
        page.wait_for_selector("h1 .arithmatex .katex", timeout=10_000)
        assert page.locator("h1 .katex-mathml annotation").first.text_content() == (
            r"H \to b\bar{b}")
        assert page.locator(".lr-notes .katex").count() == 1  # "$5 and $10" stays text
        assert "$5 and $10" in page.locator(".lr-notes").inner_text()
        assert visit.errors == [] and visit.foreign == []
    finally:
        visit.close()


def test_the_exported_config_loads_katex_once_after_the_projects_own_assets() -> None:
    from build_tools.site.tex_math import SCRIPTS, STYLESHEETS, with_math

    config = with_math({"extra_css": ["assets/a.css"],
                        "extra_javascript": ["assets/a.js", {"path": SCRIPTS[0]}]})
    assert config["extra_css"] == ["assets/a.css", *STYLESHEETS]
    assert config["extra_javascript"] == ["assets/a.js", {"path": SCRIPTS[0]}, SCRIPTS[1]]
    assert with_math(config) == config
