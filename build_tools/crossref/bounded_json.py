"""Read JSON from the network strictly: UTF-8 only, bounded nesting and size, no NaN.

Python's json module decodes invalid UTF-8 leniently when asked for text, recurses until
RecursionError on deeply nested input, accepts NaN and Infinity (not JSON), and keeps unpaired
surrogates (`\\ud800`) that cannot be written back as UTF-8. Each is refused here with where it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from build_tools.core.errors import JsonRefused

MAX_DEPTH = 64  # Crossref works nest about 6 deep
MAX_CONTAINERS = 500_000  # objects and arrays: each costs ~60 bytes of memory once parsed
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _where(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


def load_json(body: bytes, max_depth: int = MAX_DEPTH,
              max_containers: int = MAX_CONTAINERS) -> Any:
    """The JSON value of a UTF-8 body, or JsonRefused."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonRefused(f"invalid UTF-8 at byte {error.start:,}") from None
    depth = containers = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            containers += 1
            if depth > max_depth:
                raise JsonRefused(f"nested deeper than {max_depth} levels at "
                                  f"{_where(text, match.start())}")
            if containers > max_containers:
                raise JsonRefused(f"more than {max_containers:,} objects and arrays")
        elif token in "]}":
            depth -= 1
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise JsonRefused(f"not JSON: {error.msg} at line {error.lineno}, "
                          f"column {error.colno}", final=False) from None
    except RecursionError:  # the scan above should make this unreachable; never a traceback
        raise JsonRefused("nested too deeply to read") from None
    path = _unpaired_surrogate(value, "")
    if path is not None:
        shown = path.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:200]
        raise JsonRefused("an unpaired surrogate (\\ud800-\\udfff escape) in "
                          f"{shown or 'the text'}")
    return value


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON value")


def _unpaired_surrogate(value: Any, path: str) -> str | None:
    """The path of the first string (or key) holding a lone surrogate; depth is bounded above."""
    if isinstance(value, str):
        return path if not value.isascii() and _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not key.isascii() and _SURROGATE.search(key):
                return where
            found = _unpaired_surrogate(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _unpaired_surrogate(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
