"""What `mkdocs serve` shows while the records are invalid: the problems, as the site's pages.

MkDocs' live server keeps every request waiting while a rebuild fails, and stops at once when the
first build fails. Under serve the plugin builds this small site instead: every page the last good
build had (and every hand-written page, and every unknown URL through the theme's 404 page)
lists the problems with their file, line and field. Fixing the file rebuilds the real site and
the browser reloads it. `livingreview build` and `mkdocs build` still fail on invalid records.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from build_tools.core import mdtext
from build_tools.core.errors import InvalidRecords, ReviewError
from build_tools.pages.page import Page

ERROR_THEME_DIR = Path(__file__).resolve().parents[1] / "assets" / "serve_errors"
INDEX = "index.md"
TITLE = "The site cannot be built"
# Our own words, written as HTML, which Markdown passes through (no record text in it).
ADVICE = ("Fix each problem and save the file: the preview rebuilds and this page is replaced by "
          "the site. <code>livingreview validate</code> lists the same problems.")


def problem_lines(error: ReviewError) -> list[str]:
    """One line per problem, exactly as `livingreview validate` prints them."""
    if isinstance(error, InvalidRecords):
        return [str(problem) for problem in error.problems]
    return [f"error: {error}"]


def problem_markdown(lines: Iterable[str]) -> str:
    """The problem page: each line inert text, so nothing in a record can become markup."""
    items = "\n".join(f"- <code>{mdtext.text(line)}</code>" for line in lines)
    return f"# {TITLE}\n\n<p>{ADVICE}</p>\n\n{items}\n"


def problem_html(lines: Iterable[str]) -> str:
    """The same list for the theme's 404 page, which MkDocs renders from a template."""
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (f"<h1>{html.escape(TITLE)}</h1><p>{ADVICE}</p>"
            f"<ul class=\"lr-problems\">{items}</ul>")


def problem_pages(lines: list[str], paths: Iterable[str]) -> tuple[Page, ...]:
    """The problem page at the home page and at every page path in `paths`."""
    content = problem_markdown(lines)
    wanted = dict.fromkeys([INDEX, *(p for p in paths if p.endswith(".md"))])
    return tuple(Page(path, content, nav=(TITLE,) if path == INDEX else None) for path in wanted)


def configure_problem_site(config: MkDocsConfig, lines: list[str]) -> None:
    """Navigation of one entry, and the problem list in the 404 page of every other URL."""
    config.nav = [{TITLE: INDEX}]
    config.extra["living_review_problems"] = problem_html(lines)
    config.theme.dirs.insert(0, str(ERROR_THEME_DIR))


def problem_files(files: Files, config: MkDocsConfig, pages: tuple[Page, ...]) -> Files:
    """Static files as they are; every documentation page replaced by the problem page."""
    kept = [file for file in files if not file.is_documentation_page()]
    content = (pages[0].content if pages else None) or problem_markdown([])
    paths = {page.path for page in pages}
    paths.update(file.src_uri for file in files if file.is_documentation_page())
    result = Files(kept)
    for path in sorted(paths):
        inclusion = InclusionLevel.UNDEFINED if path == INDEX else InclusionLevel.NOT_IN_NAV
        result.append(File.generated(config, path, content=content, inclusion=inclusion))
    return result
