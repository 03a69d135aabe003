"""Smoke test of the SHIPPED review: the repository's own review.yaml, studies/ and cache/.

The generator's tests use their own scenarios (tests/scenarios); this module is the one that reads
the live review, and it checks structure only, never a count or a study id, so that adding,
editing or removing a study cannot turn it red unless the review itself is broken: every record
validates, the strict build succeeds, every study file has a page linked from the studies table,
every page in the navigation exists, the editor's JSON Schema accepts every record, and the files
derived from the schema and review.yaml are current. CI runs it for study pull requests
(`make smoke`); tests/test_study_pull_request.py runs the same checks on a changed copy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator

from build_tools.core.errors import ReviewError
from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.formats.json_schema import json_schema_path
from build_tools.pages.derived_docs import derived_files
from build_tools.site.build import build_site
from tests.factories import REPO, copy_project

NAV_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')


@dataclass(frozen=True)
class Smoke:
    """The checked copy, its site (None when the build failed) and every problem found."""

    project: Project
    site: Path | None
    problems: list[str]


def validation_problems(project: Project) -> list[str]:
    """What `livingreview validate` reports as errors (warnings do not fail a build either)."""
    return [str(p) for p in check_project(project).validation.errors]


def build_strictly(project: Project, site_dir: Path) -> tuple[Path | None, list[str]]:
    """`livingreview build --strict` into `site_dir`; a known failure is a problem, not a crash."""
    try:
        return build_site(project, strict=True, site_dir=site_dir), []
    except ReviewError as error:
        return None, [f"strict build failed: {error}"]


def missing_study_pages(project: Project, site: Path) -> list[str]:
    """Each studies/<id>.yaml has studies/<id>/index.html, linked from the studies table."""
    table = (site / "studies" / "index.html").read_text("utf-8")
    problems = []
    for path in sorted(project.studies_dir.glob("*.yaml")):
        if not (site / "studies" / path.stem / "index.html").is_file():
            problems.append(f"studies/{path.name}: no page studies/{path.stem}/index.html")
        if f'href="{path.stem}/"' not in table:
            problems.append(f"studies/{path.name}: not linked from the studies table")
    return problems


def navigation_links(site: Path) -> list[str]:
    """The site-relative links of the primary navigation (every page carries the same one)."""
    home = (site / "index.html").read_text("utf-8")
    if "md-nav--primary" not in home:
        return []
    nav = home.split("md-nav--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
    links = []
    for href in NAV_LINK.findall(nav):
        parts = urlsplit(href)
        if not parts.scheme and not parts.netloc and parts.path:
            links.append(parts.path)
    return links


def missing_navigation_pages(site: Path) -> list[str]:
    """Every page the navigation links to exists in the built site."""
    links = navigation_links(site)
    if not links:
        return ["index.html: no primary navigation found"]
    problems = []
    for link in links:
        target = (site / link).resolve()
        page = target / "index.html" if link.endswith("/") or target.is_dir() else target
        if not page.is_file():
            problems.append(f"navigation links to {link}, which the site does not have")
    return problems


def json_schema_problems(project: Project) -> list[str]:
    """The editor's JSON Schema (schema/study.schema.json) accepts every valid record."""
    validator = Draft202012Validator(json.loads(json_schema_path(project).read_text("utf-8")))
    return [f"studies/{path.name}: {error.message}"
            for path in sorted(project.studies_dir.glob("*.yaml"))
            for error in validator.iter_errors(yaml.safe_load(path.read_text("utf-8")))]


def stale_derived_files(project: Project) -> list[str]:
    """`livingreview docs --check`: files made from the schema and review.yaml are current."""
    return [f"{project.display(derived.path)}: out of date; run: livingreview docs"
            for derived in derived_files(project)
            if not derived.path.exists() or derived.path.read_text("utf-8") != derived.content]


def smoke_check(source: Path, workdir: Path) -> Smoke:
    """Every smoke check of the review project at `source`, run on a copy under `workdir`."""
    project = copy_project(source, workdir / "project")
    problems = validation_problems(project)
    if problems:
        return Smoke(project, None, problems)
    site, problems = build_strictly(project, workdir / "site")
    if site is not None:
        problems += missing_study_pages(project, site) + missing_navigation_pages(site)
    problems += json_schema_problems(project) + stale_derived_files(project)
    return Smoke(project, site, problems)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The shipped review, copied so that building it never touches the repository."""
    return copy_project(REPO, tmp_path_factory.mktemp("shipped") / "project")


@pytest.fixture(scope="module")
def site(shipped: Project) -> Path:
    built, problems = build_strictly(shipped, shipped.root.parent / "site")
    assert problems == []
    assert built is not None
    return built


def test_shipped_review_validates(shipped: Project) -> None:
    assert validation_problems(shipped) == []


def test_shipped_review_builds_strictly(site: Path) -> None:
    assert (site / "index.html").is_file()


def test_every_shipped_study_file_has_a_page(shipped: Project, site: Path) -> None:
    assert missing_study_pages(shipped, site) == []


def test_every_page_in_the_navigation_exists(site: Path) -> None:
    assert missing_navigation_pages(site) == []


def test_every_shipped_study_passes_the_editor_json_schema(shipped: Project) -> None:
    assert json_schema_problems(shipped) == []


def test_files_derived_from_the_shipped_review_are_current(shipped: Project) -> None:
    assert stale_derived_files(shipped) == []
