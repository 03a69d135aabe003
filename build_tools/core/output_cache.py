"""A content-addressed store of per-study outputs, so a rebuild pays only for what changed.

Each entry is filed under the SHA-256 of everything that produced it (the input, the code's
format version, the library and style versions): a changed input is a new key, never a stale
answer, so the cache can only make a build faster, not different. It lives outside the project
(the user's cache folder), where no pull request can plant an entry.

All entries are rows of one SQLite database under the cache root (`outputs.sqlite3`), written in
batches: a cold build of 10,000 studies keeps some 40,000 outputs, and one file each cost more to
create than to compute (0.1-1 ms per file on this machine's disks, docs/performance.md). Values
are compressed. Whatever cannot be used counts as a miss: a missing or damaged row, a value too
large or of the wrong shape, a database that is a link, locked by another build, or not a
database at all (which is set aside as `outputs.sqlite3.damaged` and started afresh).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import stat
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

MAX_ENTRY_BYTES = 1024 * 1024  # a JSON value, uncompressed
ENVIRONMENT = "LIVINGREVIEW_CACHE_DIR"
DATABASE_NAME = "outputs.sqlite3"
FLUSH_ENTRIES = 1000  # rows written in one transaction
FLUSH_BYTES = 8 * 1024 * 1024  # compressed bytes held before they are written
READ_BATCH = 500  # keys asked for in one query (SQLite allows 32,766 parameters)
LOCK_TIMEOUT = 2.0  # seconds to wait for another build's write, then go without the cache

_TABLE = ("CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, key TEXT NOT NULL, "
          "tag TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID")


def default_cache_root() -> Path:
    """$LIVINGREVIEW_CACHE_DIR, else $XDG_CACHE_HOME/living-review, else ~/.cache/living-review."""
    configured = os.environ.get(ENVIRONMENT)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "living-review"


@functools.cache
def code_digest() -> str:
    """Every module and template of the package, as one hash: part of the key of every output
    our code writes (pages, rows, citations), so any edit to that code is a miss, never a stale
    output."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(path for pattern in ("*.py", "*.j2") for path in package.rglob(pattern)):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_key(*parts: Any) -> str:
    """The SHA-256 of the parts as canonical JSON: equal inputs, equal keys, on any machine."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def text_key(*parts: str) -> str:
    """The SHA-256 of text parts, each after its length: `content_key` for parts that are text
    already (a page's source, a record's repr), which it hashes without writing them as JSON."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class OutputCache:
    """One kind of output (`kind`, e.g. "references") under a cache root."""

    root: Path
    kind: str

    def get(self, key: str, valid: Callable[[Any], bool]) -> Any | None:
        """The stored JSON value of `key` if it is there, readable and `valid`; else None."""
        text = self.get_text(key, "", MAX_ENTRY_BYTES)
        if text is None:
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return value if valid(value) else None

    def put(self, key: str, value: Any) -> None:
        """Store a JSON value; a cache that cannot be written is simply not used."""
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except (ValueError, TypeError, RecursionError):
            return
        self.put_text(key, "", text, MAX_ENTRY_BYTES)

    def tag_of(self, key: str) -> str | None:
        """The tag `key` was stored with (what it was made from), without reading its value."""
        return _database(self.root).tag(self.kind, key)

    def get_text(self, key: str, tag: str, limit: int) -> str | None:
        """The text stored under `key` with `tag`, if it is at most `limit` bytes; else None."""
        found = _database(self.root).read(self.kind, key)
        if found is None or found[0] != tag:
            return None
        return text_of(found[1], limit)

    def get_texts(self, wanted: Mapping[str, str], limit: int) -> dict[str, str]:
        """`get_text` of many keys at once, each with the tag it must have (one query per
        READ_BATCH keys): the texts found, by key; a key missing from the answer is a miss."""
        texts = {key: text_of(value, limit) for key, value in self.get_values(wanted).items()}
        return {key: text for key, text in texts.items() if text is not None}

    def get_values(self, wanted: Mapping[str, str]) -> dict[str, bytes]:
        """The stored values of many keys, each with the tag it must have, as they are stored
        (compressed; `text_of` reads one): held until needed, they take a quarter of the
        memory of their text."""
        return {key: value for key, (tag, value)
                in _database(self.root).read_many(self.kind, list(wanted)).items()
                if tag == wanted[key]}

    def put_text(self, key: str, tag: str, text: str, limit: int) -> None:
        """Store `text` under `key`, replacing what was there, with `tag` saying what it was
        made from; text over `limit` bytes is not stored."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return
        if len(data) <= limit:
            _database(self.root).write(self.kind, key, tag, zlib.compress(data, 1))


def text_of(value: bytes, limit: int) -> str | None:
    """A stored value's text (`get_values`), or None if it is damaged or over `limit` bytes."""
    try:
        inflate = zlib.decompressobj()
        data = inflate.decompress(value, limit + 1)
        if len(data) > limit or inflate.unconsumed_tail or not inflate.eof:
            return None
        return data.decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return None


