"""`mkdocs serve` and `livingreview serve`: an edit to a study's YAML shows after one rebuild, and
invalid records show as a page listing the problems instead of a request that never answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.project import Project

BIN = Path(sys.executable).parent
BROKEN = ("studies/aherne-2018.yaml:13: perspective: 'patients' is not allowed "
          "(one of: client, therapist, both)")
TITLE = "The site cannot be built"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    """The page's text, an error page's too; "" while nothing answers (or answers too late)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8")
    except OSError:
        return ""  # not serving yet, or a request left waiting


def wait_for(condition, seconds: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def shown(problem: str) -> str:
    """A problem line as the problem page shows it (inert text: punctuation as references)."""
    return "".join(f"&#{ord(c)};" if c in "/.:'()-" else c for c in problem)


class Server:
    """A preview server on a free port of 127.0.0.1, its output kept in a log file."""

    def __init__(self, command: list[str], cwd: Path, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [*command, "--dev-addr" if "livingreview" in command[0] else "-a",
                 f"127.0.0.1:{self.port}"],
                cwd=cwd, stdout=log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text("utf-8")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def livingreview_serve(project: Project, tmp_path: Path) -> Iterator[Server]:
    """`livingreview serve --project …`, started from another folder than the project."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server = Server([str(BIN / "livingreview"), "serve", "--project", str(project.root)],
                    elsewhere, tmp_path / "serve.log")
    yield server
    server.stop()


def set_perspective(project: Project, value: str) -> None:
    study = project.studies_dir / "aherne-2018.yaml"
    text = study.read_text("utf-8")
    start = text.index("\nperspective: ") + 1
    end = text.index("\n", start)
    study.write_text(text[:start] + f"perspective: {value}" + text[end:], "utf-8")


def test_mkdocs_serve_reloads_a_study_edit_once(project: Project, tmp_path: Path) -> None:
    server = Server([str(BIN / "mkdocs"), "serve"], project.root, tmp_path / "serve.log")
    try:
        url = server.url + "studies/aherne-2018/"
        original = "Constructivist grounded theory"
        assert wait_for(lambda: original in fetch(url)), server.log()
        study = project.studies_dir / "aherne-2018.yaml"
        study.write_text(study.read_text("utf-8").replace(
            "analysis_method: Constructivist grounded theory",
            "analysis_method: Edited grounded theory"), "utf-8")
        assert wait_for(lambda: "Edited grounded theory" in fetch(url)), server.log()
        time.sleep(3)  # a rebuild loop would keep building during this quiet time
        builds = server.log().count("Building documentation")
        assert builds == 2, server.log()
    finally:
        server.stop()


def test_livingreview_serve_previews_the_project_from_another_folder(
    livingreview_serve: Server,
) -> None:
    server = livingreview_serve
    url = server.url + "studies/aherne-2018/"
    assert wait_for(lambda: "Constructivist grounded theory" in fetch(url)), server.log()
    assert f"Serving on {server.url}" in server.log()


@pytest.mark.hardening
def test_serve_shows_invalid_records_as_a_page_and_recovers(
    project: Project, livingreview_serve: Server
) -> None:
    base = livingreview_serve.url
    study_url = base + "studies/aherne-2018/"
    assert wait_for(lambda: "Constructivist grounded theory" in fetch(study_url))
    set_perspective(project, "patients")
    assert wait_for(lambda: TITLE in fetch(study_url)), livingreview_serve.log()
    # Every URL answers at once with the problem, named by file, line and field: the pages the
    # site had, a hand-written page, and a URL the site never had (the theme's 404 page).
    for path in ("studies/aherne-2018/", "", "evidence/matrix/", "notes/"):
        page = fetch(base + path)
        assert TITLE in page and shown(BROKEN) in page, path
    unknown = fetch(base + "no/such/page/")
    assert TITLE in unknown and BROKEN.replace("'", "&#x27;") in unknown
    assert BROKEN in livingreview_serve.log()  # the terminal says it too
    set_perspective(project, "therapist")
    assert wait_for(lambda: "Constructivist grounded theory" in fetch(study_url)), (
        livingreview_serve.log())
    assert TITLE not in fetch(base)


@pytest.mark.hardening
def test_serve_starts_on_invalid_records_and_keeps_record_text_inert(
    project: Project, tmp_path: Path
) -> None:
    set_perspective(project, '"<img src=x onerror=alert(1)>"')
    server = Server([str(BIN / "mkdocs"), "serve"], project.root, tmp_path / "serve.log")
    try:
        assert wait_for(lambda: TITLE in fetch(server.url)), server.log()
        for page in (fetch(server.url), fetch(server.url + "no/such/page/")):
            assert "perspective" in page and "<img src=x" not in page
        set_perspective(project, "therapist")
        assert wait_for(lambda: "Constructivist grounded theory" in fetch(
            server.url + "studies/aherne-2018/")), server.log()
    finally:
        server.stop()


@pytest.mark.hardening
def test_build_still_fails_on_invalid_records(project: Project) -> None:
    """The problem page is only for serve: a build stops, exit 1, the site untouched."""
    set_perspective(project, "patients")
    for command in ([str(BIN / "mkdocs"), "build"], [str(BIN / "livingreview"), "build"]):
        done = subprocess.run(command, cwd=project.root, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 1, done.stderr
        assert BROKEN in done.stderr
        assert not project.site_dir.exists()


def test_serve_says_when_the_address_is_taken(project: Project) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(BIN / "livingreview"), "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project.root, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(f"error: cannot serve on 127.0.0.1:{port}: ")


@pytest.mark.parametrize("on_path", [False, True])
def test_build_ends_with_a_serve_command_that_works_as_printed(
    project: Project, tmp_path: Path, on_path: bool
) -> None:
    env = {"PATH": f"{BIN}:/usr/bin:/bin" if on_path else "/usr/bin:/bin", "HOME": str(tmp_path),
           "LANG": "C.UTF-8"}
    done = subprocess.run([str(BIN / "livingreview"), "build"], cwd=project.root, env=env,
                          capture_output=True, text=True, check=True)
    printed = done.stdout.splitlines()[-1].removeprefix("Preview it with: ")
    assert printed == ("livingreview serve" if on_path else f"{BIN / 'livingreview'} serve")
    port = free_port()
    with (tmp_path / "printed.log").open("w") as log:
        server = subprocess.Popen(["bash", "-c", f"exec {printed} --dev-addr 127.0.0.1:{port}"],
                                  cwd=project.root, env=env, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}/studies/aherne-2018/"
        assert wait_for(lambda: "Constructivist grounded theory" in fetch(url)), (
            (tmp_path / "printed.log").read_text())
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.hardening
def test_open_browser_shows_the_problems_and_then_the_site_by_itself(
    project: Project, livingreview_serve: Server, tmp_path: Path
) -> None:
    """In Chromium, the open study page turns into the problem list on a bad save, and back
    into the study page on the fix, with no reload by hand (MkDocs' live reload)."""
    from tests.browser import chromium

    url = livingreview_serve.url + "studies/aherne-2018/"
    assert wait_for(lambda: "Constructivist grounded theory" in fetch(url))
    with chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        heading = page.locator("h1").first
        assert "A conceptual model of connectedness" in heading.inner_text()
        set_perspective(project, "patients")
        page.wait_for_function("document.querySelector('h1')?.textContent.includes("
                               f"{TITLE!r})", timeout=60_000)
        assert BROKEN in page.locator("article").inner_text()
        page.screenshot(path=str(tmp_path / "problems.png"))
        set_perspective(project, "therapist")
        page.wait_for_function("document.querySelector('h1')?.textContent.includes("
                               "'A conceptual model of connectedness')", timeout=60_000)


@pytest.mark.hardening
@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999",
                                     ":8000", "127.0.0.1:port"])
def test_serve_refuses_a_malformed_address_in_one_line(address: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--dev-addr", address])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"livingreview serve: error: argument --dev-addr: {address!r} is not IP:PORT "
        "(e.g. 127.0.0.1:8001)")
