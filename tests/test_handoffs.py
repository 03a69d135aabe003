"""Explicit hand-offs: the release and the build date reach the build as arguments, never through
os.environ; LIVINGREVIEW_RELEASE stays the public way to rebuild a tag with plain MkDocs."""

from __future__ import annotations

import datetime as dt
import html
import os
import subprocess
import sys
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.project import Project
from build_tools.site.build import build_site
from build_tools.versions.manifest import MANIFEST_PATH
from tests.release_scenario import SITE_URL, Scenario, git, two_releases


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return two_releases(tmp_path_factory.mktemp("handoffs"))


@pytest.fixture(scope="module")
def tag_1_0(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Project:
    clone = tmp_path_factory.mktemp("clone") / "v1.0"
    subprocess.run(["git", "clone", "-q", "--branch", "v1.0", str(scenario.project.root),
                    str(clone)], check=True, capture_output=True)
    return Project.at(clone)


def _text(site: Path, path: str) -> str:
    return html.unescape((site / path).read_text("utf-8"))


def test_build_with_release_gives_that_version_without_touching_the_environment(
        tag_1_0: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVINGREVIEW_RELEASE", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01, not the release's date
    before = dict(os.environ)
    site = build_site(tag_1_0, site_dir=tmp_path / "site", release="1.0")
    assert dict(os.environ) == before
    cite = _text(site, "cite/index.html")
    assert "version 1.0</strong>" in cite and "2026-01-15" in cite
    assert "(version 1.0)</title>" in _text(site, "index.html")
    bib = _text(site, "cite/living-review-1.0.bib")
    assert "1.0" in bib and f"{SITE_URL}1.0/" in bib
    assert (site / MANIFEST_PATH).is_file()


def test_build_date_is_an_argument(tag_1_0: Project, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVINGREVIEW_RELEASE", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dict(os.environ)
    site = build_site(tag_1_0, site_dir=tmp_path / "site", date=dt.date(2031, 7, 4))
    assert dict(os.environ) == before
    assert "(development build)</title>" in _text(site, "index.html")
    assert "<lastmod>2031-07-04</lastmod>" in _text(site, "sitemap.xml")
    assert "(2031, July 4)" in _text(site, "cite/index.html")  # the APA citation


def test_cli_build_release_option(tag_1_0: Project, tmp_path: Path, capsys,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVINGREVIEW_RELEASE", raising=False)
    before = dict(os.environ)
    assert main(["build", "--project", str(tag_1_0.root), "--site-dir", str(tmp_path / "site"),
                 "--release", "1.0"]) == 0
    assert dict(os.environ) == before
    assert "(version 1.0)</title>" in _text(tmp_path / "site", "index.html")


def test_plain_mkdocs_build_reads_the_release_from_the_environment(
        tag_1_0: Project, tmp_path: Path) -> None:
    """The documented way to rebuild a tag: LIVINGREVIEW_RELEASE=1.0 mkdocs build."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(LIVINGREVIEW_RELEASE="1.0", NO_MKDOCS_2_WARNING="1")
    site = tmp_path / "plain"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
                   cwd=tag_1_0.root, env=env, check=True, capture_output=True)
    assert "(version 1.0)</title>" in _text(site, "index.html")
    assert (site / MANIFEST_PATH).is_file()
    assert git(tag_1_0.root, "status", "--porcelain") == ""
