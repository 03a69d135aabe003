"""Shared fixtures: a scenario review project copied into tmp_path, and record writers."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from build_tools.core.output_cache import ENVIRONMENT, close_all
from build_tools.core.project import Project
from tests.browser import chromium
from tests.factories import (
    DEFAULT_SCENARIO,
    REPO,
    SCENARIOS,
    copy_project,
    make_project,
    make_record,
    write_record,
)

__all__ = ["REPO", "SCENARIOS", "copy_project", "make_project"]


HARDENING_DIR = Path(__file__).parent / "hardening"


_MADE_CACHE: list[str] = []  # the cache folder this run made, removed when it ends


def pytest_configure(config: pytest.Config) -> None:
    # Builds keep their outputs between runs; the tests' go to a folder of their own, never
    # the user's ~/.cache (subprocesses inherit it), and it goes when the run ends.
    if not os.environ.get(ENVIRONMENT):
        folder = tempfile.mkdtemp(prefix="lr-test-cache-")
        os.environ[ENVIRONMENT] = folder
        _MADE_CACHE.append(folder)
    config.addinivalue_line(
        "markers", "scenario(name): the `project` fixture copies tests/scenarios/<name>")


def pytest_unconfigure(config: pytest.Config) -> None:
    close_all()  # nothing left to write into the folder when the process exits
    for folder in _MADE_CACHE:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/hardening is a hardening case, marked or not."""
    for item in items:
        if HARDENING_DIR in item.path.parents:
            item.add_marker(pytest.mark.hardening)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many hostile-input cases ran (docs/reliability.md quotes this count)."""
    outcomes: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") in ("call", "setup") and \
                    "hardening" in getattr(report, "keywords", {}):
                if report.when == "setup" and outcome == "passed":
                    continue
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    total = sum(outcomes.values())
    if total:
        detail = ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items()))
        terminalreporter.write_line(f"hardening cases run: {total} ({detail})")


@pytest.fixture
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Project:
    """A scenario project in tmp_path: tests/scenarios/alliance-review (a copy of the shipped
    review's studies, owned by the tests) unless `@pytest.mark.scenario("<name>")` names another.
    Never the repository's live studies/, review.yaml or cache/."""
    marker = request.node.get_closest_marker("scenario")
    return make_project(tmp_path, marker.args[0] if marker else DEFAULT_SCENARIO)


@pytest.fixture
def write_study(project: Project) -> Callable[..., Path]:
    """Write studies/<id>.yaml from a minimal valid record plus overrides (None drops a key)."""

    def write(study_id: str = "smith2020", **overrides: Any) -> Path:
        return write_record(project.studies_dir, make_record(**{"id": study_id, **overrides}),
                            stem=study_id)

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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium per test module (tests/browser.py starts it)."""
    with chromium() as launched:
        yield launched
