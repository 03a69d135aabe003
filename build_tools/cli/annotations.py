"""Problems as GitHub Actions workflow commands, so each one appears inline on a pull request.

Escaping follows GitHub's rules for workflow commands (actions/toolkit, `command.ts`): in the
message `%`, CR and LF are percent-encoded; in a property value `:` and `,` are too, since they
separate properties. https://docs.github.com/actions/reference/workflow-commands-for-github-actions
Other control characters (ESC, which the log viewer reads as colour codes, bidi overrides) are
written as visible escapes first (`\\x1b`), so no input can forge or hide part of a log line.
"""

from __future__ import annotations

from collections.abc import Iterable

from build_tools.core.errors import Problem, escape_controls

_DATA_ESCAPES = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY_ESCAPES = (*_DATA_ESCAPES, (":", "%3A"), (",", "%2C"))


def escape_data(value: str) -> str:
    """A message: `%` first, so the escapes added after it are not escaped again."""
    value = escape_controls(value, keep="\r\n")
    for raw, escaped in _DATA_ESCAPES:
        value = value.replace(raw, escaped)
    return value


def escape_property(value: str) -> str:
    """A property value (file, title): also `:` and `,`, which separate properties."""
    value = escape_controls(value, keep="\r\n")
    for raw, escaped in _PROPERTY_ESCAPES:
        value = value.replace(raw, escaped)
    return value


def annotation(problem: Problem) -> str:
    """One `::error file=…,line=…,title=…::message` line (`::warning` for warnings); the title
    is the field and the problem's code: `curation_status [not-allowed]`."""
    message = problem.message
    if problem.allowed:
        message += f" ({problem.allowed})"
    properties = ",".join([
        f"file={escape_property(problem.file)}",
        f"line={max(problem.line, 1)}",
        f"title={escape_property(f'{problem.field} [{problem.code}]')}",
    ])
    return f"::{problem.severity} {properties}::{escape_data(message)}"


def github_annotations(problems: Iterable[Problem]) -> list[str]:
    return [annotation(problem) for problem in problems]
