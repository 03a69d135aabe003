"""The one rule for every address the site links to: records, review.yaml, Crossref, DOIs.

A link is written as raw HTML (`<a href="…">`), and Python-Markdown runs its link, image,
backtick and escape patterns *before* it sets raw inline HTML aside, so Markdown syntax inside an
href becomes new elements whose quotes leave the attribute. An address is therefore linked only
when it is http(s), names a host, and holds no character that could leave an attribute or start
Markdown (or Jinja) syntax: every other character must be percent-encoded, which browsers and
servers read as the same address (RFC 3986 §2.1, §6.2.2).
"""

from __future__ import annotations

import re
import string
from typing import Any

# Letters, digits, RFC 3986's unreserved marks and the delimiters no Markdown or HTML syntax
# starts with. Not allowed unencoded: space and controls, " ' < > ` (leave an attribute or a
# tag), [ ] ( ) ! * \ { } | ^ $ (Markdown links, images, emphasis, escapes, attribute lists,
# tables, extensions, Jinja) and every non-ASCII character. `_` and `~` are unreserved and common
# in real addresses (display_record.php); `mdtext.link` writes them as character references, so
# Markdown never sees them either.
URL_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~/:?#@&=+,;%")
_SHAPE = re.compile(
    r"https?://"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?::[0-9]{1,5})?"
    r"(?:[/?#].*)?",
    re.IGNORECASE | re.DOTALL,
)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
WEB_ADDRESS = "a URL starting with https:// or http://"
ENCODING = ("percent-encode them; letters, digits and - . _ ~ / : ? # @ & = + , ; may stand as "
            "they are (e.g. a space as %20, ( as %28, ) as %29)")


def url_problem(value: Any) -> tuple[str, str] | None:
    """What is wrong with `value` as a link address and what is allowed, or None when it may be
    linked: the pair fills a Problem's message and its bracket."""
    if not isinstance(value, str):
        return f"{_show(value)} is not text", WEB_ADDRESS
    shown = _show(value)
    if not _SHAPE.fullmatch(value):
        return f"{shown} is not a web address", WEB_ADDRESS
    bad = sorted({c for c in value if c not in URL_CHARACTERS})
    if bad:
        listed = " ".join(_name(c) for c in bad[:5]) + (" …" if len(bad) > 5 else "")
        return f"{shown} has characters a link may not hold: {listed}", ENCODING
    if _BAD_ESCAPE.search(value):
        return (f"{shown} has a % that does not start a %XX escape",
                "write a % that is part of the address as %25")
    return None


def web_url(value: Any) -> str | None:
    """The address itself when the rule allows linking to it; otherwise None (shown as text)."""
    return value if url_problem(value) is None else None


def percent_encode(text: str, keep: str = "") -> str:
    """Every character outside URL_CHARACTERS (or inside it but not in `keep` when it is a
    delimiter such as # or ?) as UTF-8 %XX escapes."""
    safe = (URL_CHARACTERS - set("#?%&=+@,;")) | set(keep)
    return "".join(c if c in safe else "".join(f"%{b:02X}" for b in c.encode("utf-8"))
                   for c in text)


def doi_url(doi: str) -> str:
    """The https://doi.org/ address of a DOI, with every character the rule forbids encoded
    (DOIs may hold < > ( ) [ ] # and more: DOI Handbook 2.5.2.4)."""
    return "https://doi.org/" + percent_encode(doi, keep=";")


def _name(character: str) -> str:
    return repr(character) if character.isprintable() and character != " " else (
        f"U+{ord(character):04X}")


def _show(value: str) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
