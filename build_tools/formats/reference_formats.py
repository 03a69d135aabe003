"""The reference formats the site offers, in one list: the Downloads page (every study) and
"Cite this version" (the review itself) both write each of them. A new format is one entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from build_tools.formats.exports import (
    Items,
    bibtex_text,
    csl_json_entry,
    csl_json_file,
    csl_json_text,
    lines_file,
    ris_text,
)


@dataclass(frozen=True)
class ReferenceFormat:
    """A reference format: its name, what it is for, its file suffix and its writer (CSL-JSON
    items in, the file's text out). A file is also its items' one-item texts (`entry`) put
    together (`join`): a rebuild keeps each study's text and joins them (references.py)."""

    name: str
    description: str
    suffix: str
    write: Callable[[Items], str]
    entry: Callable[[dict[str, Any]], str]
    join: Callable[[Sequence[str]], str]


REFERENCE_FORMATS: tuple[ReferenceFormat, ...] = (
    ReferenceFormat("BibTeX", "for LaTeX, and reference managers that read BibTeX", "bib",
                    bibtex_text, lambda item: bibtex_text([item]), lines_file),
    ReferenceFormat("RIS", "for reference managers such as Zotero, EndNote and Mendeley", "ris",
                    ris_text, lambda item: ris_text([item]), lines_file),
    ReferenceFormat("CSL-JSON", "for citation processors (Pandoc, citeproc) and Zotero", "json",
                    csl_json_text, csl_json_entry, csl_json_file),
)
