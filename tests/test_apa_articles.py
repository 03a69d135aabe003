"""The direct APA writer for journal articles (formats/apa_articles.py) against citeproc-py.

Differential: for every generated item the direct writer accepts, its entry and sort keys are
citeproc-py's, character for character; ordinary articles are always accepted, so the fast
path cannot quietly go unused; and a build's references are the same with the writer as with
citeproc-py alone.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from build_tools.formats import apa_articles, references
from build_tools.formats.apa_articles import article_entry
from build_tools.formats.references import apa_references
from tests.refdata import scenario_studies

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Text a record can hold: letters of several scripts and cases, digits, spaces, and every
# punctuation mark the style might react to, at the edges or inside.
ANY_TEXT = st.text(alphabet=st.sampled_from(
    [*string.ascii_letters, *string.digits, *" .,;:!?&()[]'\"-/<>*_",
     "é", "Ø", "ß", "İ", "ǅ", "ı", "–", "—", "…", "“", "’", "\u00a0", "\u2009", "中"]),
    min_size=1, max_size=12)
WORD = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
CAPITALISED = st.builds(lambda first, rest: first + rest, st.sampled_from("ABCDÉØŁ"),
                        st.text(alphabet=string.ascii_lowercase, max_size=6))
ORDINARY_TEXT = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
ORDINARY_TITLE = st.builds(lambda words, end: words + end, ORDINARY_TEXT,
                           st.sampled_from(["", "", "?", "!"]))


def _name(family: st.SearchStrategy[str], given: st.SearchStrategy[str]) -> Any:
    return st.fixed_dictionaries({"family": family}, optional={"given": given})


PAGES = st.from_regex(r"e?[0-9]{1,5}|[0-9A-Z]{1,4}[-–][0-9A-Z]{1,4}", fullmatch=True)


def _item(title: st.SearchStrategy[str], text: st.SearchStrategy[str], names: Any, years: Any,
          pages: Any) -> Any:
    return st.fixed_dictionaries(
        {"id": st.just("item"), "type": st.just("article-journal"),
         "author": st.lists(names, min_size=1, max_size=24), "title": title},
        optional={"issued": years.map(lambda year: {"date-parts": [[year]]}),
                  "container-title": title, "volume": text, "issue": text, "page": pages,
                  "DOI": st.from_regex(r"10\.[0-9]{4}/[a-zA-Z0-9.()<>_-]{1,10}", fullmatch=True),
                  "URL": st.just("https://example.org/a?b=c"),  # (with a DOI: not shown)
                  "PMID": st.just("12345"), "note": text})


ANY_ITEM = _item(ANY_TEXT, ANY_TEXT, _name(ANY_TEXT, ANY_TEXT),
                 st.integers(min_value=-100, max_value=20000), st.one_of(ANY_TEXT, PAGES))
ORDINARY_GIVEN = st.one_of(
    st.lists(CAPITALISED, min_size=1, max_size=3).map(" ".join),
    st.lists(st.sampled_from("ABCJMP"), min_size=1, max_size=3).map(". ".join).map(
        lambda initials: initials + "."),
    st.tuples(CAPITALISED, CAPITALISED).map("-".join))
ORDINARY_ITEM = _item(ORDINARY_TITLE, ORDINARY_TEXT, _name(ORDINARY_TEXT, ORDINARY_GIVEN),
                      st.integers(min_value=1000, max_value=2100), PAGES).map(
    lambda item: item if "DOI" in item else {k: v for k, v in item.items() if k != "URL"})


def by_citeproc(item: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    (formatted,) = references._format_with_apa([item])
    return formatted.entry, formatted.sort_keys


@SETTINGS
@given(ANY_ITEM)
@example({"id": "item", "type": "article-journal", "author": [{"family": "S", "given": "j"}],
          "title": "T"})  # a lower-case given name: citeproc-py keeps it as a particle
@example({"id": "item", "type": "article-journal", "author": [{"family": "S"}],
          "title": "End."})  # the style drops the second full stop
def test_an_accepted_item_is_written_as_citeproc_writes_it(item: dict[str, Any]) -> None:
    written = article_entry(item)
    if written is not None:
        assert written == by_citeproc(item)


@SETTINGS
@given(ORDINARY_ITEM)
def test_an_ordinary_article_is_always_accepted(item: dict[str, Any]) -> None:
    written = article_entry(item)
    assert written is not None
    assert written == by_citeproc(item)


@pytest.mark.parametrize("change", [
    {"type": "book"}, {"author": []}, {"title": ""}, {"issued": {"date-parts": [[2020, 5]]}},
    {"issued": {"date-parts": [[99]]}}, {"page": "5, 7"}, {"title": "Why."},
    {"author": [{"family": "S", "given": "jean"}]}, {"archive": "arXiv"},
    {"URL": "https://example.org"},
])
def test_other_shapes_go_to_citeproc(change: dict[str, Any]) -> None:
    item = {"id": "item", "type": "article-journal", "author": [{"family": "S", "given": "J"}],
            "title": "T", **change}
    assert article_entry(item) is None


def test_the_sort_keys_are_the_styles() -> None:
    style = references._apa_style()
    assert len(references._sort_key_elements(style)) == apa_articles.SORT_KEY_COUNT


def test_references_are_the_same_with_and_without_the_direct_writer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    studies = scenario_studies()
    direct = apa_references(studies)
    monkeypatch.setattr(references, "article_entry", lambda item: None)
    assert apa_references(studies) == direct


def test_the_direct_writer_is_used_for_the_scenario_articles(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A control: the builds above took the direct path (citeproc-py never saw the articles)."""
    seen: list[dict[str, object]] = []
    original = references._format_with_apa

    def recording(items: list[dict[str, object]]) -> list[Any]:
        seen.extend(items)
        return original(items)

    monkeypatch.setattr(references, "_format_with_apa", recording)
    studies = scenario_studies()
    assert len(apa_references(studies)) == len(studies)
    assert len(seen) < len(studies)
