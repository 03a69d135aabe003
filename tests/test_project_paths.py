"""How messages name a project's files (Project.display): relative to the project, forward
slashes, a link named as the link; outside the project, as given."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from build_tools.core.project import Project

_PART = st.sampled_from(["studies", "a.yaml", "..", ".", "", "x y", "é", "review.yaml"])


def _by_pathlib(project: Project, path: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(project.root).as_posix()
    except ValueError:
        return path.as_posix()


@given(parts=st.lists(_PART, max_size=5), anchored=st.booleans())
def test_display_names_a_path_as_pathlib_would(tmp_path_factory, parts: list[str],
                                               anchored: bool) -> None:
    project = Project.at(tmp_path_factory.getbasetemp() / "review")
    path = Path(project.root if anchored else "/elsewhere", *parts)
    assert project.display(path) == _by_pathlib(project, path)


def test_display_of_files_inside_outside_and_of_the_root(tmp_path: Path) -> None:
    project = Project.at(tmp_path / "review")
    assert project.display(project.studies_dir / "a.yaml") == "studies/a.yaml"
    assert project.display(project.root / "studies" / ".." / "review.yaml") == "review.yaml"
    assert project.display(project.root) == "."
    assert project.display(tmp_path / "reviewer" / "x.yaml") == f"{tmp_path}/reviewer/x.yaml"
    assert project.display(Path("/")) == "/"
