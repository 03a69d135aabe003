"""core.parallel: work split over forked processes gives the output of one process, in order.

APA references are the stage that uses it; both the helper and that stage are compared with
one process, and the helper is checked to have really used another process (a comparison alone
would pass with no worker at all)."""

from __future__ import annotations

import os

import pytest

from build_tools.core import parallel
from build_tools.formats import references
from tests.refdata import hostile_study, scenario_studies


def process_of_each(items: list[int]) -> list[tuple[int, int]]:
    """Module level, as workers receive the function by name."""
    return [(item * item, os.getpid()) for item in items]


def test_chunks_come_back_in_order_from_more_than_one_process() -> None:
    if not parallel.fork_is_safe():
        pytest.skip("no safe fork in this process: the helper runs everything here by design")
    items = list(range(101))
    results = parallel.map_in_chunks(process_of_each, items, min_items=2, workers=3)
    assert [square for square, _ in results] == [item * item for item in items]
    processes = [pid for _, pid in results]
    assert processes[0] == os.getpid() and len(set(processes)) > 1  # a worker may take two


def test_below_the_threshold_or_with_one_processor_it_runs_here() -> None:
    for results in (parallel.map_in_chunks(process_of_each, [1, 2, 3], min_items=4, workers=4),
                    parallel.map_in_chunks(process_of_each, [1, 2, 3], min_items=1, workers=1)):
        assert {pid for _, pid in results} == {os.getpid()}


def test_apa_references_formatted_in_parallel_are_those_of_one_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    studies = [*scenario_studies(), hostile_study()]
    one_process = [(r.study_id, r.text, str(r.markup))
                   for r in references.apa_references(studies)]
    monkeypatch.setattr(references, "PARALLEL_FROM", 2)
    monkeypatch.setattr(parallel, "usable_processors", lambda: 3)
    split = [(r.study_id, r.text, str(r.markup)) for r in references.apa_references(studies)]
    assert split == one_process and len(split) == len(studies) > 2
