"""`mkdocs serve` shows an edit to a study's YAML after one rebuild, and does not loop."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from build_tools.project import Project


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""  # not serving yet


def wait_for(condition, seconds: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_mkdocs_serve_reloads_a_study_edit_once(project: Project, tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "serve.log"
    mkdocs = Path(sys.executable).with_name("mkdocs")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(mkdocs), "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project.root, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/studies/aherne-2018/"
        original = "Constructivist grounded theory"
        assert wait_for(lambda: original in fetch(url)), log_path.read_text()
        study = project.studies_dir / "aherne-2018.yaml"
        study.write_text(study.read_text("utf-8").replace(
            "analysis_method: Constructivist grounded theory",
            "analysis_method: Edited grounded theory"), "utf-8")
        assert wait_for(lambda: "Edited grounded theory" in fetch(url)), log_path.read_text()
        time.sleep(3)  # a rebuild loop would keep building during this quiet time
        builds = log_path.read_text().count("Building documentation")
        assert builds == 2, log_path.read_text()
    finally:
        server.terminate()
        server.wait(timeout=20)
