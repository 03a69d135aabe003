"""Record text as the value of a BibTeX field: inert, except TeX math, which stays TeX.

Everything outside math is escaped: our table below for what pybtex's LaTeX encoder leaves
alone, with an empty group inside character pairs LaTeX would join (`--` stays two hyphens),
then pybtex's own encoder (`_ % # & ~`) when the entry is written. TeX between dollars
(`mdtext` finds it by the same rule as the site) is written as `{$…$}` with its TeX unchanged,
and the writer leaves it alone, so `$H \to b\bar{b}$` stays math in LaTeX. Math is kept only
when it is safe for BibTeX and LaTeX: balanced braces (BibTeX counts even escaped ones), none of
`$ % # &`, and no command that reads or writes files or defines commands; other math is
escaped like the rest of the text.
"""

from __future__ import annotations

import re
from typing import Any

from pybtex.database.output.bibtex import Writer

from build_tools.core.mdtext import math_spans

# Characters pybtex's LaTeX encoder leaves alone but BibTeX or LaTeX would act on. Braces become
# commands with balanced braces, because BibTeX counts even escaped braces.
_LATEX = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
          "$": r"\$", "^": r"\textasciicircum{}"}
_COMMAND = re.compile(r"\\([A-Za-z@]+|.)")
# Primitives and commands that read or write files, run programs, or (re)define things: a
# record's math may not hold them. Everything else in math mode only typesets.
UNSAFE_COMMANDS = frozenset({
    "input", "include", "InputIfFileExists", "IfFileExists", "openin", "openout", "read",
    "readline", "write", "immediate", "special", "directlua", "ShellEscape", "def", "edef",
    "gdef", "xdef", "let", "futurelet", "global", "long", "outer", "catcode", "lccode", "uccode",
    "csname", "endcsname", "expandafter", "noexpand", "afterassignment", "aftergroup",
    "newcommand", "renewcommand", "providecommand", "DeclareRobustCommand", "newenvironment",
    "renewenvironment", "usepackage", "RequirePackage", "documentclass", "makeatletter",
    "makeatother", "everypar", "everymath", "everydisplay", "everyhbox", "everyvbox", "output",
    "jobname", "end", "endinput", "begingroup", "endgroup", "loop", "url", "href", "verb",
    "scantokens", "detokenize", "meaning", "string", "uppercase", "lowercase", "number",
    "romannumeral", "tracingonline", "batchmode", "nonstopmode", "scrollmode", "errorstopmode",
})
_MATH_SPAN = re.compile(r"\{\$[^$]*\$\}")


def latex_text(value: str) -> str:
    """Text safe in a BibTeX field: no unbalanced brace, no command from the record outside
    math; math that `keeps_math` allows as `{$…$}`."""
    folded = " ".join(value.split())
    pieces, start = [], 0
    for begin, end, tex in math_spans(folded):
        if keeps_math(tex):
            pieces.append(_escape(folded[start:begin]))
            pieces.append("{$" + tex + "$}")
            start = end
    pieces.append(_escape(folded[start:]))
    return "".join(pieces)


def keeps_math(tex: str) -> bool:
    """Whether TeX from a record may stand as math in a .bib file."""
    if any(c in tex for c in "$%#&") or not _balanced(tex):
        return False
    return not any(name in UNSAFE_COMMANDS for name in _COMMAND.findall(tex))


def _balanced(tex: str) -> bool:
    depth = 0
    for c in tex:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


# Pairs of characters LaTeX's fonts join into another glyph (`--` is an en dash, ``` `` ``` an
# opening quote, `?`` an inverted question mark): an empty group between them keeps what the
# record says. (The escapes of _LATEX start with `\` and end with `}` or `$`, so they neither
# hold nor make such a pair: the pairs can be broken after escaping.)
_LIGATURES = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)|(?<=,)(?=,)"
                        r"|(?<=<)(?=<)|(?<=>)(?=>)")


def _escape(text: str) -> str:
    return _LIGATURES.sub("{}", "".join(_LATEX.get(c, c) for c in text))


# Fields biblatex reads verbatim: a URL's or a DOI's `_` or `%` must stay as it is (`\_` would
# be part of the address). A value is written so only when `verbatim_safe`: URLs and arXiv ids
# always are (their rules allow no brace, quote or backslash); a DOI that is not is escaped.
VERBATIM_FIELDS = frozenset({"url", "eprint", "doi"})
_NOT_VERBATIM = frozenset('{}"\\')


def field_text(name: str, value: str) -> str:
    """A field's value for the .bib file: as it is in a verbatim field when it can be, else
    escaped text (`latex_text`)."""
    return value if name in VERBATIM_FIELDS and verbatim_safe(value) else latex_text(value)


def verbatim_safe(value: str) -> bool:
    """Whether a value can stand in a .bib file as it is: one word, no brace, quote or
    backslash (which would end or break the field)."""
    return value != "" and value.split() == [value] and _NOT_VERBATIM.isdisjoint(value)


class MathWriter(Writer):
    """pybtex's BibTeX writer, which LaTeX-encodes text outside the `{$…$}` math we kept, and
    leaves verbatim fields alone."""

    def _write_field(self, stream: Any, type: str, value: str) -> None:
        if type in VERBATIM_FIELDS and verbatim_safe(value):
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)

    def _encode(self, text: str) -> str:
        pieces, start = [], 0
        for match in _MATH_SPAN.finditer(text):
            pieces.append(super()._encode(text[start:match.start()]))
            pieces.append(match.group())
            start = match.end()
        pieces.append(super()._encode(text[start:]))
        return "".join(pieces)
