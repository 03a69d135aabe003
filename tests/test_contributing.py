"""Follow CONTRIBUTING.md literally, as a new contributor would on a fresh clone, and check that
the study it adds is valid and appears on the site.

The shipped project is put in a git repository with a local bare `origin`, and every command of
the "Adding a study" section is run in order, as written. Three kinds of line are done by the test
itself, equivalently and offline: `git clone` / `cd` (the clone is made here from the local
origin), `make install` / `source` (the test's own environment already has the tools on PATH),
and `livingreview serve` (given a free port of 127.0.0.1 and asked for the study's page).
`livingreview new` asks a local Crossref-shaped server. Editing the file is writing the example
that CONTRIBUTING shows.

The example's DOI uses Crossref's prefix for examples (10.5555): no real study has it, so no real
Crossref answer for it exists. The server answers with a SYNTHETIC work: a real recorded response
(tests/fixtures/crossref) whose identity (DOI, title, author, year, journal) is replaced by the
example record's, made by `example_work()` below.
"""

from __future__ import annotations

import copy
import json
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

from build_tools.cli.main import main
from build_tools.core.project import Project
from build_tools.formats.json_schema import schema_modeline
from tests.conftest import REPO, make_project

CONTRIBUTING = REPO / "CONTRIBUTING.md"
EXAMPLE = re.compile(r"<!-- example: (?P<path>studies/\S+\.yaml) -->\n```yaml\n(?P<text>.*?)```",
                     re.S)
DONE_BY_THE_TEST = ("git clone ", "cd ", "make install", "source ")
EXAMPLE_PREFIX = "10.5555/"  # Crossref's prefix for examples and tests
RECORDED = "10.1037_0003-066x.59.1.29.json"  # a real response, whose shape the synthetic one keeps


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


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "crossref"


def example_record() -> dict:
    return yaml.safe_load(example()[1])


def example_work() -> str:
    """SYNTHETIC Crossref answer for the example DOI: a recorded response's shape, the example's
    identity. Fields that would describe the recorded paper are dropped."""
    record = example_record()
    body = json.loads((FIXTURES / RECORDED).read_text("utf-8"))
    work = copy.deepcopy(body["message"])
    for key in ("link", "relation", "alternative-id", "original-title", "subtitle", "short-title",
                "ISSN", "issn-type", "short-container-title", "published-online", "journal-issue",
                "volume", "issue", "page", "reference"):
        work.pop(key, None)
    family, given = record["authors"][0].split(", ")
    work.update({
        "DOI": record["doi"], "URL": f"https://doi.org/{record['doi']}",
        "prefix": record["doi"].split("/")[0], "title": [record["title"]],
        "author": [{"given": given, "family": family, "sequence": "first", "affiliation": []}],
        "issued": {"date-parts": [[record["year"]]]}, "container-title": [record["journal"]],
    })
    body["message"] = work
    return json.dumps(body)


