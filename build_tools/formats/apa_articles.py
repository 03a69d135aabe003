"""APA 7 entries for journal articles, written directly: the text and sort keys citeproc-py
gives with `apa.csl`, without walking the style.

citeproc-py walks the 2,250-line style for every reference, about 3 ms a study, which was
most of a cold build's own time at thousands of studies. A journal article with authors and a
title, the most common item of a review, takes one fixed path through that style; this
module writes the path out (~20 µs an item). An item whose shape it is not sure of (another
type, no authors, a year before 1000, a field the style treats specially at its edges) gets
None and goes to citeproc-py, so the output never depends on which path made it.
`tests/test_apa_articles.py` compares the two on generated items, character for character.

Styling is written with references.py's private-use markers (italic only).
"""

from __future__ import annotations

import re
from typing import Any

ITALIC_OPEN, ITALIC_CLOSE = "\ue000", "\ue001"  # references._TAGS["i"]
SORT_KEY_COUNT = 10  # the <key>s of apa.csl's bibliography sort (checked by the tests)
ET_AL_MIN, ET_AL_USE_FIRST = 21, 19  # apa.csl: 21 or more authors show 19, "…", the last
DOI_ADDRESS = "https://doi.org/"

_KNOWN_FIELDS = frozenset({"id", "type", "author", "issued", "title", "container-title",
                           "volume", "issue", "page", "DOI", "URL", "PMID", "note"})
_PAGE_PART = r"[^\s,&\-\u2013]+"
_PAGES = re.compile(rf"({_PAGE_PART})(?:[-\u2013]({_PAGE_PART}))?")
# Characters at a field's edges that the style's punctuation handling treats specially.
_EDGE_PUNCTUATION = frozenset(".,;:!?&()[]{}\"'“”‘’«»-–—…/\\")

_NO_DATE: dict[str, Any] = {}  # an item without `issued`
QUESTIONS = "?!"  # titles may end so: the style's full stop follows ("Why?.", as citeproc-py)
PlainKey = str | int | None


def article_entry(item: dict[str, Any]) -> tuple[str, tuple[PlainKey, ...]] | None:
    """The item's APA entry (with italic markers) and its sort keys, or None when the item is
    not a journal article of the shape this module writes exactly."""
    if item.get("type") != "article-journal" or not _KNOWN_FIELDS.issuperset(item):
        return None
    authors = _authors(item.get("author"))
    year = _year(item.get("issued", _NO_DATE))
    title = item.get("title")
    fields = [item.get(name) for name in ("container-title", "volume", "issue", "page")]
    link = item.get("DOI")
    if item.get("URL") and not link:
        return None  # the style words a web address by what else the item has
    if (authors is None or year is False or not isinstance(title, str)
            or not _plain(title, QUESTIONS)
            or not (fields[0] is None or _plain(fields[0], QUESTIONS))
            or not all(value is None or _plain(value) for value in fields[1:])
            or not (link is None or (isinstance(link, str) and link.split() == [link]))):
        return None
    container, volume, issue, page = fields
    container = _title_case(container) if container else None
    pages = _pages(page) if page is not None else ""
    if pages is None:
        return None
    shown_title = title if container else _italic(title)
    source = [_italic(container)] if container else []
    volume_issue = (_italic(volume) if volume else "") + (f"({issue})" if issue else "")
    source += [part for part in (volume_issue, pages) if part]
    head = f"{authors}{'' if authors.endswith('.') else '.'} ({year or 'n.d.'}). {shown_title}."
    entry = f"{head} {', '.join(source)}." if source else head
    if link:
        entry += f" {DOI_ADDRESS}{link}"
    keys: tuple[PlainKey, ...] = (authors, "1" if year else "0", str(year) if year else None,
                                  None, shown_title, volume or None, None, None, None, None)
    return entry, keys


def _plain(value: object, may_end_with: str = "") -> bool:
    """One line of text whose edges the style leaves alone (no space, no punctuation but
    `may_end_with` at the end)."""
    return (isinstance(value, str) and value != "" and value == value.strip()
            and value == " ".join(value.split()) and value[0] not in _EDGE_PUNCTUATION
            and (value[-1] not in _EDGE_PUNCTUATION or value[-1] in may_end_with))


_STOP_WORDS = frozenset({"a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in",
                         "into", "nor", "of", "on", "onto", "or", "over", "so", "the", "till",
                         "to", "up", "via", "with", "yet"})


def _title_case(text: str) -> str:
    """The style's title case for a journal's name (citeproc-py's reading of CSL's): a word
    all in lower case gets a capital first letter unless it is a stop word after a word not
    ending in ':' or '.'; the first word counts as following a ':'."""
    words = []
    previous = ":"
    for word in text.split():
        if word.islower() and (word not in _STOP_WORDS or previous in (":", ".")):
            word = word[0].upper() + word[1:]
        previous = word[-1]
        words.append(word)
    return " ".join(words)


def _italic(text: str) -> str:
    return f"{ITALIC_OPEN}{text}{ITALIC_CLOSE}"


def _year(issued: object) -> int | bool | None:
    """The year of an item dated by its year alone (None: undated; False: another shape)."""
    if issued == _NO_DATE:
        return None
    if not isinstance(issued, dict) or set(issued) != {"date-parts"}:
        return False
    parts = issued["date-parts"]
    if (isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], list)
            and len(parts[0]) == 1 and type(parts[0][0]) is int and 1000 <= parts[0][0] <= 9999):
        return int(parts[0][0])
    return False


def _authors(names: object) -> str | None:
    """The author list as APA writes it (family, initials; `&` before the last; 21 or more:
    the first 19, an ellipsis and the last), or None for a list of another shape."""
    if not isinstance(names, list) or not names:
        return None
    written = [_name(name) for name in names]
    if any(name is None for name in written):
        return None
    shown: list[str] = [name for name in written if name is not None]
    if len(shown) >= ET_AL_MIN:
        return ", ".join([*shown[:ET_AL_USE_FIRST], f"\u2026 {shown[-1]}"])
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])}, & {shown[-1]}"


def _name(name: object) -> str | None:
    """'Family, I. I.' for a name whose given names all start with a capital letter."""
    if not isinstance(name, dict) or not {"family"} <= set(name) <= {"family", "given"}:
        return None
    family, given = name["family"], name.get("given")
    if not _plain(family) or (given is not None and not isinstance(given, str)):
        return None
    if given is None:
        return family
    initials = _initials(given)
    return None if initials is None else f"{family}, {initials}"


def _initials(given: str) -> str | None:
    """'Mary-Jane Ann' -> 'M.-J. A.': each word's first letter and a full stop, hyphens kept.
    None when a word does not start with a capital (the style then keeps it, as a particle)."""
    hyphen_parts = []
    for hyphen_part in given.split("-"):
        words = hyphen_part.replace(".", " ").split()
        if not words or not all(word[0].isupper() for word in words):
            return None
        hyphen_parts.append(" ".join(f"{word[0]}." for word in words))
    return "-".join(hyphen_parts)


def _pages(page: str) -> str | None:
    """A page or a range of two pages, joined by an en dash (the style's expanded form)."""
    match = _PAGES.fullmatch(page)
    if match is None:
        return None
    first, last = match.groups()
    return first if last is None else f"{first}\u2013{last}"
