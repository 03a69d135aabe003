"""The one place besides git that starts a program: a Python call in a session of its own, for
work a command should not wait for (removing an old site of many thousand files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_started: list[subprocess.Popen[bytes]] = []  # kept so that finished ones are reaped


def start_detached_python(code: str, *args: str, cwd: Path) -> bool:
    """Run `python -c code ARGS` in its own session, without waiting; False when it could not
    start. Its output is discarded: the caller must make the work safe to redo or to lose."""
    _started[:] = [process for process in _started if process.poll() is None]
    try:
        _started.append(subprocess.Popen(
            [sys.executable, "-c", code, *args], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            close_fds=True, cwd=cwd))
    except (OSError, ValueError):
        return False
    return True
