"""Shared fixtures: a copy of a complete review project in tmp_path, and a record factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from build_tools.project import Project

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def copy_project(source: Path, target: Path) -> Project:
    """A complete project (review.yaml, schema, studies, mkdocs.yml, docs) under `target`."""
    for name in ("review.yaml", "mkdocs.yml"):
        if (source / name).exists():
            shutil.copy(source / name, target / name)
    for name in ("schema", "studies", "docs", "cache"):
        if (source / name).exists():
            shutil.copytree(source / name, target / name)
    (target / "studies").mkdir(exist_ok=True)
    return Project.at(target)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The shipped review, copied so tests may change it."""
    return copy_project(REPO, tmp_path)


@pytest.fixture
def write_study(project: Project) -> Callable[..., Path]:
    """Write studies/<id>.yaml from a minimal valid record plus overrides (None drops a key)."""

    def write(study_id: str = "smith2020", **overrides: Any) -> Path:
        record: dict[str, Any] = {
            "id": study_id,
            "title": "A synthetic study for tests",
            "perspective": "client",
            "sources": [{"description": "Test fixture, not a real study"}],
        }
        record.update(overrides)
        record = {k: v for k, v in record.items() if v is not None}
        path = project.studies_dir / f"{study_id}.yaml"
        path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), "utf-8")
        return path

    return write


@pytest.fixture
def write_file(project: Project) -> Callable[[str, str | bytes], Path]:
    """Write raw text or bytes to a path inside the project (for malformed input)."""

    def write(relative: str, content: str | bytes) -> Path:
        path = project.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver listens on 127.0.0.1 only (its default is `localhost`)."""
    return ("127.0.0.1", 0)