def environment(home: Path, crossref_url: str | None = None) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    crossref = {"LIVINGREVIEW_CROSSREF_URL": crossref_url} if crossref_url else {}
    return crossref | {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
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
    """A fresh clone of the review as shipped, from a local origin."""
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    make_project(upstream)
    shutil.copy(CONTRIBUTING, upstream / "CONTRIBUTING.md")
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


def serve_and_fetch(command: str, cwd: Path, env: dict[str, str], paths: list[str]) -> list[str]:
    """The documented preview command on 127.0.0.1; the pages it serves, then stop it."""
    port = free_port()
    server = subprocess.Popen(["bash", "-c", f"exec {command} --dev-addr 127.0.0.1:{port}"],
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
                pytest.fail(f"{command} did not answer for {path}")
        return pages
    finally:
        server.terminate()
        server.wait(timeout=30)


def crossref(httpserver) -> str:  # type: ignore[no-untyped-def]
    """The local Crossref-shaped server, answering for the example DOI only."""
    doi = example_record()["doi"]
    httpserver.expect_request(f"/works/{doi}").respond_with_data(
        example_work(), content_type="application/json")
    return httpserver.url_for("").rstrip("/")


def test_following_contributing_adds_a_study_that_appears_on_the_site(
    clone, tmp_path, httpserver
) -> None:
    env = environment(tmp_path, crossref(httpserver))
    path, text = example()
    study_id = Path(path).stem
    title = example_record()["title"]
    done = []
    served = False
    for kind, value in steps():
        if kind == "file":
            started = (clone / value).read_text("utf-8")  # written by `livingreview new`
            assert started.splitlines()[0] == schema_modeline(Project.at(clone))
            (clone / value).write_text(text, "utf-8")  # the contributor fills in the fields
        elif value.startswith(DONE_BY_THE_TEST):
            continue
        elif value == "livingreview serve":
            page, table = serve_and_fetch(value, clone, env, [f"/studies/{study_id}/",
                                                              "/studies/"])
            assert title in page
            assert f'href="{study_id}/"' in table
            served = True
        else:
            done.append(run(value, clone, env).stdout)
    assert served
    assert f"Wrote {path}: fill in the fields marked Required" in done[1]
    assert any("1 changed study record(s) of 5 (since origin/main) and review.yaml are valid\n"
               in out for out in done)
    branches = run("git branch --list --remotes", clone, env).stdout
    assert f"origin/add-{study_id}" in branches
    pushed = run(f"git --git-dir={tmp_path / 'origin.git'} show add-{study_id}:{path}",
                 tmp_path, env).stdout
    assert pushed == text


def test_new_step_of_contributing_never_overwrites(clone, tmp_path, httpserver) -> None:
    """The documented `livingreview new --doi`, run twice: the second run changes nothing."""
    command = next(v for k, v in steps() if v.startswith("livingreview new "))
    env = environment(tmp_path, crossref(httpserver))
    run(command, clone, env)
    written = clone / example()[0]
    before = written.read_text("utf-8")
    refused = subprocess.run(["bash", "-c", command], cwd=clone, env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"error: {example_record()['doi']} is already recorded in ")
    assert written.read_text("utf-8") == before


def test_example_is_no_shipped_study_and_says_it_is_made_up() -> None:
    """The example must work on a fresh clone and must not pass for a real study."""
    path, _ = example()
    record = example_record()
    assert record["doi"].startswith(EXAMPLE_PREFIX)
    assert not (REPO / path).exists()
    shipped = {str(yaml.safe_load(p.read_text("utf-8")).get("doi", "")).lower()
               for p in (REPO / "studies").glob("*.yaml")}
    assert record["doi"].lower() not in shipped
    documented = section("Adding a study")
    assert f"`{EXAMPLE_PREFIX.rstrip('/')}` is the prefix that Crossref keeps for examples" in (
        documented)
    assert "made up" in record["title"]


def test_example_validate_message_is_what_validate_prints(project, capsys) -> None:
    path, text = example()
    (project.root / path).write_text(text.replace("perspective: client",
                                                  "perspective: clients"), "utf-8")
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


def test_readme_example_record_is_valid_and_no_real_study(project, capsys) -> None:
    """README's short example of a study file validates as it is, with an example DOI."""
    readme = (REPO / "README.md").read_text("utf-8")
    block = re.search(r"## Adding a study.*?```yaml\n(.*?)```", readme, re.S)
    assert block
    text = "\n".join(line.removeprefix("   ") for line in block.group(1).splitlines()) + "\n"
    record = yaml.safe_load(text)
    assert record["doi"].startswith(EXAMPLE_PREFIX)
    (project.studies_dir / f"{record['id']}.yaml").write_text(text, "utf-8")
    assert main(["validate", "--project", str(project.root)]) == 0
    assert capsys.readouterr().out == "5 study record(s) and review.yaml are valid\n"
