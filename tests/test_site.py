"""`livingreview build` and plain `mkdocs build`: the complete site, built atomically and safely."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.errors import BuildError, InvalidRecords
from build_tools.core.project import Project
from build_tools.site.build import build_site

# The studies of tests/scenarios/alliance-review (the `project` fixture), not the live ones.
SCENARIO_STUDIES = ["aherne-2018", "alonzo-2017", "awenat-psychosis-9-38", "fogarty-2021"]


def page_text(site: Path, relative: str) -> str:
    """The visible text of a built page (tags dropped, entities decoded)."""
    raw = (site / relative).read_text("utf-8")
    raw = re.sub(r"<script.*?</script>", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def test_build_site_makes_every_page_of_the_scenario_review(project: Project) -> None:
    site = build_site(project, strict=True)
    for page in ["index.html", "methods/index.html", "themes/working-on-the-edge/index.html",
                 "themes/ready-willing-able/index.html", "studies/index.html"]:
        assert (site / page).is_file(), page
    for study in SCENARIO_STUDIES:
        assert (site / "studies" / study / "index.html").is_file()
    home = page_text(site, "index.html")
    assert "4 of 37 included studies curated so far." in home
    assert "3 partly-extracted; 1 identified." in home
    assert "label paraphrased" in home
    assert "Source: Published abstract of Huggett et al. (2024)" in home


def test_build_site_keeps_study_pages_out_of_the_navigation(project: Project) -> None:
    site = build_site(project)
    raw = (site / "index.html").read_text("utf-8")
    navigation = raw.split("md-nav--primary")[1].split("md-sidebar--secondary")[0]
    assert "studies/" in navigation
    assert "aherne-2018" not in navigation


def test_study_page_shows_known_fields_sources_and_what_is_not_curated(project: Project) -> None:
    site = build_site(project)
    text = page_text(site, "studies/alonzo-2017/index.html")
    assert "Authors Alonzo (first author; the full list is not yet curated)" in text
    assert "Country not yet curated" in text
    assert "Sample size 36" in text
    assert "Citation from the record; not yet checked against Crossref." in text
    assert "Which subthemes this study supports is not yet curated." in text
    assert "Not yet appraised." in text
    raw = (site / "studies/alonzo-2017/index.html").read_text("utf-8")
    assert 'href="https://doi.org/10.1027/0227-5910/a000427"' in raw
    assert 'href="https://www.suicideinfo.ca/resource/' in raw


def test_theme_page_lists_subthemes_and_says_when_no_study_is_curated(project: Project) -> None:
    site = build_site(project)
    text = page_text(site, "themes/working-on-the-edge/index.html")
    assert "Balancing empathy for the wish to die with holding hope" in text
    assert text.count("No curated study supports this subtheme yet.") == 2
    assert "Label paraphrased from the blog summary" in text


def test_theme_page_links_supporting_studies(project: Project, write_study) -> None:
    write_study("synthetic1", contributions=[{"subtheme": "human-connection", "note": "Made up."}])
    site = build_site(project, strict=True)
    raw = (site / "themes/ready-willing-able/index.html").read_text("utf-8")
    assert 'href="../../studies/synthetic1/"' in raw
    study = (site / "studies/synthetic1/index.html").read_text("utf-8")
    assert 'href="../../themes/ready-willing-able/#human-connection"' in study


def test_failed_validation_writes_nothing_and_keeps_the_previous_site(
    project: Project, write_study
) -> None:
    site = build_site(project)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    write_study("broken", perspective="patients")
    with pytest.raises(InvalidRecords):
        build_site(project)
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not list(project.root.glob(".site-*"))


def test_failed_mkdocs_build_keeps_the_previous_site(project: Project) -> None:
    site = build_site(project)
    before = (site / "index.html").read_bytes()
    (project.root / "docs" / "broken.md").write_text("[missing](nowhere.md)\n", "utf-8")
    with pytest.raises(BuildError, match="Aborted with 1 warnings in strict mode"):
        build_site(project, strict=True)
    assert (site / "index.html").read_bytes() == before
    assert not list(project.root.glob(".site-*"))


HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![pixel](data:image/png;base64,AAAA)",
    "{{ 7 * 7 }} {% if true %}jinja{% endif %}",
    "**bold** _em_ `code` | pipe",
    "!!! danger\n    admonition",
    "{: onclick='alert(1)' }",
]


def test_record_text_is_shown_as_text_never_interpreted(project: Project, write_study) -> None:
    hostile = " ".join(HOSTILE)
    write_study("hostile", title=hostile, participants=hostile, notes=hostile, country=hostile,
                sources=[{"description": hostile, "url": "https://example.org/a?b=%3Cc%3E&d"}])
    site = build_site(project, strict=True)
    raw = (site / "studies/hostile/index.html").read_text("utf-8")
    body = raw.split('<article class="md-content__inner md-typeset">')[1].split("</article>")[0]
    assert "<script>" not in body
    assert "<img" not in body
    assert "onerror=" not in body.replace("onerror=&quot;", "")
    assert "javascript:" not in re.findall(r'href="([^"]*)"', body).__str__()
    assert "data:" not in re.findall(r'src="([^"]*)"', body).__str__()
    assert "<strong>bold</strong>" not in body
    assert "49" not in page_text(site, "studies/hostile/index.html").replace("hostile", "")
    text = page_text(site, "studies/hostile/index.html")
    assert "{{ 7 * 7 }}" in text
    assert "<script>alert('x')</script>" in text
    assert "[click](javascript:alert(1))" in text
    table = page_text(site, "studies/index.html")
    assert "**bold** _em_ `code` | pipe" in table


def test_review_text_is_shown_as_text_never_interpreted(project: Project) -> None:
    review = project.review_file.read_text("utf-8").replace(
        "Trust that has to grow in both directions for the work to hold.",
        "<script>alert(1)</script> {{ 6 * 7 }} [x](javascript:alert(1))",
    )
    project.review_file.write_text(review, "utf-8")
    site = build_site(project, strict=True)
    raw = (site / "themes/ready-willing-able/index.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in raw
    assert "<script>alert(1)</script> {{ 6 * 7 }} [x](javascript:alert(1))" in page_text(
        site, "themes/ready-willing-able/index.html")


def test_built_pages_load_nothing_from_other_hosts(project: Project) -> None:
    site = build_site(project)
    for page in site.rglob("*.html"):
        raw = page.read_text("utf-8")
        external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', raw)
        assert external == [], page
        assert "fonts.googleapis" not in raw and "fonts.gstatic" not in raw


def test_cli_build_prints_where_the_site_is(project: Project, capsys) -> None:
    assert main(["build", "--project", str(project.root)]) == 0
    built, preview = capsys.readouterr().out.splitlines()
    assert built == f"Site built in {project.site_dir}"
    # test_serve.py runs the printed command; here: it names this environment's program
    assert re.fullmatch(r"Preview it with: (livingreview|\S*/livingreview) serve --project "
                        + re.escape(str(project.root)), preview), preview


def test_cli_build_stops_on_invalid_records(project: Project, write_study, capsys) -> None:
    write_study("broken", perspective="patients")
    assert main(["build", "--project", str(project.root)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "studies/broken.yaml:3: perspective: 'patients' is not allowed "
        "(one of: client, therapist, both)",
        "build stopped: 1 problem(s) in 1 file(s); the site was not changed",
    ]
    assert not project.site_dir.exists()


def test_plain_mkdocs_build_strict_produces_the_complete_site(project: Project) -> None:
    docs_before = sorted((project.root / "docs").rglob("*"))
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run([str(mkdocs), "build", "--strict"], cwd=project.root,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for study in SCENARIO_STUDIES:
        assert (project.site_dir / "studies" / study / "index.html").is_file()
    assert sorted((project.root / "docs").rglob("*")) == docs_before, "docs/ stays untouched"


def test_python_dash_m_runs_the_cli(project: Project) -> None:
    result = subprocess.run([sys.executable, "-m", "build_tools", "validate", "--project",
                             str(project.root)], capture_output=True, text=True, check=False)
    valid = "4 study record(s) and review.yaml are valid\n"
    assert (result.returncode, result.stdout) == (0, valid)


@pytest.mark.scenario("tiny-review")
def test_a_second_review_with_other_themes_and_fields_builds_without_code_changes(
    project: Project,
) -> None:
    site = build_site(project, strict=True)
    assert {p.name for p in (site / "themes").iterdir()} == {"belonging", "momentum"}
    study = page_text(site, "studies/synthetic-one/index.html")
    assert "Intervention length (weeks) 12" in study
    table = page_text(site, "studies/index.html")
    assert "Intervention length (weeks)" in table
    home = page_text(site, "index.html")
    assert "1 of 3 included studies curated so far." in home
    shutil.rmtree(site)


def test_titles_cannot_inject_markup_into_title_header_or_navigation(
    project: Project, write_study
) -> None:
    attack = "</title><script>alert(document.domain)</script>"
    write_study("titled", title=f"{attack} & more")
    review = project.review_file.read_text("utf-8").replace(
        "title: Working on the edge", f'title: "Working {attack}"')
    project.review_file.write_text(review, "utf-8")
    site = build_site(project, strict=True)
    pages = ("studies/titled/index.html", "index.html", "themes/working-on-the-edge/index.html")
    for page in pages:
        raw = (site / page).read_text("utf-8")
        assert "<script>alert" not in raw, page
    study = (site / "studies/titled/index.html").read_text("utf-8")
    assert "<title>‹/title›‹script›alert(document.domain)‹/script› ＆ more - " in study


def test_plain_mike_deploy_publishes_the_complete_site(project: Project) -> None:
    env = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
           "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(project.root)}

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("git", "init", "-q", "--initial-branch=main")
    run("git", "add", "-A")
    run("git", "commit", "-q", "-m", "A review")
    run("mike", "deploy", "preview")
    files = run("git", "ls-tree", "-r", "--name-only", "gh-pages").split()
    for study in SCENARIO_STUDIES:
        assert f"preview/studies/{study}/index.html" in files
    assert "preview/themes/working-on-the-edge/index.html" in files


def test_data_warnings_are_shown_but_do_not_fail_a_strict_build(project: Project, capsys) -> None:
    (project.studies_dir / "notes.txt").write_text("a curator's scratch file\n", "utf-8")
    assert main(["build", "--strict", "--project", str(project.root)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "warning: studies/notes.txt:1: (file): ignored, not a study record "
        "(study records are <id>.yaml files directly in studies/)"]
