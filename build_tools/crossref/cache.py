"""The committed cache of Crossref works, one JSON file per DOI: builds never need the network."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from build_tools.core.input_files import read_regular_file
from build_tools.core.parallel import map_in_chunks
from build_tools.core.text_rules import clean_text

MAX_NAME = 120  # characters of a cache file name before `.json`; file systems allow 255 bytes
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_ENTRY_BYTES = 16 * 1024 * 1024  # a work is a few KB; the client takes answers up to 16 MB
MAX_DEPTH = 64  # Crossref works nest a few levels; deeper is damage, and would recurse later


@dataclass(frozen=True)
class CachedWork:
    """A Crossref work exactly as received, and when it was retrieved."""

    doi: str
    retrieved: str
    work: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"doi": self.doi, "retrieved": self.retrieved, "work": self.work}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CachedWork:
        doi, retrieved, work = data["doi"], data["retrieved"], data["work"]
        if not (isinstance(doi, str) and isinstance(retrieved, str) and isinstance(work, dict)):
            raise TypeError("not a cache entry: doi and retrieved must be text, work an object")
        return cls(doi=doi, retrieved=retrieved, work=work)


def normalise_doi(doi: str) -> str:
    """DOIs are case-insensitive; the cache keys them lower-cased, without a resolver prefix."""
    text = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                   "http://dx.doi.org/", "doi:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    return text.lower()


def cache_path(cache_dir: Path, doi: str) -> Path:
    """A file name for any DOI: DOIs may hold `/`, `<`, `;` and other characters, and any length.

    The name is the percent-encoded DOI, readable in a listing; a name that would be longer than
    MAX_NAME keeps its first characters and ends in a hash of the whole DOI, so it stays unique.
    """
    raw = normalise_doi(doi).encode("utf-8", "surrogatepass")
    name = quote(raw, safe="")
    if len(name) > MAX_NAME or name in ("", ".", ".."):
        digest = hashlib.sha256(raw).hexdigest()[:32]
        start = name[: MAX_NAME - len(digest) - 1]
        if "%" in start[-2:]:  # keep whole %XX escapes
            start = start[: start.rindex("%")]
        name = f"{start}~{digest}"
    return cache_dir / f"{name}.json"


def read_cached_work(cache_dir: Path, doi: str,
                     fields: frozenset[str] | None = None) -> CachedWork | None:
    """The cached work of a DOI; an entry that cannot be read or used counts as missing.
    With `fields`, the work holds only those of its fields (names as cleaned), as it would
    after reading it whole: a build uses a few, and cleaning the rest (a reference list is
    most of a work's bytes) would be most of its cost.

    Only a regular file is read, never through a link (a link in a contributor's pull request
    could point at any file of the machine), and at most MAX_ENTRY_BYTES of it.
    """
    raw = read_regular_file(cache_path(cache_dir, doi), MAX_ENTRY_BYTES)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        return CachedWork.from_dict(_cleaned(data, fields))
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None  # a damaged cache entry is treated as missing; `fetch` will replace it


def _cleaned(data: Any, work_fields: frozenset[str] | None = None) -> Any:
    """The same JSON value with text neutralised (see text_rules.clean_text), its `work` only
    with `work_fields` if given; raises ValueError past MAX_DEPTH. A loop with a stack, not
    recursion, so no depth can crash it."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(data, root, 0, 1)]
    while stack:
        value, parent, key, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            copy: Any = {}
            keep = work_fields if depth == 2 and key == "work" else None
            for name, item in value.items():
                shown = clean_text(name)
                if keep is None or shown in keep:
                    stack.append((item, copy, shown, depth + 1))
        elif isinstance(value, list):
            copy = [None] * len(value)
            stack.extend((item, copy, index, depth + 1) for index, item in enumerate(value))
        else:
            copy = clean_text(value) if isinstance(value, str) else value
        parent[key] = copy
    return root[0]


PARALLEL_FROM = 400  # entries to read before forked workers pay (~0.5 ms each: JSON, cleaning)


def read_cached_works(cache_dir: Path, dois: list[str],
                      fields: frozenset[str] | None = None) -> dict[str, CachedWork]:
    """The cached works of these DOIs, keyed by normalised DOI, each with only `fields` if
    given (read_cached_work); missing ones are left out. Many are read on every processor
    (core.parallel), with the same result."""
    found = map_in_chunks(functools.partial(_read_works, cache_dir, fields), dois,
                          min_items=PARALLEL_FROM)
    return {normalise_doi(doi): cached for doi, cached in zip(dois, found, strict=True)
            if cached is not None}


def _read_works(cache_dir: Path, fields: frozenset[str] | None,
                dois: list[str]) -> list[CachedWork | None]:
    return [read_cached_work(cache_dir, doi, fields) for doi in dois]


def write_cached_work(cache_dir: Path, cached: CachedWork) -> Path:
    """Write atomically: a crash leaves either the old file or the new one, never half of one."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_path(cache_dir, cached.doi)
    text = json.dumps(cached.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    # A lone surrogate (a `\ud800` escape in Crossref's JSON) has no UTF-8 form: keep its escape.
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
