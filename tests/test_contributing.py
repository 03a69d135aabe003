"""Follow CONTRIBUTING.md literally, as a new contributor would, and check that the study it adds
is valid and appears on the site.

The test scenario (tests/scenarios, the tests' own copy of real included studies) is copied
without its copy of the example study (Alonzo et al. 2017, found by its DOI), put in a git
repository with a local bare `origin`, and every command of the "Adding a study" section is run
in order. Three kinds of line are done by the test itself, equivalently and offline:
`git clone` / `cd` (the clone is made here from the local origin), `make install` / `source`
(the test's own environment already has the tools on PATH), and `mkdocs serve` (run on a free
port of 127.0.0.1 and asked for the study's page). Editing the file is writing the example that
CONTRIBUTING shows; a test below keeps that example identical to the scenario's copy of the record.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from build_tools.cli import main
from build_tools.json_schema import schema_modeline
from build_tools.project import Project
from tests.conftest import REPO, make_project

CONTRIBUTING = REPO / "CONTRIBUTING.md"
EXAMPLE = re.compile(r"<!-- example: (?P<path>studies/\S+\.yaml) -->\n```yaml\n(?P<text>.*?)```",
                     re.S)
DONE_BY_THE_TEST = ("git clone ", "cd ", "make install", "source ")


def section(title: str) -> str:
    text = CONTRIBUTING.read_text("utf-8")
    start = text.index(f"## {title}")
    end = text.index("\n## ", start + 3)
    return text[start:end]


def steps() -> list[tuple[str, str]]:
    """("sh", command) and ("file", path) in the order CONTRIBUTING gives them."""
    found = []
    pattern = re.compile(r"```sh\n(?P<sh>.*?)```|" + EXAMPLE.pattern, re.S)
    for match in pattern.finditer(section("Adding a study")):
        if match.group("sh") is not None:
            found += [("sh", line.strip()) for line in match.group("sh").splitlines()
                      if line.strip()]
        else:
            found.append(("file", match.group("path")))
    return found


def example() -> tuple[str, str]:
    match = EXAMPLE.search(CONTRIBUTING.read_text("utf-8"))
    assert match
    return match.group("path"), match.group("text")


def example_doi() -> str:
    return yaml.safe_load(example()[1])["doi"]


def scenario_copy_of_example(project: Project) -> Path:
    """The scenario's record of the example study: the same DOI, under an id of its own."""
    found = [path for path in sorted(project.studies_dir.glob("*.yaml"))
             if yaml.safe_load(path.read_text("utf-8")).get("doi") == example_doi()]
    assert len(found) == 1, found
    return found[0]


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crossref"


def environment(home: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "A Contributor", "GIT_AUTHOR_EMAIL": "contributor@example.org",
            "GIT_COMMITTER_NAME": "A Contributor",
            "GIT_COMMITTER_EMAIL": "contributor@example.org"}