def flush_all() -> None:
    """Write every batch this process holds (a build calls it when it ends; so does exit)."""
    for database in list(_databases.values()):
        database.flush()


def close_all() -> None:
    """Write every batch and let go of every database (the next use opens it again)."""
    flush_all()
    for database in _databases.values():
        if database.connection is not None and database.process == os.getpid():
            database.connection.close()
    _databases.clear()


class _Database:
    """The database of one cache root in this process: opened on first use, writes batched."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process = os.getpid()
        self.connection: sqlite3.Connection | None = None
        self.unusable = False
        self.pending: dict[tuple[str, str], tuple[str, bytes]] = {}
        self.pending_bytes = 0

    def read(self, kind: str, key: str) -> tuple[str, bytes] | None:
        waiting = self.pending.get((kind, key))
        if waiting is not None:
            return waiting
        row = self._query("SELECT tag, value FROM entries WHERE kind = ? AND key = ?",
                          (kind, key))
        if row is None or not isinstance(row[0], str) or not isinstance(row[1], bytes):
            return None
        return row[0], row[1]

    def read_many(self, kind: str, keys: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """The (tag, value) of each key that has a well-formed row, pending ones included."""
        found = {key: self.pending[(kind, key)] for key in keys if (kind, key) in self.pending}
        wanted = [key for key in dict.fromkeys(keys) if key not in found]
        connection = self._connect()
        if connection is None:
            return found
        for start in range(0, len(wanted), READ_BATCH):
            batch = wanted[start:start + READ_BATCH]
            marks = ",".join("?" * len(batch))
            try:
                rows = connection.execute(
                    f"SELECT key, tag, value FROM entries WHERE kind = ? AND key IN ({marks})",
                    (kind, *batch)).fetchall()
            except sqlite3.Error:
                return found
            for key, tag, value in rows:
                if isinstance(key, str) and isinstance(tag, str) and isinstance(value, bytes):
                    found[key] = (tag, value)
        return found

    def tag(self, kind: str, key: str) -> str | None:
        waiting = self.pending.get((kind, key))
        if waiting is not None:
            return waiting[0]
        row = self._query("SELECT tag FROM entries WHERE kind = ? AND key = ?", (kind, key))
        return row[0] if row is not None and isinstance(row[0], str) else None

    def write(self, kind: str, key: str, tag: str, value: bytes) -> None:
        if self.unusable:
            return
        self.pending[(kind, key)] = (tag, value)
        self.pending_bytes += len(value)
        if len(self.pending) >= FLUSH_ENTRIES or self.pending_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """One transaction for the batch; if it cannot be written it is dropped (a cache)."""
        if not self.pending or os.getpid() != self.process:
            return
        rows = [(kind, key, tag, value) for (kind, key), (tag, value) in self.pending.items()]
        self.pending.clear()
        self.pending_bytes = 0
        connection = self._connect()
        if connection is None:
            return
        try:
            connection.execute("BEGIN")
            connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
            connection.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")

    def _query(self, sql: str, parameters: tuple[str, str]) -> Any:
        connection = self._connect()
        if connection is None:
            return None
        try:
            return connection.execute(sql, parameters).fetchone()
        except sqlite3.Error:
            return None

    def _connect(self) -> sqlite3.Connection | None:
        if self.connection is not None or self.unusable:
            return self.connection
        path = self.root / DATABASE_NAME
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.connection = _open(path)
        except sqlite3.OperationalError:  # locked by another build, a full disk: not now
            self.connection = None
        except sqlite3.DatabaseError:  # not a database at all
            self.connection = _open_afresh(path)
        except (OSError, sqlite3.Error):
            self.connection = None
        self.unusable = self.connection is None
        return self.connection


def _open(path: Path) -> sqlite3.Connection | None:
    """The database at `path` (made if absent), never through a link; None if it is a link or
    not a plain file. Raises sqlite3.DatabaseError if the file is not a database."""
    try:
        mode = os.lstat(path).st_mode
        if not stat.S_ISREG(mode):
            return None
    except FileNotFoundError:
        pass
    connection = sqlite3.connect(f"file:{quote(str(path))}?nofollow=1", uri=True,
                                 timeout=LOCK_TIMEOUT, isolation_level=None,
                                 check_same_thread=False)
    try:
        connection.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is a miss
        connection.execute(_TABLE)
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection


def _open_afresh(path: Path) -> sqlite3.Connection | None:
    """A damaged database is set aside (kept, for a look) and a new one started."""
    try:
        for suffix in ("", "-journal"):
            damaged = path.with_name(path.name + suffix)
            if os.path.lexists(damaged):
                os.replace(damaged, path.with_name(f"{path.name}{suffix}.damaged"))
        return _open(path)
    except (OSError, sqlite3.Error):
        return None


_databases: dict[tuple[Path, int], _Database] = {}


def _database(root: Path) -> _Database:
    """This process's database of `root` (a forked worker opens its own)."""
    key = (root, os.getpid())
    database = _databases.get(key)
    if database is None:
        database = _databases[key] = _Database(root)
    return database


atexit.register(flush_all)
