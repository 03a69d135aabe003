"""Characters no output may carry: controls, bidi overrides, and what XML 1.0 cannot hold.

The YAML loader refuses control characters in records, but Crossref works (from the network,
via the cache) and any future source reach the output without it. A control character makes
feed.xml not well-formed; a bidi override (U+202E) makes a title or a BibTeX entry read
differently from what it holds. Every writer passes its text through `neutralise` (defence in
depth): controls become a space, invisible direction marks and overrides are dropped.
"""

from __future__ import annotations

import re

# C0 (except tab, line feed, carriage return), DEL and C1 controls; lone surrogates and the
# noncharacters U+FFFE/U+FFFF (not XML 1.0 characters either).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidi embeddings, overrides, isolates and marks (Unicode Bidi_Control), which can reorder
# what a reader sees ("Trojan Source", CVE-2021-42574).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    """The text with controls as spaces and bidi controls removed; anything else unchanged."""
    if text.isprintable():  # the common case, one C pass (bidi controls are not printable)
        return text
    return _BIDI.sub("", _CONTROLS.sub(" ", text))


def one_line(value: object) -> str:
    """The value as one line of neutral text: runs of white space (line breaks included)
    become one space, ends trimmed. What table cells, references, search entries and drawings
    need from record text."""
    return " ".join(neutralise(str(value)).split())
