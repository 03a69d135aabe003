"""Crossref titles carry JATS/HTML face markup; keep the safe formatting, strip everything else.

Titles such as "…detecting <i>KRAS</i> mutations" or "CO<sub>2</sub>" lose meaning as plain
text, but a record's markup must never reach the page raw. `safe_markup` is the only way a
Crossref string becomes markup: a fixed set of attribute-free tags, and every piece of text made
inert by `mdtext`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markupsafe import Markup

from build_tools.core import mdtext

# Source tag (HTML or JATS) → the tag we write. Nothing else survives, and no attribute does.
FACE_TAGS = {
    "i": "i", "em": "i", "jats:italic": "i",
    "b": "b", "strong": "b", "jats:bold": "b",
    "sub": "sub", "jats:sub": "sub",
    "sup": "sup", "jats:sup": "sup",
    "u": "u", "jats:underline": "u",
    "scp": "sc", "sc": "sc", "jats:sc": "sc",
}
OPEN = {"i": "<i>", "b": "<b>", "sub": "<sub>", "sup": "<sup>", "u": "<u>",
        "sc": '<span style="font-variant: small-caps">'}
CLOSE = {"i": "</i>", "b": "</b>", "sub": "</sub>", "sup": "</sup>", "u": "</u>",
         "sc": "</span>"}
DROPPED_WITH_CONTENT = {"script", "style", "jats:title", "mml:annotation"}


class _FaceParser(HTMLParser):
    """Tokens: ("text", str) with entities decoded, or ("open"/"close", our tag)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str]] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self._skipping += 1
        elif tag in FACE_TAGS and not self._skipping:
            self.tokens.append(("open", FACE_TAGS[tag]))

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self._skipping = max(0, self._skipping - 1)
        elif tag in FACE_TAGS and not self._skipping:
            self.tokens.append(("close", FACE_TAGS[tag]))

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.tokens.append(("text", data))


def _tokens(value: str) -> list[tuple[str, str]]:
    if "<" not in value and "&" not in value:
        # no tag and no reference: the parser would hand the whole value over as one text
        # (most names and titles; a parser each was most of the time of reading a work)
        return [("text", value)] if value else []
    return _parsed_tokens(value)


def _parsed_tokens(value: str) -> list[tuple[str, str]]:
    parser = _FaceParser()
    parser.feed(value)
    parser.close()
    return parser.tokens


def plain_text(value: str) -> str:
    """All markup stripped, entities decoded (&amp; → &), whitespace folded."""
    return " ".join("".join(t for kind, t in _tokens(value) if kind == "text").split())


def safe_markup(value: str) -> Markup:
    """The value with face markup kept (balanced, attribute-free) and all text inert."""
    parts: list[str] = []
    stack: list[str] = []
    pending_space = False
    for kind, token in _tokens(value):
        if kind == "text":
            if token[:1].isspace() and parts:
                pending_space = True
            words = " ".join(token.split())
            if words:
                if pending_space:
                    parts.append(" ")
                parts.append(str(mdtext.text(words)))
                pending_space = token[-1:].isspace()
        elif kind == "open":
            if pending_space:
                parts.append(" ")
                pending_space = False
            stack.append(token)
            parts.append(OPEN[token])
        elif token in stack:  # a close tag we opened: close any inner ones left open first
            while stack:
                inner = stack.pop()
                parts.append(CLOSE[inner])
                if inner == token:
                    break
    parts += [CLOSE[tag] for tag in reversed(stack)]
    text = "".join(parts)
    return Markup(re.sub(r"<(i|b|sub|sup|u)></\1>", "", text))
