"""core.parallel: work split over forked processes gives the output of one process, in order.

APA references are the stage that uses it; both the helper and that stage are compared with
one process, and the helper is checked to have really used another process (a comparison alone
would pass with no worker at all). Each check runs in a fresh interpreter: the test process may
hold other threads (browser tests, servers), where the helper rightly declines to fork.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from typing import Any

import pytest

from build_tools.core import parallel
from tests.conftest import REPO

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="no fork on this platform: the helper runs in one process")


def process_of_each(items: list[int]) -> list[tuple[int, int]]:
    """Module level, as workers receive the function by name."""
    return [(item * item, os.getpid()) for item in items]


def in_fresh_interpreter(code: str) -> Any:
    """What `code` prints as JSON, run by a new Python in the repository (one thread)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, check=True, timeout=300)
    return json.loads(done.stdout)


def one_and_split(setup: str, result: str, threshold: str) -> Any:
    """`result` (an expression) computed in one process, then again with `threshold` (the
    caller's constant of when to fork) at 2 and three processors, in a fresh interpreter
    after `setup`: {'one', 'split', 'forks'}."""
    return in_fresh_interpreter(
        "import json\n"
        "from build_tools.core import parallel\n"
        f"{setup}"
        f"def result():\n    return {result}\n"
        "one = result()\n"
        f"{threshold} = 2\n"
        "parallel.usable_processors = lambda: 3\n"
        "print(json.dumps({'one': one, 'split': result(), 'forks': parallel.fork_is_safe()}))\n")


@needs_fork
def test_chunks_come_back_in_order_from_more_than_one_process() -> None:
    found = in_fresh_interpreter(
        "import json, os\n"
        "from build_tools.core import parallel\n"
        "from tests.test_parallel import process_of_each\n"
        "results = parallel.map_in_chunks(process_of_each, list(range(101)), min_items=2,"
        " workers=3)\n"
        "print(json.dumps({'results': results, 'here': os.getpid()}))\n")
    assert [square for square, _ in found["results"]] == [item * item for item in range(101)]
    processes = [pid for _, pid in found["results"]]
    assert processes[0] == found["here"] and len(set(processes)) > 1  # a worker may take two


def test_below_the_threshold_or_with_one_processor_it_runs_here() -> None:
    for results in (parallel.map_in_chunks(process_of_each, [1, 2, 3], min_items=4, workers=4),
                    parallel.map_in_chunks(process_of_each, [1, 2, 3], min_items=1, workers=1)):
        assert {pid for _, pid in results} == {os.getpid()}


@needs_fork
def test_apa_references_formatted_in_parallel_are_those_of_one_process() -> None:
    found = one_and_split(
        "from build_tools.formats import references\n"
        "from tests.refdata import hostile_study, scenario_studies\n"
        "references.article_entry = lambda item: None  # every item through citeproc-py\n"
        "studies = [*scenario_studies(), hostile_study()]\n",
        "[[r.study_id, r.text, str(r.markup)] for r in references.apa_references(studies)]",
        "references.PARALLEL_FROM")
    assert found["forks"], "the split run really used workers"
    assert found["split"] == found["one"] and len(found["one"]) > 2


@needs_fork
def test_bibtex_entries_written_in_parallel_are_those_of_one_process() -> None:
    found = in_fresh_interpreter(
        "import json\n"
        "from build_tools.core import parallel\n"
        "from build_tools.formats import exports\n"
        "from tests.refdata import hostile_study, scenario_studies\n"
        "items = exports.csl_items([*scenario_studies(), hostile_study()])\n"
        "one = exports.bibtex_text(items)\n"
        "exports._entry_texts.clear()\n"
        "exports.PARALLEL_FROM = 2\n"
        "parallel.usable_processors = lambda: 3\n"
        "exports.prepare_bibtex_entries(items)\n"
        "prepared = len(exports._entry_texts)\n"
        "print(json.dumps({'one': one, 'split': exports.bibtex_text(items),"
        " 'prepared': prepared, 'items': len(items)}))\n")
    assert found["prepared"] == found["items"] > 2  # all written by the split run
    assert found["split"] == found["one"]


