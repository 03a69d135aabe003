"""Child processes that a test interrupts with a real Ctrl+C (SIGINT)."""

from __future__ import annotations

import signal


def interruptible() -> None:
    """`preexec_fn` of such a child: it starts with SIGINT's default action, as from a terminal.
    A test run started with SIGINT ignored (a background job of a shell script) would pass the
    ignoring on, and Python keeps it: the child would never see the Ctrl+C it is tested on."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
