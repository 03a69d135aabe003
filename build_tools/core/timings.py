"""Where a build's time goes: stages name themselves, and a caller who asks gets the table.

`livingreview build --timings` and the benchmarks read the same figures the command produces,
instead of re-running the pipeline by hand beside it (which drifts from what users run). The
recorder lives in a context variable, so stages need no extra argument and cost nothing when
nobody records.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StageTimes:
    """Seconds per stage, in the order stages first ran; nested stages count in their parent
    too (the table says which)."""

    seconds: dict[str, float] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    _open: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def top_level_total(self) -> float:
        """The time of the outermost stages, so nested ones are not counted twice."""
        return sum(s for name, s in self.seconds.items() if name not in self.parents)

    def as_lines(self) -> list[str]:
        lines = []
        for name, seconds in self.seconds.items():
            parent = self.parents.get(name)
            label = f"  {name} (in {parent})" if parent else name
            lines.append(f"{label:<32}{seconds:9.2f} s")
        lines.append(f"{'total of the stages':<32}{self.top_level_total():9.2f} s")
        return lines


def process_age() -> float | None:
    """Seconds since this process started (Linux /proc), so a table can show the start-up:
    the interpreter and the imports, which users wait for too. None where unknown."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of proc(5), counted after the command name
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


_RECORDER: ContextVar[StageTimes | None] = ContextVar("living_review_stage_times", default=None)


@contextmanager
def recording(*, since_start: bool = False) -> Iterator[StageTimes]:
    """Record the stages run inside the block; `since_start` first adds the process's start-up
    (interpreter and imports) as a stage of its own."""
    times = StageTimes()
    age = process_age() if since_start else None
    if age is not None:
        times.add("start-up", age)
    token = _RECORDER.set(times)
    try:
        yield times
    finally:
        _RECORDER.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage `name` when someone is recording; otherwise do nothing."""
    times = _RECORDER.get()
    if times is None:
        yield
        return
    if times._open and name not in times.parents and name not in times.seconds:
        times.parents[name] = times._open[-1]
    times._open.append(name)
    start = time.perf_counter()
    try:
        yield
    finally:
        times._open.pop()
        times.add(name, time.perf_counter() - start)
