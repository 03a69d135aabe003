"""CPU-bound work split over this machine's processors, with the output of one process.

Used where items are independent and the cost is pure Python (APA references through
citeproc-py: ~4-5 ms each, most of a cold build's own time at thousands of studies). The
first chunk runs here while forked workers run the others; results come back in input order.
Fork is used only where it is safe: a platform that has it and a process with no other
thread (a forked thread's locks could deadlock the child); otherwise, and on any failure to
start workers, everything runs here, with the same result.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def usable_processors() -> int:
    """Processors this process may run on (a container's or taskset's limit included)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def fork_is_safe() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def map_in_chunks(function: Callable[[list[Item]], list[Result]], items: Sequence[Item], *,
                  min_items: int, workers: int | None = None) -> list[Result]:
    """`function(items)`, computed in up to `workers` (default: every usable processor)
    contiguous chunks at once when there are at least `min_items`. `function` must be a
    module-level function (workers receive it by name) returning one result per item."""
    items = list(items)
    workers = usable_processors() if workers is None else workers
    if len(items) < max(min_items, 2) or workers < 2 or not fork_is_safe():
        return function(items)
    size = math.ceil(len(items) / workers)
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    try:
        with ProcessPoolExecutor(max_workers=len(chunks) - 1,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            pending = [pool.submit(function, chunk) for chunk in chunks[1:]]
            results = function(chunks[0])
            for future in pending:
                results += future.result()
    except (OSError, BrokenProcessPool):  # no workers could start or one died: do it here
        return function(items)
    return results
