"""Parsed study files kept between builds (core.output_cache): a rebuild parses only what changed.

A file's parse is filed under its shown path and the SHA-256 of its bytes (and the parser's and
this format's versions), so a changed byte is a new key. The value is the data and the line of
each value as JSON. What JSON cannot carry exactly is tagged: a date `{"$date": …}`, a
date-time `{"$datetime": …}`, a float that is not finite `{"$float": <its 8 bytes>}`, and a
mapping whose only key starts with `$` is wrapped as `{"$dict": …}` so it is never read as a
tag; any other type is not kept, so what is kept reads back identical, types included. A file
with a problem is never kept: it is parsed again and the same located problem comes out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import struct
from collections.abc import Mapping
from typing import Any, TypeGuard

import yaml

from build_tools.core.errors import NotKept
from build_tools.core.output_cache import MAX_ENTRY_BYTES, OutputCache, content_key, text_of
from build_tools.records.yaml_source import MAX_DEPTH, FieldPath, YamlDocument, parse_yaml

KIND = "parsed-yaml"
FORMAT_VERSION = 1  # part of every key: raise it when yaml_source or this encoding changes
_DEPTH = MAX_DEPTH + 1  # a document holds at most MAX_DEPTH collections, one in another


def parse_yaml_cached(raw: bytes, display_path: str, cache: OutputCache | None) -> YamlDocument:
    """`parse_yaml(raw, display_path)`, read from `cache` when an earlier build kept it."""
    if cache is None:
        return parse_yaml(raw, display_path)
    key = cache_key(raw, display_path)
    document = kept_documents(cache, {key: display_path}).get(key)
    if document is None:
        document = parse_yaml(raw, display_path)  # a YamlProblem leaves before anything is kept
        keep_document(cache, key, encoded_document(document))
    return document


def cache_key(raw: bytes, display_path: str) -> str:
    """A file's key: its shown path, its bytes, the parser's and this format's versions."""
    return content_key(KIND, FORMAT_VERSION, yaml.__version__, display_path,
                       hashlib.sha256(raw).hexdigest())


def kept_documents(cache: OutputCache, wanted: Mapping[str, str]) -> dict[str, YamlDocument]:
    """The documents earlier builds kept under these keys (`wanted`: key → shown path; read in
    batches), by key; a missing or damaged entry is left out (a miss)."""
    found = {}
    for key, value in cache.get_values(dict.fromkeys(wanted, "")).items():
        text = text_of(value, MAX_ENTRY_BYTES)
        try:
            stored = json.loads(text) if text is not None else None
        except (ValueError, RecursionError):
            continue
        document = decoded_document(stored, wanted[key]) if _is_stored(stored) else None
        if document is not None:
            found[key] = document
    return found


def _is_stored(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and set(value) == {"data", "lines"}


def keep_document(cache: OutputCache, key: str, value: dict[str, Any] | None) -> None:
    """Keep an `encoded_document` (None: it cannot be kept exactly, so it is not)."""
    if value is not None:
        cache.put(key, value)


def encoded_document(document: YamlDocument) -> dict[str, Any] | None:
    """The document as JSON values, or None if it could not read back identical: `_encode`
    takes only the types it can restore exactly (a lone surrogate, which JSON cannot write, is
    simply not stored by OutputCache.put). tests/test_rebuild_caches.py checks the round trip
    on generated documents, types and key order included."""
    try:
        return {"data": _encode(document.data),
                "lines": [[list(path), line] for path, line in document.lines.items()]}
    except NotKept:
        return None


def decoded_document(value: dict[str, Any], display_path: str) -> YamlDocument | None:
    """The document a stored value holds; None if the value is not what `encoded_document`
    writes (a damaged or planted entry is a miss)."""
    try:
        return YamlDocument(display_path, _decode(value["data"], 0), _lines(value["lines"]))
    except NotKept:
        return None


def _encode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$float": struct.pack(">d", value).hex()}
    if kind is dt.date:
        return {"$date": value.isoformat()}
    if kind is dt.datetime:
        return {"$datetime": value.isoformat()}
    if kind is list:
        return [_encode(item) for item in value]
    if kind is dict:
        mapping = {}
        for name, item in value.items():
            if type(name) is not str:
                raise NotKept
            mapping[name] = _encode(item)
        if len(mapping) == 1 and next(iter(mapping))[:1] == "$":
            return {"$dict": mapping}  # not read as a tag
        return mapping
    raise NotKept


def _decode(value: Any, depth: int) -> Any:
    kind = type(value)  # json.loads makes exactly these types
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise NotKept  # written tagged, never as JSON's NaN or Infinity
        return value
    if depth >= _DEPTH:
        raise NotKept
    if kind is list:
        return [_decode(item, depth + 1) for item in value]
    if kind is not dict:
        raise NotKept
    if len(value) == 1 and next(iter(value))[:1] == "$":
        ((tag, content),) = value.items()
        return _tagged(tag, content, depth)
    return {name: _decode(item, depth + 1) for name, item in value.items()}


def _tagged(tag: str, content: Any, depth: int) -> Any:
    if tag == "$dict" and isinstance(content, dict) and len(content) == 1:
        return {name: _decode(item, depth + 1) for name, item in content.items()}
    if not isinstance(content, str):
        raise NotKept
    try:
        if tag == "$float" and len(content) == 16:
            number: float = struct.unpack(">d", bytes.fromhex(content))[0]
            if not math.isfinite(number):
                return number
        elif tag == "$date":
            return dt.date.fromisoformat(content)
        elif tag == "$datetime":
            return dt.datetime.fromisoformat(content)
    except ValueError:
        pass
    raise NotKept


def _lines(value: Any) -> dict[FieldPath, int]:
    """[[path, line], …] back to {path: line}: parts are names or list positions, lines from 1
    (plain type tests in one loop: this runs for every value of every file of a rebuild)."""
    if type(value) is not list:
        raise NotKept
    lines: dict[FieldPath, int] = {}
    try:
        for path, line in value:
            if type(path) is not list or type(line) is not int or line < 1 or len(path) > _DEPTH:
                raise NotKept
            for part in path:
                if type(part) is not str and (type(part) is not int or part < 0):
                    raise NotKept
            lines[tuple(path)] = line
    except (TypeError, ValueError):
        raise NotKept from None
    return lines
