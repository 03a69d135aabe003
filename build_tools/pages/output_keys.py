"""What every kept page or row of a page is made with besides its data: this package's code and
templates, and the libraries whose behaviour is in the text. Part of each key
(pages.study_pages, pages.kept_rows), so an upgrade or an edit is a miss, never a stale page."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path


@functools.cache
def library_versions() -> tuple[str, ...]:
    """The libraries whose behaviour is in a page's text: Jinja's rendering, MarkupSafe's
    escaping, Python-Markdown's heading ids (`render.anchor`)."""
    return tuple(version(name) for name in ("Jinja2", "MarkupSafe", "Markdown"))


@functools.cache
def code_digest() -> str:
    """Every module and template of the package: a change to any of them is a new key."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(_source_files(package)):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _source_files(package: Path) -> Iterable[Path]:
    for pattern in ("*.py", "*.j2"):
        yield from package.rglob(pattern)
