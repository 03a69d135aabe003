"""The files of a new review project, read from the package data in assets/kinds/.

Each kind (qualitative, quantitative, bibliography) has its own review.yaml, schema and example
record; the rest (Makefile, mkdocs.yml, CI workflows, README, …) is shared in `common/`. Names
starting with a dot are stored as `dot-…` (a wheel's package data skips hidden files), and a few
`@@NAME@@` placeholders are filled in here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

from build_tools import __version__
from build_tools.core.mdtext import plain_title

KINDS = ("qualitative", "quantitative", "bibliography")
COMMON = "common"
HIDDEN_PREFIX = "dot-"
KIND_FILE = "kind.yaml"  # the kind's wording, not copied into the new review
PLACEHOLDER = re.compile(r"@@[A-Z_]+@@")


@dataclass(frozen=True)
class Wording:
    """How a kind of review names itself, for the files that are not data (README,
    CONTRIBUTING); read from assets/kinds/<kind>/kind.yaml."""

    name: str  # what the review is, after "a": "living bibliography"
    record: str  # one included record: study, trial, paper
    themes: str  # what review.yaml's `themes` are in this kind of review
    default_title: str  # the title when --title is not given

    @classmethod
    def of(cls, kind: str) -> Wording:
        data = yaml.safe_load(kinds_root().joinpath(kind, KIND_FILE).read_text("utf-8"))
        return cls(**{name: str(data[name]) for name in cls.__dataclass_fields__})


def kinds_root() -> Traversable:
    return resources.files("build_tools").joinpath("assets", "kinds")


def skeleton(kind: str, title: str | None, install: str) -> dict[str, str]:
    """Every file of a new `kind` project, {relative path: text}, placeholders filled in."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    words = Wording.of(kind)
    shown_title = title if title is not None else words.default_title
    values = {
        "@@TITLE_YAML@@": json.dumps(shown_title, ensure_ascii=False),  # JSON is YAML
        # MkDocs prints site_name as HTML: the theme's look-alikes for < > & " (core.mdtext)
        "@@SITE_NAME_YAML@@": json.dumps(plain_title(shown_title), ensure_ascii=False),
        "@@TITLE@@": shown_title,
        "@@INSTALL@@": install,
        "@@VERSION@@": __version__,
        "@@KIND@@": kind,
        "@@REVIEW_NAME@@": words.name,
        "@@STUDY@@": words.record,
        "@@THEMES@@": words.themes,
    }
    files: dict[str, str] = {}
    root = kinds_root()
    for part in (COMMON, kind):
        for path, text in _walk(root.joinpath(part), ""):
            if path != KIND_FILE:
                files[path] = _fill(text, values)
    return dict(sorted(files.items()))


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entry in folder.iterdir():
        name = entry.name
        if name == "__pycache__":
            continue
        if name.startswith(HIDDEN_PREFIX):
            name = "." + name[len(HIDDEN_PREFIX):]
        path = f"{prefix}{name}"
        if entry.is_dir():
            found += _walk(entry, path + "/")
        else:
            found.append((path, entry.read_text("utf-8")))
    return found


def _fill(text: str, values: dict[str, str]) -> str:
    """One pass, so a title that happens to hold `@@INSTALL@@` stays as written."""
    return PLACEHOLDER.sub(lambda found: values.get(found.group(0), found.group(0)), text)
