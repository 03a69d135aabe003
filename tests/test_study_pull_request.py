"""A study pull request keeps CI green: on a copy of the repository's review with one study added
(synthetic, made by tests/factories.py) and one removed, the shipped-review smoke checks pass; and
those checks do fail when the review is broken, so their passing means something."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from build_tools.core.project import Project
from tests.factories import REPO, copy_project, synthetic_record, write_record
from tests.test_shipped_review import (
    Smoke,
    missing_navigation_pages,
    missing_study_pages,
    navigation_links,
    smoke_check,
)

ADDED = synthetic_record(1)


def pull_request_checkout(root: Path) -> tuple[Project, str]:
    """The repository's review folders with a synthetic study added and the first one removed."""
    checkout = copy_project(REPO, root)
    studies = sorted(checkout.studies_dir.glob("*.yaml"))
    assert studies, "the shipped review has no study to remove"
    studies[0].unlink()
    write_record(checkout.studies_dir, ADDED)
    return checkout, studies[0].stem


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> tuple[Smoke, str]:
    root = tmp_path_factory.mktemp("pull-request")
    checkout, removed = pull_request_checkout(root / "checkout")
    return smoke_check(checkout.root, root / "work"), removed


def test_adding_and_removing_a_study_keeps_the_smoke_checks_green(pull_request) -> None:
    smoke, _ = pull_request
    assert smoke.problems == []


def test_the_smoke_checks_saw_the_changed_studies(pull_request) -> None:
    smoke, removed = pull_request
    assert smoke.site is not None
    assert (smoke.site / "studies" / ADDED["id"] / "index.html").is_file()
    assert not (smoke.site / "studies" / removed).exists()


def test_the_smoke_checks_report_an_invalid_study(tmp_path: Path) -> None:
    checkout, _ = pull_request_checkout(tmp_path / "checkout")
    write_record(checkout.studies_dir, synthetic_record(2, perspective="patients"))
    problems = smoke_check(checkout.root, tmp_path / "work").problems
    assert len(problems) == 1
    assert problems[0].startswith("studies/synthetic-0002.yaml:")
    assert "perspective: 'patients'" in problems[0]


def test_the_smoke_checks_report_missing_pages(pull_request, tmp_path: Path) -> None:
    smoke, _ = pull_request
    assert smoke.site is not None
    site = Path(shutil.copytree(smoke.site, tmp_path / "site"))
    shutil.rmtree(site / "studies" / str(ADDED["id"]))
    page = next(link for link in navigation_links(site) if link.strip("./"))
    shutil.rmtree(site / page)
    assert missing_study_pages(smoke.project, site) == [
        f"studies/{ADDED['id']}.yaml: no page studies/{ADDED['id']}/index.html"]
    assert missing_navigation_pages(site) == [
        f"navigation links to {page}, which the site does not have"]