def run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The review as it was before the example study was added, cloned from a local origin."""
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    project = make_project(upstream)
    shutil.copy(CONTRIBUTING, upstream / "CONTRIBUTING.md")
    scenario_copy_of_example(project).unlink()
    env = environment(tmp_path)
    run("git init --quiet --initial-branch=main && git add -A && git commit --quiet -m base",
        upstream, env)
    run(f"git clone --quiet --bare {upstream} {tmp_path / 'origin.git'}", tmp_path, env)
    run(f"git clone --quiet {tmp_path / 'origin.git'} {tmp_path / 'living-review'}", tmp_path, env)
    return tmp_path / "living-review"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_and_fetch(cwd: Path, env: dict[str, str], paths: list[str]) -> list[str]:
    """`mkdocs serve` on 127.0.0.1, as CONTRIBUTING says; the pages it serves, then stop it."""
    port = free_port()
    server = subprocess.Popen(["mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
                              cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        pages = []
        for path in paths:
            for _ in range(600):  # at most about a minute for the first build
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                        pages.append(r.read().decode("utf-8"))
                        break
                except OSError:
                    assert server.poll() is None, server.stderr.read() if server.stderr else ""
                    time.sleep(0.1)
            else:
                pytest.fail(f"mkdocs serve did not answer for {path}")
        return pages
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_following_contributing_adds_a_study_that_appears_on_the_site(clone, tmp_path) -> None:
    env = environment(tmp_path)
    path, text = example()
    study_id = Path(path).stem
    done = []
    for kind, value in steps():
        if kind == "file":
            (clone / value).write_text(text, "utf-8")  # the contributor fills in the fields
        elif value.startswith(DONE_BY_THE_TEST):
            continue
        elif value.startswith("livingreview new "):
            continue  # it asks Crossref: test_new_step_of_contributing runs it against a server
        elif value == "mkdocs serve":
            page, table = serve_and_fetch(clone, env, [f"/studies/{study_id}/", "/studies/"])
            assert "Individuals at risk for suicide" in page
            assert f'href="{study_id}/"' in table
        else:
            done.append(run(value, clone, env).stdout)
    assert any("1 changed study record(s) of 4 (since origin/main) and review.yaml are valid"
               in out for out in done)
    branches = run("git branch --list --remotes", clone, env).stdout
    assert f"origin/add-{study_id}" in branches
    pushed = run(f"git --git-dir={tmp_path / 'origin.git'} show add-{study_id}:{path}",
                 tmp_path, env).stdout
    assert pushed == text


def test_new_step_of_contributing(clone, tmp_path, httpserver) -> None:
    """The documented `livingreview new --doi` command, against a Crossref-shaped local server.

    No real Crossref response for the example's DOI exists offline, and none may be invented, so
    the server answers with a real recorded response (tests/fixtures/crossref) and only the DOI
    in the documented command is swapped for that response's DOI.
    """
    command = next(v for k, v in steps() if v.startswith("livingreview new "))
    documented_doi = command.split("--doi", 1)[1].split()[0]
    body = (FIXTURES / "10.1037_0003-066x.59.1.29.json").read_text("utf-8")
    httpserver.expect_request(re.compile(r"^/works")).respond_with_data(
        body, content_type="application/json")
    env = environment(tmp_path) | {"LIVINGREVIEW_CROSSREF_URL": httpserver.url_for("").rstrip("/")}
    command = command.replace(documented_doi, "10.1037/0003-066X.59.1.29")
    done = run(command, clone, env)
    written = re.search(r"Wrote (studies/[^:]+\.yaml)", done.stdout)
    assert written, done.stdout
    path = clone / written.group(1)
    assert path.read_text("utf-8").splitlines()[0] == schema_modeline(Project.at(clone))
    refused = subprocess.run(["bash", "-c", command], cwd=clone, env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 1  # it never overwrites


def test_example_in_contributing_is_the_scenario_record(tmp_path) -> None:
    path, text = example()
    copy = scenario_copy_of_example(make_project(tmp_path))
    expected = copy.read_text("utf-8").replace(f"\nid: {copy.stem}\n", f"\nid: {Path(path).stem}\n")
    assert expected == text


def test_example_validate_message_is_what_validate_prints(project, capsys) -> None:
    path, text = example()
    scenario_copy_of_example(project).unlink()
    (project.root / path).write_text(text.replace("perspective: therapist",
                                                  "perspective: clinicians"), "utf-8")
    shown = re.search(r"<!-- example: validate output -->\n```text\n(.*?)\n```",
                      CONTRIBUTING.read_text("utf-8"), re.S)
    assert shown
    assert main(["validate", "--project", str(project.root)]) == 1
    assert capsys.readouterr().out.splitlines() == [shown.group(1)]


def test_contributing_links_resolve() -> None:
    text = CONTRIBUTING.read_text("utf-8")
    for target in re.findall(r"\]\(((?!https?:|\.\./\.\./)[^)#]+)\)", text):
        assert (REPO / target).exists(), target
    assert (REPO / ".github/ISSUE_TEMPLATE/propose-study.yml").exists()
