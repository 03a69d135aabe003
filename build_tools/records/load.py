"""Load the review file and every study record, keeping file and line of each value."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from build_tools.core.errors import Code, Problem, YamlProblem
from build_tools.core.input_files import kind_of
from build_tools.core.output_cache import OutputCache, flush_all
from build_tools.core.parallel import map_in_chunks
from build_tools.core.project import Project
from build_tools.records.yaml_cache import (
    KIND,
    cache_key,
    encoded_document,
    keep_document,
    kept_documents,
)
from build_tools.records.yaml_source import YamlDocument, parse_yaml, read_yaml_bytes


@dataclass(frozen=True)
class Records:
    """What was read, plus the problems of the files that could not be read at all."""

    review: YamlDocument | None
    studies: tuple[YamlDocument, ...]
    schema: YamlDocument | None
    problems: tuple[Problem, ...]


def load_records(project: Project, only: set[Path] | None = None,
                 output_cache: Path | None = None) -> Records:
    """Read review.yaml, the schema and studies/*.yaml; a file that fails to read is a problem.
    With `output_cache`, a study file whose bytes an earlier build parsed is not parsed again
    (records.yaml_cache); the records are the same."""
    problems: list[Problem] = []
    cache = OutputCache(output_cache, KIND) if output_cache else None
    review = _read(project, project.review_file, problems)
    schema = _read(project, project.schema_file, problems)
    studies = []
    if only is None:
        problems += other_entries(project)
    paths = [path for path in study_files(project)
             if only is None or path.resolve() in only]
    for document, found in _read_studies(project, paths, cache):
        problems += found
        if document is not None:
            studies.append(document)
    return Records(review, tuple(studies), schema, tuple(problems))


PARALLEL_FROM = 400  # files to parse before forked workers pay for themselves (~0.5 ms each)
Parsed = tuple[YamlDocument | None, list[Problem]]


def _read_studies(project: Project, paths: list[Path],
                  cache: OutputCache | None) -> list[Parsed]:
    """Each file's document or problems, in order, read on every processor (core.parallel):
    each worker reads its share of the files, looks their documents up in the cache, and
    parses (and keeps) the rest."""
    files = [(path, project.display(path)) for path in paths]
    root = cache.root if cache is not None else None
    return map_in_chunks(functools.partial(_read_files, root), files, min_items=PARALLEL_FROM)


def _read_files(root: Path | None, files: list[tuple[Path, str]]) -> list[Parsed]:
    """Each (path, shown path)'s document or problems (module level, so a worker process can
    run it; a worker writes what it keeps itself, before it returns)."""
    cache = OutputCache(root, KIND) if root is not None else None
    results: list[Parsed] = []
    read: list[tuple[int, bytes, str, str | None]] = []
    for path, display in files:
        problems: list[Problem] = []
        raw = _read_bytes(path, display, problems)
        results.append((None, problems))
        if raw is not None:
            key = cache_key(raw, display) if cache is not None else None
            read.append((len(results) - 1, raw, display, key))
    kept = {} if cache is None else kept_documents(
        cache, {key: display for _, _, display, key in read if key is not None})
    for index, raw, display, key in read:
        document = kept.get(key) if key is not None else None
        results[index] = (document, []) if document is not None else _parsed(raw, display,
                                                                              key, cache)
    flush_all()
    return results


def _parsed(raw: bytes, display: str, key: str | None, cache: OutputCache | None) -> Parsed:
    """The file's document, kept under `key`, or the problems that stop it."""
    try:
        document = parse_yaml(raw, display)
    except YamlProblem as error:
        return None, list(error.problems)
    if key is not None and cache is not None:
        keep_document(cache, key, encoded_document(document))
    return document, []


STUDY_SUFFIXES = (".yaml", ".yml")
RECORD_NAMES = "study records are <id>.yaml files directly in studies/"


def study_files(project: Project) -> list[Path]:
    """Every study file, in a stable order. Hidden files (editors' lock files such as
    `.#x.yaml`, `.x.yaml.swp`) are never records; other entries are reported by other_entries."""
    if not project.studies_dir.is_dir() or project.studies_dir.is_symlink():
        return []
    return sorted((p for p in project.studies_dir.iterdir()
                   if p.suffix in STUDY_SUFFIXES and not p.name.startswith(".")), key=_by_name)


def _by_name(path: Path) -> str:
    """The order of entries of one folder (as Path's own order, without comparing parts)."""
    return path.name


def other_entries(project: Project) -> list[Problem]:
    """What else is in studies/: a record that would be silently left out is an error, the rest
    a warning. Hidden files and editors' backups (`x.yaml~`, `#x.yaml#`) are passed over."""
    folder = project.studies_dir
    if folder.is_symlink():
        return [Problem(project.display(folder), 1, "(folder)", "is a link",
                        "a plain folder in the project, so every record is reviewed with it",
                        code=Code.NOT_REGULAR_FILE)]
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.iterdir(), key=_by_name):
        name, display = path.name, project.display(path)
        if name.startswith(".") or name.endswith("~") or name.startswith("#"):
            continue
        if path.suffix.lower() in STUDY_SUFFIXES and path.suffix not in STUDY_SUFFIXES:
            problems.append(Problem(display, 1, "(file)", "is not read: the extension is not "
                                    "lower case", f"rename it to {path.stem}.yaml",
                                    code=Code.BAD_FILE_NAME))
        elif path.suffix not in STUDY_SUFFIXES and path.is_dir():  # a stat only if so
            problems.append(Problem(display, 1, "(folder)", "ignored, not a study record",
                                    RECORD_NAMES, "warning", code=Code.IGNORED_FILE))
        elif path.suffix not in STUDY_SUFFIXES:
            problems.append(Problem(display, 1, "(file)", "ignored, not a study record",
                                    RECORD_NAMES, "warning", code=Code.IGNORED_FILE))
    return problems


def _read(project: Project, path: Path, problems: list[Problem]) -> YamlDocument | None:
    display = project.display(path)
    raw = _read_bytes(path, display, problems)
    if raw is None:
        return None
    try:
        return parse_yaml(raw, display)
    except YamlProblem as error:
        problems.extend(error.problems)
        return None


def _read_bytes(path: Path, display: str, problems: list[Problem]) -> bytes | None:
    """A file's bytes, or None with the problem that stopped it (missing, a link, too big);
    `display` is how problems name the file."""
    if not path.exists():
        problems.append(Problem(display, 1, "(file)", "file not found", "see README.md",
                                code=Code.MISSING_FILE))
        return None
    if path.is_symlink() or not path.is_file():  # lstat only: a named pipe is never opened
        kind = kind_of(path.lstat().st_mode)
        problems.append(Problem(display, 1, "(file)", f"is {kind}, not a regular file",
                                "a plain file; links are not read",
                                code=Code.NOT_REGULAR_FILE))
        return None
    try:
        return read_yaml_bytes(path, display)
    except YamlProblem as error:
        problems.extend(error.problems)
        return None
