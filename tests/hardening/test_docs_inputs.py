"""Hardening, what a build reads from docs/ (and studies/): regular files inside the project.

CI builds pull requests and uploads the site: a link in docs/ to /proc/self/environ, /etc/passwd
or .git/config would publish secrets, and a named pipe would hang the build. Every such entry is
refused with one line, before MkDocs opens anything; each end-to-end run is bounded in time.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.input_files import REMEDY, folder_problems
from build_tools.core.project import Project

pytestmark = pytest.mark.hardening

TIMEOUT = 120  # seconds; a build that waits on a pipe would never end


def refused(project: Project) -> list[str]:
    return [str(p) for p in folder_problems(project.root, project.root / "docs")]


def line(path: str, why: str) -> str:
    return f"{path}:1: (file): {why} ({REMEDY})"


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


# --- the rule, entry by entry --------------------------------------------------------------------

OUTSIDE = "is a link to a file outside the project"


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/passwd", "/etc", "/"])
def test_a_link_out_of_the_project_is_refused(project: Project, target: str) -> None:
    (project.root / "docs" / "x.txt").symlink_to(target)
    assert refused(project) == [line("docs/x.txt", OUTSIDE)]


def test_a_relative_link_climbing_out_of_the_project_is_refused(
    project: Project, tmp_path: Path
) -> None:
    secret = f"{tmp_path.name}-secret.txt"  # beside the project, which is tmp_path
    (tmp_path.parent / secret).write_text("secret\n", "utf-8")
    (project.root / "docs" / "x.txt").symlink_to(Path("..") / ".." / secret)
    assert refused(project) == [line("docs/x.txt", OUTSIDE)]


def test_a_link_into_the_projects_git_folder_is_refused(project: Project) -> None:
    """actions/checkout leaves the job's token in .git/config."""
    (project.root / ".git").mkdir()
    (project.root / ".git" / "config").write_text("[http]\n\textraheader = token\n", "utf-8")
    (project.root / "docs" / "config.txt").symlink_to(Path("..") / ".git" / "config")
    assert refused(project) == [line(
        "docs/config.txt", "is a link to a hidden file of the project (such as .git/)")]


def test_a_named_pipe_is_refused_without_being_opened(project: Project) -> None:
    os.mkfifo(project.root / "docs" / "pipe.md")
    assert refused(project) == [line("docs/pipe.md", "is a named pipe, not a regular file")]


def test_a_unix_socket_is_refused(project: Project, monkeypatch) -> None:
    monkeypatch.chdir(project.root / "docs")  # a socket's path is limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock.md")
        assert refused(project) == [line("docs/sock.md", "is a socket, not a regular file")]


def test_a_device_is_refused(project: Project) -> None:
    try:
        os.mknod(project.root / "docs" / "null.md", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    assert refused(project) == [line("docs/null.md", "is a character device, not a regular file")]


def test_links_to_a_pipe_to_nothing_and_in_a_loop_are_refused(project: Project) -> None:
    docs = project.root / "docs"
    os.mkfifo(project.root / "fifo")
    (docs / "a-pipe.md").symlink_to(Path("..") / "fifo")
    (docs / "b-broken.md").symlink_to("missing.md")
    (docs / "c-loop").symlink_to("..", target_is_directory=True)
    (docs / "d-self").symlink_to(".", target_is_directory=True)
    assert refused(project) == [
        line("docs/a-pipe.md", "is a link to a named pipe, not to a regular file"),
        line("docs/b-broken.md", "is a link to nothing (its target is missing)"),
        line("docs/c-loop", "is a link to a folder that contains it (a loop)"),
        line("docs/d-self", "is a link to a folder that contains it (a loop)"),
    ]


def test_entries_deep_inside_docs_and_inside_linked_folders_are_checked(project: Project) -> None:
    deep = project.root / "docs" / "a" / "b"
    deep.mkdir(parents=True)
    os.mkfifo(deep / "pipe.md")
    extra = project.root / "extra"
    extra.mkdir()
    (extra / "leak.txt").symlink_to("/etc/passwd")
    (project.root / "docs" / "extra").symlink_to(Path("..") / "extra", target_is_directory=True)
    assert refused(project) == [
        line("docs/a/b/pipe.md", "is a named pipe, not a regular file"),
        line("docs/extra/leak.txt", OUTSIDE),
    ]


def test_a_docs_folder_that_links_out_of_the_project_is_refused(
    project: Project, tmp_path: Path
) -> None:
    docs = project.root / "docs"
    docs.rename(tmp_path.parent / f"{tmp_path.name}-docs")
    docs.symlink_to(tmp_path.parent / f"{tmp_path.name}-docs", target_is_directory=True)
    assert refused(project) == [line("docs", OUTSIDE)]


def test_links_to_files_and_folders_inside_the_project_and_hidden_entries_are_allowed(
    project: Project,
) -> None:
    extra = project.root / "extra"
    extra.mkdir()
    (extra / "page.md").write_text("# Linked page\n", "utf-8")
    docs = project.root / "docs"
    (docs / "linked.md").symlink_to(Path("..") / "extra" / "page.md")
    (docs / "more").symlink_to(Path("..") / "extra", target_is_directory=True)
    (docs / ".#index.md").symlink_to("someone@host.1234")  # an editor's lock, never read
    assert refused(project) == []


# --- end to end: the build stops before MkDocs reads anything ------------------------------------

def test_build_with_a_link_to_the_environment_stops_and_publishes_nothing(
    project: Project,
) -> None:
    (project.root / "docs" / "env.txt").symlink_to("/proc/self/environ")
    result = _run("build_tools", "build", "--project", str(project.root))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        line("docs/env.txt", OUTSIDE),
        "build stopped: 1 problem(s) in 1 file(s); the site was not changed",
    ]
    assert not project.site_dir.exists()
    assert list(project.root.glob(".site-*")) == []


