"""Problems found in input, their codes, and every exception class of the package.

One module, so the tree is visible at once: `ReviewError` and its subclasses are known failures
the CLI prints as one line; the others (`YamlProblem`, `TransportError`, `Interrupted`,
`WaitCancelled`, `JsonRefused`) are signals caught inside one stage and never reach the user.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
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


class Code(StrEnum):
    """The stable code of every Problem: tools and tests match these, not the English text.

    Each is documented in docs/reference/problem-codes.md (a test checks both ways)."""

    # Reading files (records/yaml_source.py, records/load.py, core/input_files.py)
    MISSING_FILE = "missing-file"
    NOT_REGULAR_FILE = "not-regular-file"
    REFUSED_FILE = "refused-file"
    UNREADABLE_FILE = "unreadable-file"
    FILE_TOO_LARGE = "file-too-large"
    BAD_FILE_NAME = "bad-file-name"
    IGNORED_FILE = "ignored-file"
    NOT_UTF8 = "not-utf8"
    CONTROL_CHARACTER = "control-character"
    TAB_INDENTATION = "tab-indentation"
    YAML_SYNTAX = "yaml-syntax"
    YAML_ALIAS = "yaml-alias"
    YAML_TAG = "yaml-tag"
    EMPTY_FILE = "empty-file"
    BAD_KEY = "bad-key"
    DUPLICATE_KEY = "duplicate-key"
    TOO_DEEP = "too-deep"
    UNREADABLE_VALUE = "unreadable-value"
    # The schema itself (records/schema.py)
    BAD_SCHEMA = "bad-schema"
    # Records against the schema and review.yaml's format (records/validate.py, review_*.py)
    NOT_A_MAPPING = "not-a-mapping"
    NOT_A_LIST = "not-a-list"
    UNKNOWN_FIELD = "unknown-field"
    WRONG_TYPE = "wrong-type"
    MISSING_FIELD = "missing-field"
    TOO_FEW_ITEMS = "too-few-items"
    FUTURE_DATE = "future-date"
    ID_NOT_FILE_NAME = "id-not-file-name"
    BAD_DOI = "bad-doi"
    DOI_LINK = "doi-link"
    DUPLICATE_DOI = "duplicate-doi"
    BAD_ARXIV = "bad-arxiv"
    BAD_PMID = "bad-pmid"
    BAD_ENTRY_TYPE = "bad-entry-type"
    BAD_CITATION_KEY = "bad-citation-key"
    DUPLICATE_IDENTIFIER = "duplicate-identifier"
    DUPLICATE_VALUE = "duplicate-value"
    DUPLICATE_ROW = "duplicate-row"
    BAD_URL = "bad-url"
    UNDEFINED_REFERENCE = "undefined-reference"
    NOT_ALLOWED = "not-allowed"
    CONSTRAINT_FAILED = "constraint-failed"
    TOO_LONG = "too-long"
    DUPLICATE_FINDING = "duplicate-finding"
    CONFLICTING_FIELDS = "conflicting-fields"
    FRICTIONLESS_ERROR = "frictionless-error"
    EXAMPLE_RECORD = "example-record"
    # Agreement with the Crossref cache (crossref/metadata_checks.py; warnings)
    DIFFERS_FROM_CROSSREF = "differs-from-crossref"
    # Files derived from the schema (pages/derived_docs.py)
    NO_GENERATED_BLOCK = "no-generated-block"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located to a file, a line and a field."""

    file: str
    line: int
    field: str
    message: str
    allowed: str = ""
    severity: Severity = "error"
    # required, and keyword-only: every problem says which kind it is (`field` is taken above)
    code: Code = dataclasses.field(kw_only=True)

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.field}: {self.message}"
        if self.allowed:
            text += f" ({self.allowed})"
        if self.severity == "warning":
            text = f"warning: {text}"
        return escape_controls(text)

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field,
                "message": self.message, "allowed": self.allowed, "severity": self.severity,
                "code": str(self.code)}


class ReviewError(Exception):
    """A known failure the CLI reports in one line, without a traceback."""


class InvalidRecords(ReviewError):
    """The records did not validate; carries every problem so all are shown at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(errors)} problem(s) in the records:\n{lines}")


class InitRefused(ReviewError):
    """`livingreview init` refused its target (or could not write it); nothing was written."""


class BuildError(ReviewError):
    """The site could not be built; the previous site is left as it was."""


class ProjectError(ReviewError):
    """The folder given as the project is missing or is not a review project."""


class GitError(ReviewError):
    """A git command failed (not a repository, an unknown base, git missing); the message
    carries git's own words or what to do."""


class StaleDocs(ReviewError):
    """A derived file differs from what the schema and review.yaml make now."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__("\n".join(f"{escape_controls(name)}: out of date; run: livingreview docs"
                                   for name in names))


class ReleaseError(ReviewError):
    """A release or verification was refused or failed; nothing was changed."""


class DeployError(ReviewError):
    """mike could not publish the version; the gh-pages branch was left as it was."""


class CrossrefError(ReviewError):
    """A request to Crossref that did not give an answer we can use."""


class RequestFailed(CrossrefError):
    """One request gave up after its tries, or got an answer that retrying cannot change."""

    def __init__(self, message: str, gave_up: bool = False, advice: str | None = None) -> None:
        super().__init__(message)
        self.gave_up = gave_up  # True: the server kept failing; False: it refused this request
        self.advice = advice  # what to do instead, when retrying later will not help


class RunStopped(CrossrefError):
    """The whole run stopped: no further request is sent. The message says what to do next."""


class TooManyFailures(RunStopped):
    """Crossref's advice: when 10% of requests fail, stop and find out why."""


class Unreachable(RunStopped):
    """Crossref was never reached in this run: no network, a wrong address, or a closed port."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # what failed: the host lookup, the connection, ...


class CacheWriteFailed(ReviewError):
    """A fetched work could not be written (a full disk, no permission): the run stops."""


class NewStudyError(ReviewError):
    """The record could not be started; nothing was written."""


class WrittenWithoutCitation(NewStudyError):
    """Crossref gave no work, so the record was written with its citation left to fill in."""


# Signals caught inside one stage; they never reach the CLI.


class YamlProblem(Exception):
    """Raised inside the YAML loader; carries the located problem (or several, first first)."""

    def __init__(self, problem: Problem, *more: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.problems = (problem, *more)


class JsonRefused(ValueError):
    """The body is not JSON we accept; the message says where and why. `final`: the body was
    whole but is refused (asking again gives the same); otherwise it may have been cut short."""

    def __init__(self, message: str, final: bool = True) -> None:
        super().__init__(message)
        self.final = final


class TransportError(Exception):
    """No usable HTTP answer. `retryable`: another try may work; `unreachable`: the server
    was never reached (host lookup failed, connection refused, no route)."""

    def __init__(self, message: str, retryable: bool = True, unreachable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.unreachable = unreachable


class Interrupted(Exception):
    """The transport was cancelled (Ctrl-C, or the run stopped) while this request waited."""


class WaitCancelled(Exception):
    """The run was cancelled while this thread waited for its turn."""


class NotKept(Exception):
    """A value the output cache cannot keep exactly, or a kept value of the wrong shape
    (records.yaml_cache): never seen outside it, it makes a miss."""
