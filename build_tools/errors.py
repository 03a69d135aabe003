"""Problems found in input, and the small exception tree the CLI prints as one line."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
        return text

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