def test_build_with_a_named_pipe_in_docs_stops_at_once(project: Project) -> None:
    os.mkfifo(project.root / "docs" / "pipe.md")
    result = _run("build_tools", "build", "--project", str(project.root))
    assert (result.returncode, result.stderr.splitlines()) == (1, [
        line("docs/pipe.md", "is a named pipe, not a regular file"),
        "build stopped: 1 problem(s) in 1 file(s); the site was not changed",
    ])


def test_mkdocs_build_with_the_plugin_refuses_a_named_pipe_too(project: Project) -> None:
    os.mkfifo(project.root / "docs" / "pipe.md")
    result = _run("mkdocs", "build", "-q", "-f", str(project.mkdocs_file))
    assert result.returncode != 0
    assert line("docs/pipe.md", "is a named pipe, not a regular file") in result.stderr
    assert not project.site_dir.exists()


def test_a_page_linked_from_inside_the_project_is_published(project: Project, capsys) -> None:
    extra = project.root / "extra"
    extra.mkdir()
    (extra / "page.md").write_text("# Linked page\n\nShared text.\n", "utf-8")
    (project.root / "docs" / "linked.md").symlink_to(Path("..") / "extra" / "page.md")
    assert main(["build", "--project", str(project.root)]) == 0
    assert "Shared text." in (project.site_dir / "linked" / "index.html").read_text("utf-8")
    capsys.readouterr()


def test_mkdocs_serve_refuses_a_named_pipe_and_a_link_out(project: Project) -> None:
    """`mkdocs serve` builds through the same plugin: it stops at once instead of hanging."""
    os.mkfifo(project.root / "docs" / "pipe.md")
    (project.root / "docs" / "env.txt").symlink_to("/proc/self/environ")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project.root, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert result.returncode != 0
    assert line("docs/env.txt", OUTSIDE) in result.stderr
    assert line("docs/pipe.md", "is a named pipe, not a regular file") in result.stderr


def test_docs_check_never_opens_a_pipe_in_place_of_a_derived_file(project: Project) -> None:
    dictionary = project.root / "docs" / "reference" / "data-dictionary.md"
    dictionary.unlink()
    os.mkfifo(dictionary)
    result = _run("build_tools", "docs", "--check", "--project", str(project.root))
    assert (result.returncode, result.stderr) == (
        1, "docs/reference/data-dictionary.md: out of date; run: livingreview docs\n")


def test_docs_replaces_a_link_in_place_of_a_derived_file_and_leaves_its_target(
    project: Project, tmp_path: Path, capsys
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-dotfile"
    outside.write_text("precious\n", "utf-8")
    dictionary = project.root / "docs" / "reference" / "data-dictionary.md"
    expected = dictionary.read_text("utf-8")
    dictionary.unlink()
    dictionary.symlink_to(outside)
    assert main(["docs", "--project", str(project.root)]) == 0
    assert not dictionary.is_symlink() and dictionary.read_text("utf-8") == expected
    assert outside.read_text("utf-8") == "precious\n"
    capsys.readouterr()


# --- studies/: records are read only from regular files -----------------------------------------

def test_a_socket_or_a_link_out_as_a_study_is_refused_by_name(
    project: Project, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(project.studies_dir)
    (project.studies_dir / "env.yaml").symlink_to("/proc/self/environ")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock.yaml")
        assert main(["validate", "--project", str(project.root)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "studies/env.yaml:1: (file): is a link, not a regular file "
        "(a plain file; links are not read)",
        "studies/sock.yaml:1: (file): is a socket, not a regular file "
        "(a plain file; links are not read)",
    ]
    assert err == "2 problem(s) in 2 file(s)\n"


# --- cache/: cached works are input too ---------------------------------------------------------

def test_a_link_out_of_the_project_in_the_crossref_cache_is_refused(
    project: Project, capsys
) -> None:
    """A pull request could replace a cache entry by a link to the CI runner's environment;
    the link is refused by name (validate and build), never read into a citation."""
    project.cache_dir.mkdir(parents=True, exist_ok=True)
    entry = project.cache_dir / "10.5555%2Fsynthetic-linked.json"
    entry.symlink_to("/proc/self/environ")
    shown = entry.relative_to(project.root).as_posix()
    assert main(["validate", "--project", str(project.root)]) == 1
    assert line(shown, OUTSIDE) in capsys.readouterr().out.splitlines()
    result = _run("build_tools", "build", "--project", str(project.root))
    assert result.returncode == 1
    assert line(shown, OUTSIDE) in result.stderr.splitlines()
    assert not project.site_dir.exists()
