"""The output cache's rows (core.output_cache), read and changed from outside, as another
process or a damaged disk would: the tests' view of what a build kept."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

from build_tools.core.output_cache import DATABASE_NAME, close_all


def _connection(root: Path) -> sqlite3.Connection:
    close_all()  # this process's batches written, its connection let go
    return sqlite3.connect(root / DATABASE_NAME)


def rows(root: Path, kind: str) -> dict[str, tuple[str, bytes]]:
    """Each key of `kind` with its tag and its stored (compressed) value."""
    if not (root / DATABASE_NAME).exists():
        return {}
    with _connection(root) as connection:
        found = connection.execute("SELECT key, tag, value FROM entries WHERE kind = ?",
                                   (kind,)).fetchall()
    return {key: (tag, value) for key, tag, value in found}


def texts(root: Path, kind: str) -> dict[str, str]:
    """Each key of `kind` with its value as text."""
    return {key: zlib.decompress(value).decode("utf-8")
            for key, (_, value) in rows(root, kind).items()}


def tags(root: Path, kind: str) -> dict[str, str]:
    return {key: tag for key, (tag, _) in rows(root, kind).items()}


def store_raw(root: Path, kind: str, key: str, value: bytes, tag: str = "") -> None:
    """Put `value` in as it is (not compressed): damage a value."""
    with _connection(root) as connection:
        connection.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                           (kind, key, tag, value))


def store_bytes(root: Path, kind: str, key: str, data: bytes, tag: str = "") -> None:
    """Put `data` in as a build would store it (compressed): plant or damage a value."""
    store_raw(root, kind, key, zlib.compress(data), tag)
