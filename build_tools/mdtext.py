"""Put record text into Markdown as inert text: never HTML, never Markdown syntax, never a template.

Every ASCII punctuation mark that Markdown, its extensions, HTML or Jinja2 could give a meaning
to is written as a numeric character reference, which browsers show as the character itself.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>&\"'~^=:$@%/;?")
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in _SPECIAL}  # str.translate: one C pass per value
_WEB_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def text(value: Any) -> Markup:
    """One line of inert text (newlines fold to spaces, as in a table cell)."""
    if isinstance(value, Markup):
        return value
    folded = " ".join(str(value).split())
    return Markup(folded.translate(_ENTITIES))


def paragraphs(value: Any) -> Markup:
    """Multi-line text: paragraphs kept (split on blank lines), everything else inert."""
    parts = re.split(r"\n\s*\n", str(value).strip())
    return Markup("\n\n".join(text(part) for part in parts if part.strip()))


def link(url: Any, label: Any = None) -> Markup:
    """A link only to a web address; anything else (javascript:, data:, …) stays plain text."""
    shown = text(label if label is not None else url)
    if isinstance(url, str) and _WEB_URL.match(url):
        return Markup(f'<a href="{html.escape(url, quote=True)}">{shown}</a>')
    return shown


_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def slug(value: Any) -> Markup:
    """An id placed in a link target or anchor; ids are validated, so anything else is a bug."""
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ValueError(f"not a safe id for a link: {value!r}")
    return Markup(value)


def preformatted(value: Any) -> Markup:
    """A block of lines shown as they are (BibTeX, RIS): raw HTML that Markdown leaves alone,
    with every special character as a numeric reference, so nothing can close the block."""
    lines = str(value).splitlines()
    body = "\n".join("".join(f"&#{ord(c)};" if c in _SPECIAL else c for c in line)
                     for line in lines)
    return Markup(f"<pre><code>{body}</code></pre>")


_TITLE_LOOKALIKES = str.maketrans({"<": "‹", ">": "›", "&": "＆", '"': "”"})


def plain_title(value: Any) -> str:
    """A title for the theme's <title>, header and navigation, safe in every one of them.

    Material prints titles raw in some places and through `striptags` (which decodes entities)
    in <title>, so no escaping survives both: the four HTML-special characters are replaced by
    look-alike glyphs instead.
    """
    return " ".join(html.unescape(str(value)).split()).translate(_TITLE_LOOKALIKES)


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()")


def finalize(value: Any) -> Any:
    """Jinja2's last step for every {{ expression }}: text is made inert unless built as markup."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return text(value)
