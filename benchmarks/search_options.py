"""How much of a study page to put in the search index: build time, index size, site size.

Used by `python benchmarks/build_scaling.py --options N`. Each variant rewrites the generated
study pages of one synthetic review (the floor project, no plugin) and runs a bare MkDocs build
in a fresh process. Material's search plugin drops a section whose heading carries
`{ data-search-exclude }` and a page whose front matter sets `search: {exclude: true}`.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

MARK = " { data-search-exclude }"
HEADING = re.compile(r"(?m)^(## [^\n{]*?)(?: \{ data-search-exclude \})?$")
DETAIL_SECTIONS = ("Study characteristics", "Contribution to the synthesis", "Appraisal",
                   "Sources of this record")

VARIANTS: dict[str, Callable[[str], str]] = {}


def variant(name: str) -> Callable[[Callable[[str], str]], Callable[[str], str]]:
    def register(function: Callable[[str], str]) -> Callable[[str], str]:
        VARIANTS[name] = function
        return function
    return register


def _exclude(page: str, keep: Callable[[str], bool]) -> str:
    return HEADING.sub(lambda m: m.group(1) if keep(m.group(1)[3:].strip())
                       else m.group(1) + MARK, page)


@variant("whole study pages indexed")
def whole(page: str) -> str:
    return _exclude(page, lambda _: True)


@variant("title, lead and citation indexed (chosen)")
def citation_only(page: str) -> str:
    return _exclude(page, lambda title: title not in DETAIL_SECTIONS)


@variant("title and lead only")
def title_only(page: str) -> str:
    return _exclude(page, lambda _: False)


@variant("study pages not indexed")
def excluded(page: str) -> str:
    page = whole(page)
    if page.startswith("---\nsearch:\n"):
        return page.replace("---\nsearch:\n", "---\nsearch:\n  exclude: true\n", 1)
    return "---\nsearch:\n  exclude: true\n---\n\n" + page


def compare_search_options(count: int, workdir: Path,
                           run_child: Callable[[list[str]], tuple[float, int, str]]) -> None:
    root, floor = workdir / f"review-{count}", workdir / f"floor-{count}"
    run_child(["--generate", str(count), str(root)])
    run_child(["--measure", str(root), str(floor)])
    rows = []
    for name, transform in VARIANTS.items():
        copy = workdir / f"variant-{len(rows)}"
        shutil.copytree(floor, copy, ignore=shutil.ignore_patterns("site"))
        for page in (copy / "docs" / "studies").glob("*.md"):
            if page.name != "index.md":
                page.write_text(transform(page.read_text("utf-8")), "utf-8")
        _, peak, text = run_child(["--floor", str(copy)])
        rows.append((name, json.loads(text), peak, _sizes(copy / "site")))
    print(f"Search-index options, {count:,} synthetic studies (bare MkDocs build)\n")
    print("| Variant | MkDocs s | peak MB | search index MB | per study KB | site MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, seconds, peak, sizes in rows:
        print(f"| {name} | {seconds:.1f} | {peak / 2**20:.0f} | {sizes['index'] / 2**20:.2f} | "
              f"{sizes['index'] / count / 1024:.2f} | {sizes['site'] / 2**20:.1f} |")


def _sizes(site: Path) -> dict[str, Any]:
    index = site / "search" / "search_index.json"
    return {"index": index.stat().st_size if index.exists() else 0,
            "site": sum(p.stat().st_size for p in site.rglob("*") if p.is_file())}