@needs_fork
def test_study_pages_rendered_in_parallel_are_those_of_one_process(tmp_path: Any) -> None:
    found = one_and_split(
        "from pathlib import Path\n"
        "from build_tools.pages import study_pages\n"
        "from build_tools.pages.generate import generate_site\n"
        "from tests.factories import make_project\n"
        f"project = make_project(Path({str(tmp_path / 'review')!r}))\n",
        "[[p.path, p.content] for p in generate_site(project).pages"
        " if p.path.startswith('studies/')]",
        "study_pages.PARALLEL_FROM")
    assert found["forks"], "the split run really used workers"
    assert found["split"] == found["one"] and len(found["one"]) > 3


@needs_fork
def test_records_parsed_in_parallel_are_those_of_one_process(tmp_path: Any) -> None:
    """Documents and located problems, in file order, with and without a cache."""
    found = in_fresh_interpreter(
        "import json\n"
        "from pathlib import Path\n"
        "from build_tools.core import parallel\n"
        "from build_tools.records import load\n"
        "from tests.factories import make_project\n"
        f"root = Path({str(tmp_path)!r})\n"
        "project = make_project(root / 'review')\n"
        "(project.studies_dir / 'broken.yaml').write_text('id: [unclosed\\n', 'utf-8')\n"
        "(project.studies_dir / 'tabbed.yaml').write_text('id: x\\n\\tyear: 1\\n', 'utf-8')\n"
        "def loaded(cache):\n"
        "    records = load.load_records(project, output_cache=cache)\n"
        "    return [[[d.path, d.data, sorted(map(repr, d.lines.items()))]"
        " for d in records.studies], [str(p) for p in records.problems]]\n"
        "one = loaded(None)\n"
        "load.PARALLEL_FROM = 2\n"
        "parallel.usable_processors = lambda: 3\n"
        "cold = loaded(root / 'cache')\n"
        "from tests import cache_rows\n"
        "kept = len(cache_rows.rows(root / 'cache', 'parsed-yaml'))\n"
        "print(json.dumps({'one': one, 'split': loaded(None), 'cold': cold, 'kept': kept,"
        " 'warm': loaded(root / 'cache'), 'forks': parallel.fork_is_safe()}, default=str))\n")
    assert found["forks"], "the split run really used workers"
    assert found["split"] == found["cold"] == found["warm"] == found["one"]
    assert len(found["one"][0]) > 3 and len(found["one"][1]) >= 2
    assert found["kept"] == len(found["one"][0])  # every document kept, workers' too


@needs_fork
def test_crossref_entries_read_in_parallel_are_those_of_one_process(tmp_path: Any) -> None:
    """Every cached work, in DOI order; a missing and a damaged entry are left out alike."""
    found = one_and_split(
        "from pathlib import Path\n"
        "from build_tools.crossref import cache\n"
        "from tests.factories import make_project\n"
        f"project = make_project(Path({str(tmp_path / 'review')!r}))\n"
        "dois = [f'10.5555/Synthetic-{n}' for n in range(6)]\n"
        "entries = [cache.write_cached_work(project.cache_dir, cache.CachedWork("
        "doi, '2026-01-01T00:00:00Z', {'DOI': doi, 'title': [f'Synthetic {doi}']}))"
        " for doi in dois]\n"
        "entries[0].write_text('{not json', 'utf-8')\n"
        "dois += ['10.5555/not-cached', 'not a doi']\n",
        "[[doi, repr(work)] for doi, work in"
        " cache.read_cached_works(project.cache_dir, dois).items()]",
        "cache.PARALLEL_FROM")
    assert found["forks"], "the split run really used workers"
    assert found["split"] == found["one"] and len(found["one"]) > 2
