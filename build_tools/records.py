"""Load the review file and every study record, keeping file and line of each value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from build_tools.errors import Problem
from build_tools.project import Project
from build_tools.yaml_source import YamlDocument, YamlProblem, read_yaml_file


@dataclass(frozen=True)
class Records:
    """What was read, plus the problems of the files that could not be read at all."""

    review: YamlDocument | None
    studies: tuple[YamlDocument, ...]
    schema: YamlDocument | None
    problems: tuple[Problem, ...]


def load_records(project: Project, only: set[Path] | None = None) -> Records:
    """Read review.yaml, the schema and studies/*.yaml; a file that fails to read is a problem."""
    problems: list[Problem] = []
    review = _read(project, project.review_file, problems)
    schema = _read(project, project.schema_file, problems)
    studies = []
    for path in study_files(project):
        if only is not None and path.resolve() not in only:
            continue
        document = _read(project, path, problems)
        if document is not None:
            studies.append(document)
    return Records(review, tuple(studies), schema, tuple(problems))


def study_files(project: Project) -> list[Path]:
    """Every study file, in a stable order; other extensions are reported by validation."""
    if not project.studies_dir.is_dir():
        return []
    return sorted(p for p in project.studies_dir.iterdir() if p.suffix in {".yaml", ".yml"})


def _read(project: Project, path: Path, problems: list[Problem]) -> YamlDocument | None:
    display = project.display(path)
    if not path.exists():
        problems.append(Problem(display, 1, "(file)", "file not found", "see README.md"))
        return None
    if path.is_symlink() or not path.is_file():
        problems.append(
            Problem(display, 1, "(file)", "is a link or not a regular file", "a plain file")
        )
        return None
    try:
        return read_yaml_file(path, display)
    except YamlProblem as error:
        problems.append(error.problem)
        return None
