"""Problems found in input, and the small exception tree the CLI prints as one line."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# Characters that move the cursor, start a new line or reorder text: printed raw they could
# forge a line of output (a fake "valid" verdict, a fake annotation) or hide part of one.
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_REORDERING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                        "\u2066\u2067\u2068\u2069")


def _visible(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if ord(char) < 0x100:
        return f"\\x{ord(char):02x}"
    return f"\\u{ord(char):04x}"


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _REORDERING


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with control characters written as visible escapes (`\\n`, `\\x1b`, `\\u202e`),
    so a name or key from the input cannot forge or hide a line of our output."""
    if text.isprintable():  # the common case: nothing to escape
        return text
    return "".join(_visible(c) if _is_control(c) and c not in keep else c for c in text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located to a file, a line and a field."""

    file: str
    line: int
    field: str
    message: str
    allowed: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.field}: {self.message}"
        if self.allowed:
            text += f" ({self.allowed})"
        if self.severity == "warning":
            text = f"warning: {text}"
        return escape_controls(text)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class ReviewError(Exception):
    """A known failure the CLI reports in one line, without a traceback."""


class InvalidRecords(ReviewError):
    """The records did not validate; carries every problem so all are shown at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(errors)} problem(s) in the records:\n{lines}")


class BuildError(ReviewError):
    """The site could not be built; the previous site is left as it was."""
