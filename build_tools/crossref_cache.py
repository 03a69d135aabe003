"""The committed cache of Crossref works, one JSON file per DOI: builds never need the network."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote


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
    """A file name for any DOI: DOIs may hold `/`, `<`, `;` and other characters."""
    return cache_dir / f"{quote(normalise_doi(doi), safe='')}.json"


def read_cached_work(cache_dir: Path, doi: str) -> CachedWork | None:
    path = cache_path(cache_dir, doi)
    try:
        if not path.is_file():
            return None
    except OSError:  # no such file can exist (a long invalid DOI): validation reports the DOI
        return None
    try:
        return CachedWork.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError):
        return None  # a damaged cache entry is treated as missing; `fetch` will replace it


def read_cached_works(cache_dir: Path, dois: list[str]) -> dict[str, CachedWork]:
    """The cached works of these DOIs, keyed by normalised DOI; missing ones are left out."""
    works = {}
    for doi in dois:
        cached = read_cached_work(cache_dir, doi)
        if cached is not None:
            works[normalise_doi(doi)] = cached
    return works


def write_cached_work(cache_dir: Path, cached: CachedWork) -> Path:
    """Write atomically: a crash leaves either the old file or the new one, never half of one."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_path(cache_dir, cached.doi)
    text = json.dumps(cached.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
