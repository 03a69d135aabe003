"""`livingreview build --timings`: the command reports its own stages (benchmarks read them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools.cli.main import main
from build_tools.core.timings import StageTimes, recording, stage
from tests.factories import make_project


def test_stages_record_only_while_someone_records() -> None:
    with stage("outside"):
        pass
    with recording() as times:
        with stage("outer"), stage("inner"):
            pass
        with stage("outer"):
            pass
    assert list(times.seconds) == ["inner", "outer"]
    assert times.parents == {"inner": "outer"}
    assert times.top_level_total() == times.seconds["outer"]
    with recording() as later:
        pass
    assert later.seconds == {}


def test_a_nested_stage_is_not_counted_twice_in_the_total() -> None:
    times = StageTimes({"render": 2.0, "references": 1.5, "mkdocs": 3.0}, {"references": "render"})
    assert times.top_level_total() == 5.0
    assert times.as_lines()[1].startswith("  references (in render)")


def test_build_prints_its_stage_table_on_request(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path / "review", "tiny-review")
    assert main(["build", "--timings", "--project", str(project.root)]) == 0
    err = capsys.readouterr().err
    for name in ("start-up", "load", "validate", "assemble", "mkdocs", "swap",
                 "total of the stages"):
        assert f"\n{name} " in f"\n{err}", err
    assert "  pages (in mkdocs)" in err  # our pages are made in the plugin, as MkDocs starts
    assert main(["build", "--project", str(project.root)]) == 0
    assert "total of the stages" not in capsys.readouterr().err
