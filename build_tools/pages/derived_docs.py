"""Files derived from the schema and review.yaml, committed so they can be read on GitHub:
the JSON Schema for editors, the data dictionary, and the eligibility criteria in CONTRIBUTING.md.

`livingreview docs` writes them; `livingreview docs --check` (and the tests) fail when one is out
of date, so they can never drift from the data they are made from.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from build_tools.core.errors import Code, InvalidRecords, Problem, StaleDocs
from build_tools.core.project import Project
from build_tools.evidence.review import Review, build_review
from build_tools.formats.json_schema import json_schema_path, render_json_schema
from build_tools.pages.data_dictionary import data_dictionary
from build_tools.records.load import load_records
from build_tools.records.schema import PackageSchema

ELIGIBILITY_METHOD = "eligibility"  # the id of the `methods` entry of review.yaml to show
BLOCK = re.compile(r"(<!-- generated: eligibility -->\n).*?(<!-- end generated -->)", re.S)


@dataclass(frozen=True)
class DerivedFile:
    path: Path
    content: str


def derived_files(project: Project) -> list[DerivedFile]:
    """What the derived files should contain now; nothing is written here."""
    records = load_records(project, only=set())
    if records.schema is None or records.review is None:
        raise InvalidRecords(list(records.problems))
    schema = PackageSchema.from_document(records.schema)
    source = project.display(project.schema_file)
    files = [
        DerivedFile(json_schema_path(project), render_json_schema(schema)),
        DerivedFile(data_dictionary_path(project), data_dictionary(schema, source)),
    ]
    contributing = contributing_path(project)
    if contributing.exists():
        text = contributing.read_text("utf-8")
        block = eligibility_markdown(build_review(records.review),
                                     project.display(project.review_file))
        if not BLOCK.search(text):
            raise InvalidRecords([Problem(
                project.display(contributing), 1, "(file)",
                "has no eligibility block to fill",
                "the two lines <!-- generated: eligibility --> and <!-- end generated -->",
                code=Code.NO_GENERATED_BLOCK)])
        files.append(DerivedFile(contributing,
                                 BLOCK.sub(lambda m: m.group(1) + block + m.group(2), text)))
    return files


def data_dictionary_path(project: Project) -> Path:
    return project.root / "docs" / "reference" / "data-dictionary.md"


def contributing_path(project: Project) -> Path:
    return project.root / "CONTRIBUTING.md"


def eligibility_markdown(review: Review, review_name: str = "review.yaml") -> str:
    """The review's own words on eligibility, quoted with their source, as a Markdown block."""
    entry = review.method(ELIGIBILITY_METHOD)
    if entry is None or entry.text is None or not entry.text.strip():
        return (f"> Not yet written: add a `methods` entry with `id: {ELIGIBILITY_METHOD}` to "
                f"`{review_name}`.\n")
    text = " ".join(entry.text.split())
    cited = review.sources.get(entry.source) if entry.source else None
    title = cited.title if cited else entry.source
    lines = [f"> {_inert(text)}", ">"]
    lines.append(f"> — from `{review_name}` (`methods` → `{ELIGIBILITY_METHOD}`)"
                 + (f"; source: {_inert(str(title))}" if title else ""))
    return "\n".join(lines) + "\n"


def _inert(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stale_files(project: Project) -> list[Path]:
    """Derived files whose committed text differs from what would be written now."""
    return [f.path for f in derived_files(project) if _committed_text(f.path) != f.content]


def check_derived_files(project: Project) -> None:
    """StaleDocs, naming each file, when a derived file is out of date (`docs --check`)."""
    stale = [project.display(path) for path in stale_files(project)]
    if stale:
        raise StaleDocs(stale)


def _committed_text(path: Path) -> str | None:
    """The file's text, or None when it is missing or not a regular file: a link or a named pipe
    is never read (a pipe would hang `docs --check`), and writing replaces it with a file."""
    if path.is_symlink() or not path.is_file():
        return None
    return path.read_text("utf-8")


def write_derived_files(project: Project) -> list[Path]:
    """Write the files that changed (atomically); returns them."""
    written = []
    for derived in derived_files(project):
        if _committed_text(derived.path) == derived.content:
            continue
        derived.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=derived.path.parent, prefix=".derived-")
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(derived.content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, derived.path)
        written.append(derived.path)
    return written
