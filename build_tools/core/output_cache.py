"""A content-addressed store of per-study outputs, so a rebuild pays only for what changed.

Each entry is a small JSON value filed under the SHA-256 of everything that produced it (the
input, the code's format version, the library and style versions): a changed input is a new
key, never a stale answer, so the cache can only make a build faster, not different. It lives
outside the project (the user's cache folder), where no pull request can plant an entry; an
entry that is missing, a link, too large or not the expected shape counts as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build_tools.core.input_files import read_regular_file

MAX_ENTRY_BYTES = 1024 * 1024
ENVIRONMENT = "LIVINGREVIEW_CACHE_DIR"


def default_cache_root() -> Path:
    """$LIVINGREVIEW_CACHE_DIR, else $XDG_CACHE_HOME/living-review, else ~/.cache/living-review."""
    configured = os.environ.get(ENVIRONMENT)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "living-review"


def content_key(*parts: Any) -> str:
    """The SHA-256 of the parts as canonical JSON: equal inputs, equal keys, on any machine."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class OutputCache:
    """One kind of output (`kind` is a folder name) under a cache root."""

    root: Path
    kind: str

    @property
    def folder(self) -> Path:
        return self.root / self.kind

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, valid: Callable[[Any], bool]) -> Any | None:
        """The stored value of `key` if it is there, readable and `valid`; None otherwise."""
        raw = read_regular_file(self._path(key), MAX_ENTRY_BYTES)
        if raw is None:
            return None
        try:
            value = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            return None
        return value if valid(value) else None

    def put(self, key: str, value: Any) -> None:
        """Store `value` atomically; a cache that cannot be written is simply not used."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(value, out, ensure_ascii=False, separators=(",", ":"))
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return

