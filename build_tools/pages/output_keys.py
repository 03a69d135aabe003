"""The libraries whose behaviour is in the text of every kept page or row of a page: part of
each key (pages.study_pages, pages.study_rows) with the package's code (core.output_cache.
code_digest), so an upgrade or an edit is a miss, never a stale page."""

from __future__ import annotations

import functools
from importlib.metadata import version


@functools.cache
def library_versions() -> tuple[str, ...]:
    """The libraries whose behaviour is in a page's text: Jinja's rendering, MarkupSafe's
    escaping, Python-Markdown's heading ids (`render.anchor`)."""
    return tuple(version(name) for name in ("Jinja2", "MarkupSafe", "Markdown"))
