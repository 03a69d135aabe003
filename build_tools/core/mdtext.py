"""Put record text into Markdown as inert text: never HTML, never Markdown syntax, never a template.

Every ASCII punctuation mark that Markdown, its extensions, HTML or Jinja2 could give a meaning
to is written as a numeric character reference, which browsers show as the character itself.
Every value first loses its control and bidi characters (`neutral.neutralise`).

Python-Markdown's inline processing rebuilds the whole line for each reference it meets, so a
long value in inline context costs time quadratic in its length. Long record text therefore goes
into raw HTML blocks (`prose`, and the templates' raw tables and lists), which Markdown sets aside
whole without scanning them: linear, and just as inert.

TeX math between dollars in titles and prose (`math_text`) is the one markup made from record
text: a span we write around the TeX, itself inert text, which KaTeX renders in the browser.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup

from build_tools.core import identifiers, urls
from build_tools.core.neutral import neutralise, one_line
from build_tools.core.text_rules import LINK_ID

_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>&\"'~^=:$@%/;?")
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in _SPECIAL}  # str.translate: one C pass per value
# In an href: html.escape, then the two characters the URL rule allows that Markdown could act on.
_HREF = {ord("_"): "&#95;", ord("~"): "&#126;"}


def text(value: Any) -> Markup:
    """One line of inert text (newlines fold to spaces, as in a table cell)."""
    if isinstance(value, Markup):
        return value
    return Markup(one_line(value).translate(_ENTITIES))


# TeX math between single dollars, by Pandoc's rule (tex_math_dollars): the opening $ has no
# space after it, the closing $ none before it and no digit after it ("$5 and $10" is no math);
# \$ is a dollar sign, $$ no delimiter. The content cannot hold an unescaped $, so each match
# ends at the next $: linear in the text's length.
_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:[^$\\]|\\[^\n])+?)(?<![\s\\])\$(?![0-9$])")
MATH_CLASS = "arithmatex"  # what pymdownx.arithmatex writes in generic mode, and our script renders


def has_math(value: str) -> bool:
    return _MATH.search(value) is not None


def math_spans(value: str) -> list[tuple[int, int, str]]:
    """(start, end, TeX) of each span of math between dollars in `value` (BibTeX keeps them)."""
    return [(m.start(), m.end(), m.group(1)) for m in _MATH.finditer(value)]


def math_text(value: Any) -> Markup:
    """`text`, except that TeX between dollars becomes a math span for KaTeX to render.

    The span is written here, never taken from the record: its content is the TeX as inert
    text (every special character a numeric reference), between \\( and \\), the form
    pymdownx.arithmatex writes. The browser decodes the references, KaTeX reads the TeX as
    text (`trust` off: no links, classes or HTML from TeX) and nothing else sees markup.
    """
    if isinstance(value, Markup):
        return value
    folded = one_line(value)
    pieces, start = [], 0
    for match in _MATH.finditer(folded):
        pieces.append(folded[start:match.start()].translate(_ENTITIES))
        tex = ("\\(" + match.group(1) + "\\)").translate(_ENTITIES)
        pieces.append(f'<span class="{MATH_CLASS}">{tex}</span>')
        start = match.end()
    pieces.append(folded[start:].translate(_ENTITIES))
    return Markup("".join(pieces))


def paragraphs(value: Any) -> Markup:
    """Multi-line text: paragraphs kept (split on blank lines), everything else inert; TeX
    between dollars as math (`math_text`)."""
    parts = re.split(r"\n\s*\n", str(value).strip())
    return Markup("\n\n".join(math_text(part) for part in parts if part.strip()))


def prose(value: Any, css_class: str = "lr-prose") -> Markup:
    """Multi-line text as a raw HTML block (<div><p>…</p></div>) that Markdown leaves alone.

    Write it at the start of a line, after a blank line: only there does Python-Markdown set a
    block of raw HTML aside whole. Inside, every paragraph is `text`, so the block stays inert
    even where some other tool does scan it.
    """
    if isinstance(value, Markup):
        return Markup(f'<div class="{css_class}">\n<p>{value}</p>\n</div>')
    parts = re.split(r"\n\s*\n", str(value).strip())
    body = "\n".join(f"<p>{math_text(part)}</p>" for part in parts if part.strip())
    return Markup(f'<div class="{css_class}">\n{body}\n</div>')


def quotation(value: Any) -> Markup:
    """A passage quoted from a study: `prose`, but as a <blockquote>, so that readers and
    assistive technology know it is quoted; every paragraph stays inert text."""
    parts = re.split(r"\n\s*\n", str(value).strip())
    body = "\n".join(f"<p>{math_text(part)}</p>" for part in parts if part.strip())
    return Markup(f'<blockquote class="lr-excerpt">\n{body}\n</blockquote>')


def link(url: Any, label: Any = None) -> Markup:
    """A link only to an address the URL rule allows (urls.url_problem); anything else
    (javascript:, data:, Markdown inside the address, …) stays plain text."""
    shown = text(label if label is not None else url)
    address = urls.web_url(url)
    if address is None:
        return shown
    href = html.escape(address, quote=True).translate(_HREF)
    return Markup(f'<a href="{href}">{shown}</a>')


def slug(value: Any) -> Markup:
    """An id placed in a link target or anchor; ids are validated, so anything else is a bug."""
    if not isinstance(value, str) or not LINK_ID.match(value):
        raise ValueError(f"not a safe id for a link: {value!r}")
    return Markup(value)


def preformatted(value: Any) -> Markup:
    """A block of lines shown as they are (BibTeX, RIS): raw HTML that Markdown leaves alone,
    with every special character as a numeric reference, so nothing can close the block."""
    lines = neutralise(str(value)).splitlines()
    body = "\n".join(line.translate(_ENTITIES) for line in lines)
    return Markup(f"<pre><code>{body}</code></pre>")


_TITLE_LOOKALIKES = str.maketrans({"<": "‹", ">": "›", "&": "＆", '"': "”"})


def plain_title(value: Any) -> str:
    """A title for the theme's <title>, header and navigation, safe in every one of them.

    Material prints titles raw in some places and through `striptags` (which decodes entities)
    in <title>, so no escaping survives both: the four HTML-special characters are replaced by
    look-alike glyphs instead.
    """
    return one_line(html.unescape(str(value))).translate(_TITLE_LOOKALIKES)


def doi_url(doi: str) -> str:
    return urls.doi_url(doi)


def arxiv_url(identifier: str) -> str:
    return identifiers.arxiv_url(identifier)


def pubmed_url(pmid: str) -> str:
    return identifiers.pubmed_url(pmid)


def finalize(value: Any) -> Any:
    """Jinja2's last step for every {{ expression }}: text is made inert unless built as markup."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return text(value)
