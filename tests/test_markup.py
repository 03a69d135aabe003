"""The sanitiser: Crossref face markup kept as fixed tags, everything else inert or gone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_tools.crossref import markup
from build_tools.crossref.markup import plain_text, safe_markup
from tests.crossref_fixtures import body, work


def test_a_recorded_title_keeps_its_italics_and_loses_its_indentation() -> None:
    title = work("10.1136_jclinpath-2020-206745.json")["title"][0]
    assert safe_markup(title) == (
        "Construction of a reference material panel for detecting <i>KRAS</i> &#47; "
        "<i>NRAS</i> &#47; <i>EGFR</i> &#47; <i>BRAF</i> &#47; <i>MET</i> mutations in "
        "plasma ctDNA")
    assert plain_text(title) == ("Construction of a reference material panel for detecting "
                                 "KRAS / NRAS / EGFR / BRAF / MET mutations in plasma ctDNA")


def test_recorded_entities_are_decoded_then_made_inert() -> None:
    items = body("worklist_types_journal-article_works.json")["message"]["items"]
    journal = next(t for i in items for t in i.get("container-title", []) if "&amp;" in t)
    assert plain_text(journal) == "Rocks & Minerals"
    assert safe_markup(journal) == "Rocks &#38; Minerals"


@pytest.mark.parametrize(("raw", "expected"), [
    ("CO<sub>2</sub> and E = mc<sup>2</sup>", "CO<sub>2</sub> and E &#61; mc<sup>2</sup>"),
    ("<jats:italic>In vivo</jats:italic> study", "<i>In vivo</i> study"),
    ("<scp>Dna</scp>", '<span style="font-variant: small-caps">Dna</span>'),
    ("<b>bold <i>both</b> after</i>", "<b>bold <i>both</i></b> after"),
    ("<i>never closed", "<i>never closed</i>"),
    ("stray</i> close", "stray close"),
    ('<i onclick="steal()">x</i>', "<i>x</i>"),
    ("<script>alert(1)</script>safe", "safe"),
    ('<a href="javascript:alert(1)">link</a> text', "link text"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;",
     "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62;"),
    ("*not* [markdown](x) {{ jinja }}", "&#42;not&#42; &#91;markdown&#93;&#40;x&#41; &#123;&#123; "
     "jinja &#125;&#125;"),
    ("p < 0.05", "p &#60; 0&#46;05"),
    ("<i></i>empty", "empty"),
])
def test_only_safe_formatting_survives(raw: str, expected: str) -> None:
    assert safe_markup(raw) == expected


def test_plain_text_strips_every_tag() -> None:
    assert plain_text("<i>a</i>  <foo>b</foo>\n<script>x</script>c &amp; d") == "a b c & d"


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(blacklist_characters="<&"))
       | st.sampled_from(["", " ", "\r\n", "a\x00b", "]]>", "x > y", "\ud800 title"]))
def test_text_without_tags_or_references_skips_the_parser_and_reads_the_same(
        value: str) -> None:
    """The shortcut for text with no `<` and no `&` gives the parser's own tokens."""
    assert markup._tokens(value) == markup._parsed_tokens(value)


@given(st.text(alphabet=st.sampled_from(list("<&;#ab /ix>"))))
def test_text_with_tags_or_references_is_parsed(value: str) -> None:
    """Control: the shortcut is taken only where it cannot differ."""
    assert markup._tokens(value) == markup._parsed_tokens(value)
