"""Words shared by the validation messages: what a value is, and what the writer probably meant."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from typing import Any

QUOTE_MAPPING = "a colon followed by a space starts a mapping: put the whole text in quotes"
JOIN_LIST = 'write the items as one text, such as "a, b"'


def describe(value: Any) -> str:
    """What kind of YAML value this is, in words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    if value is None:
        return "empty"
    return type(value).__name__


def show(value: Any) -> str:
    """A value as one short line: lists and mappings by their kind, long text shortened."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value) if not isinstance(value, (list, dict)) else describe(value)
    return text if len(text) <= 60 else text[:57] + "..."


def found_instead(expected: str, value: Any) -> str:
    """`expected text, found a list`: a value of another kind than the place needs."""
    return f"expected {expected}, found {describe(value)}"


def container_remedy(value: list[Any] | dict[str, Any], expected: str, allowed: str) -> str:
    """What to do about a list or mapping where one value belongs: a mapping in text is most
    often an unquoted `: `; a list in text, items that belong in one text."""
    if expected == "text" and isinstance(value, dict):
        return QUOTE_MAPPING
    if expected == "text" and allowed == "text":
        return JOIN_LIST
    return allowed


def unknown_field(key: str, known: Iterable[str]) -> tuple[str, str]:
    """(message, allowed) for a key no table or block defines, naming the nearest known one."""
    names = sorted(known)
    lowered = {name.lower(): name for name in names}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.75)
    message = f"unknown field; did you mean {lowered[close[0]]}?" if close else "unknown field"
    return message, "one of: " + ", ".join(names)
