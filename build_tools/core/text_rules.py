"""Characters no record may hold, and how to say so.

Control characters break the one-line messages, CSV rows and pages that carry record text, and
some (NUL, ESC) reach terminals and parsers downstream. Bidirectional embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069) make text display in another order than it is stored
(the "Trojan Source" attack, CVE-2021-42574), so a reviewer reading a record or its diff may not
see what is published: they are refused too. The single-character marks LRM, RLM and ALM
(U+200E, U+200F, U+061C) are kept: right-to-left text needs them and they reorder nothing.
Lone surrogates cannot be written as UTF-8 at all.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_BASE = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
         + BIDI_CONTROLS + _NONCHARACTERS)

RAW_FORBIDDEN = re.compile(f"[{_BASE}]")
"""In a file's text: a carriage return is allowed there, as part of a line end."""

VALUE_FORBIDDEN = re.compile(f"[\r{_BASE}]")
"""In a value or a field name: only tab and line feed of all control characters."""

LINK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
"""An id written as it is into link targets and anchors (themes, methods, model nodes)."""
LINK_ID_RULE = "letters, digits, - and _, starting with a letter or digit"

CONTROL_NAMES = {
    "\x00": "NUL", "\x07": "bell", "\x08": "backspace", "\x0b": "vertical tab",
    "\x0c": "form feed", "\r": "carriage return", "\x1b": "escape", "\x7f": "delete",
    "\x85": "next line",
}


def describe_character(char: str) -> tuple[str, str]:
    """(what is wrong, what to do) for one refused character."""
    code = f"U+{ord(char):04X}"
    if re.match(f"[{BIDI_CONTROLS}]", char):
        return (f"holds the bidirectional control {code} ({unicodedata.name(char)})",
                "remove it: it makes text display in another order than it is stored")
    if "\ud800" <= char <= "\udfff":
        return (f"holds a lone surrogate {code}",
                "remove it; write the character itself rather than an escape of half of it")
    if char in "\u2028\u2029":
        return (f"holds the {unicodedata.name(char).lower()} {code}",
                "use an ordinary line break")
    if unicodedata.category(char) != "Cc":
        return f"holds the noncharacter {code}", "remove it"
    name = f" ({CONTROL_NAMES[char]})" if char in CONTROL_NAMES else ""
    return (f"holds the control character {code}{name}",
            "remove it; of the control characters only tab and line breaks are allowed")


def clean_text(text: str) -> str:
    """Text from outside the project (Crossref) with refused characters neutralised.

    Lone surrogates become U+FFFD (they cannot be written out); the other refused characters
    are dropped, so a title shows what it says and in the order it is stored.
    """
    if (text.isascii() and text.isprintable()) or not VALUE_FORBIDDEN.search(text):
        return text  # the first test, in C, settles most values: printable ASCII is never refused
    return VALUE_FORBIDDEN.sub(
        lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", text)


_UNPRINTABLE = re.compile(f"[\t\n\r{_BASE}]")


def printable(text: str) -> str:
    """A name for a one-line message: refused characters, tab and newline as escapes."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
