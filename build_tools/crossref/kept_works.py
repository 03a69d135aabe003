"""Cached Crossref works as a build reads them, kept between builds (core.output_cache).

Reading a cached work means parsing its JSON and neutralising its text (cache.work_from_bytes),
and every build reads every study's work again. What reading an entry gives is kept under a
hash of the entry's bytes and of the fields read, so a changed byte is a new key and a kept
answer is the one reading the file gives. A damaged entry, which reads as missing, is not kept.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from build_tools.core.output_cache import OutputCache, content_key, json_of
from build_tools.core.parallel import map_in_chunks
from build_tools.crossref.cache import (
    PARALLEL_FROM,
    CachedWork,
    entry_bytes,
    normalise_doi,
    read_cached_works,
    work_from_bytes,
)

KIND = "crossref-read"
FORMAT_VERSION = 1  # part of every key: raise it when reading an entry gives something else


def read_works_kept(cache_dir: Path, dois: list[str], fields: frozenset[str] | None,
                    kept: OutputCache | None) -> dict[str, CachedWork]:
    """`cache.read_cached_works(cache_dir, dois, fields)`, each entry read from `kept` when an
    earlier build read the same bytes; the rest read on every processor, and kept."""
    if kept is None:
        return read_cached_works(cache_dir, dois, fields)
    keys = {doi: entry_key(raw, fields) for doi in dois
            if (raw := entry_bytes(cache_dir, doi)) is not None}
    stored = kept.get_values(dict.fromkeys(keys.values(), ""))
    found: dict[str, CachedWork | None] = {}
    for doi, key in keys.items():
        value = stored.get(key)
        found[doi] = _kept_work(value) if value is not None else None
    missing = [doi for doi in keys if found[doi] is None]
    read = map_in_chunks(functools.partial(_read_keyed, cache_dir, fields), missing,
                         min_items=PARALLEL_FROM)
    for doi, (read_key, cached) in zip(missing, read, strict=True):
        found[doi] = cached
        if read_key is not None and cached is not None:
            kept.put(read_key, cached.to_dict())
    return {normalise_doi(doi): cached for doi in dois
            if (cached := found.get(doi)) is not None}


def entry_key(raw: bytes, fields: frozenset[str] | None) -> str:
    """What reading an entry gives depends on its bytes and the fields read, on nothing else."""
    return content_key(KIND, FORMAT_VERSION, sorted(fields) if fields is not None else None,
                       hashlib.sha256(raw).hexdigest())


def _kept_work(value: bytes) -> CachedWork | None:
    """A kept entry's work; None (a miss) if it is damaged or not of that shape."""
    data = json_of(value)
    try:
        return CachedWork.from_dict(data) if isinstance(data, dict) else None
    except (KeyError, TypeError):
        return None


def _read_keyed(cache_dir: Path, fields: frozenset[str] | None,
                dois: list[str]) -> list[tuple[str | None, CachedWork | None]]:
    """Each entry's key and work, from one reading of its bytes (a file changed since its key
    was made is kept under the key of what was read)."""
    results: list[tuple[str | None, CachedWork | None]] = []
    for doi in dois:
        raw = entry_bytes(cache_dir, doi)
        results.append((None, None) if raw is None
                       else (entry_key(raw, fields), work_from_bytes(raw, fields)))
    return results
