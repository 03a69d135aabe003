"""`livingreview init`: each kind of review starts complete, validates, builds strictly offline
and warns, with a location, while its example record is there; its Makefile builds it with
`make site` in a fresh virtual environment; its workflows pass the same linters as ours."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from build_tools.cli.main import main
from build_tools.core.errors import Code
from build_tools.core.mdtext import plain_title
from build_tools.core.project import Project
from build_tools.evidence.checks import check_project
from build_tools.pages.derived_docs import check_derived_files
from build_tools.scaffold.create import init_review
from build_tools.scaffold.install_source import install_source
from build_tools.scaffold.skeleton import KINDS, kinds_root, skeleton
from build_tools.site.build import build_site
from build_tools.site.site_assets import SCRIPTS, SOURCE, STYLESHEETS
from tests.conftest import REPO
from tests.test_workflows import tool

EXAMPLE_TITLE = "Example study — replace me"
EXPECTED_FILES = {
    "review.yaml", "schema/datapackage.yaml", "schema/study.schema.json", "mkdocs.yml",
    "Makefile", "README.md", "CONTRIBUTING.md", ".gitignore", ".github/workflows/ci.yml",
    ".github/workflows/publish.yml", "docs/about.md", "docs/reference/data-dictionary.md",
    "studies/example-study.yaml",
}


def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def schema_of(root: Path) -> dict[str, dict]:
    data = yaml.safe_load((root / "schema" / "datapackage.yaml").read_text("utf-8"))
    return {r["name"]: r for r in data["resources"]}


def fields_of(resource: dict) -> dict[str, dict]:
    return {f["name"]: f for f in resource["schema"]["fields"]}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    attempts: list[str] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(repr(address))
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_validates_and_builds_strictly_offline_with_a_located_example_warning(
        kind: str, tmp_path: Path, no_network: list[str]) -> None:
    root = init_review(tmp_path / "review", kind, install="living-review==0.1.0")
    assert files_of(root) == EXPECTED_FILES
    project = Project.at(root)
    checked = check_project(project)
    assert checked.ok, [str(p) for p in checked.problems]
    [warning] = checked.problems
    assert (warning.code, warning.severity) == (Code.EXAMPLE_RECORD, "warning")
    assert warning.file == "studies/example-study.yaml" and warning.field == "example"
    lines = (root / "studies" / "example-study.yaml").read_text("utf-8").splitlines()
    assert lines[warning.line - 1] == "example: true"
    check_derived_files(project)  # `livingreview docs --check` passes as made
    site = build_site(project, strict=True)
    page = (site / "studies" / "example-study" / "index.html").read_text("utf-8")
    assert "Example study" in page and "replace me" in page
    assert (site / "index.html").is_file()
    for path in (*STYLESHEETS, *SCRIPTS):  # the package's one copy, linked from every page
        assert (site / path).read_bytes() == (SOURCE / Path(path).name).read_bytes(), path
        assert f'"../../{path}"' in page, path
    assert no_network == []


def test_the_example_warning_goes_when_the_example_is_replaced(tmp_path: Path) -> None:
    root = init_review(tmp_path / "review", "qualitative", install="x")
    example = root / "studies" / "example-study.yaml"
    text = example.read_text("utf-8").replace("example: true\n", "")
    example.unlink()
    (root / "studies" / "first-real.yaml").write_text(
        text.replace("id: example-study", "id: first-real"), "utf-8")
    checked = check_project(Project.at(root))
    assert checked.ok and checked.problems == ()


def test_the_kinds_differ_in_schema_and_example(tmp_path: Path) -> None:
    roots = {kind: init_review(tmp_path / kind, kind, install="x") for kind in KINDS}
    qualitative = schema_of(roots["qualitative"])
    assert {"findings", "appraisals", "study_subthemes"} <= set(qualitative)
    answers = fields_of(qualitative["appraisals"])["answer"]["constraints"]["enum"]
    assert answers == ["yes", "no", "can't tell"]

    quantitative = schema_of(roots["quantitative"])
    assert "findings" not in quantitative
    judgements = fields_of(quantitative["appraisals"])["answer"]["constraints"]["enum"]
    assert judgements == ["low", "some concerns", "high"]
    effects = fields_of(quantitative["effects"])
    assert {"outcome", "measure", "value", "ci_lower", "ci_upper"} <= set(effects)
    review = yaml.safe_load((roots["quantitative"] / "review.yaml").read_text("utf-8"))
    domains = [q["text"] for q in review["appraisal_tool"]["questions"]]
    assert len(domains) == 5 and domains[0] == "Bias arising from the randomisation process"
    trial = yaml.safe_load((roots["quantitative"] / "studies/example-study.yaml").read_text())
    assert trial["effects"][0]["outcome"] == "example-outcome"

    bibliography = schema_of(roots["bibliography"])
    assert "appraisals" not in bibliography and "findings" not in bibliography
    assert ["doi", "arxiv", "title"] in bibliography["studies"]["x-require-one-of"]
    assert "arxiv" in fields_of(bibliography["studies"])

    for kind, root in roots.items():
        record = yaml.safe_load((root / "studies" / "example-study.yaml").read_text("utf-8"))
        assert record["example"] is True and record["title"] == EXAMPLE_TITLE, kind
        assert "doi" not in record, "an example must not point at a real work"


def test_an_arxiv_only_paper_validates_and_a_malformed_arxiv_id_does_not(tmp_path: Path) -> None:
    root = init_review(tmp_path / "bib", "bibliography", install="x")
    paper = root / "studies" / "preprint.yaml"
    record = ("id: preprint\ntitle: A synthetic preprint\narxiv: '{}'\n"
              "sources:\n  - description: Synthetic, for the test\n")
    paper.write_text(record.format("2101.00001"), "utf-8")
    assert check_project(Project.at(root)).ok
    paper.write_text(record.format("2101.00001x"), "utf-8")
    problems = [p for p in check_project(Project.at(root)).problems if p.severity == "error"]
    assert [(p.file, p.field) for p in problems] == [("studies/preprint.yaml", "arxiv")]


@pytest.mark.parametrize("title", ["Exercise for low back pain: a living review",
                                   'A "quoted" #title & <tags> — é', "- starts like a list",
                                   "yes", "{not: a mapping}", "@@INSTALL@@ stays"])
def test_the_title_is_kept_in_review_yaml_mkdocs_yml_and_the_readme(
        title: str, tmp_path: Path) -> None:
    root = init_review(tmp_path / "r", "quantitative", title, install="x")
    assert yaml.safe_load((root / "review.yaml").read_text("utf-8"))["title"] == title
    mkdocs = (root / "mkdocs.yml").read_text("utf-8")
    assert yaml.safe_load(mkdocs)["site_name"] == plain_title(title)  # MkDocs prints it raw
    assert (root / "README.md").read_text("utf-8").startswith(f"# {title}\n")


def test_the_readme_says_what_to_edit_in_order_and_how_to_choose_the_package(
        tmp_path: Path) -> None:
    root = init_review(tmp_path / "r", "bibliography", install="-e /somewhere/living-review")
    readme = (root / "README.md").read_text("utf-8")
    steps = [readme.index(f"{n}. **{name}") for n, name in
             enumerate(["`review.yaml`", "`schema/datapackage.yaml`", "`mkdocs.yml`",
                        "`studies/`"], start=1)]
    assert steps == sorted(steps)
    assert "LIVING_REVIEW" in readme and "-e /somewhere/living-review" in readme
    makefile = (root / "Makefile").read_text("utf-8")
    assert "LIVING_REVIEW ?= -e /somewhere/living-review\n" in makefile
    assert "paper" in readme and "@@" not in readme + makefile


def test_the_package_comes_from_the_running_checkout_when_installed_editable() -> None:
    source = install_source()
    if not source.startswith("-e "):
        pytest.skip(f"living-review is not installed editable here ({source})")
    assert Path(source.removeprefix("-e ").strip("'")) == REPO


def test_the_site_assets_have_one_copy_in_the_package() -> None:
    """A new review and the shipped one get the site's CSS and JavaScript from the package
    (site/site_assets.py): neither carries a copy that could fall behind it."""
    shipped = sorted(p.name for p in SOURCE.iterdir())
    assert shipped == sorted(Path(path).name for path in (*STYLESHEETS, *SCRIPTS))
    for kind in KINDS:
        assert not [name for name in skeleton(kind, "T", "x") if name.startswith("docs/assets/")]
    assert not (REPO / "docs" / "assets").exists()
    assert not kinds_root().joinpath("common", "docs", "assets").is_dir()


def test_every_skeleton_file_is_filled_in() -> None:
    for kind in KINDS:
        for name, text in skeleton(kind, "T", "x").items():
            assert "@@" not in text, (kind, name)


def test_the_generated_workflows_pass_actionlint_and_zizmor(tmp_path: Path) -> None:
    root = init_review(tmp_path / "r", "qualitative", install="x")
    workflows = sorted((root / ".github" / "workflows").glob("*.yml"))
    done = subprocess.run([tool("actionlint"), "-no-color", *map(str, workflows)],
                          capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([tool("zizmor"), "--offline", "--strict-collection",
                           "--persona=pedantic", "--no-progress", str(root / ".github/workflows")],
                          capture_output=True, text=True, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    ci = yaml.safe_load((root / ".github/workflows/ci.yml").read_text("utf-8"))
    assert "pull_request" in ci[True]
    runs = " ".join(step.get("run", "") for step in ci["jobs"]["records"]["steps"])
    assert "livingreview validate" in runs and "build --strict" in runs


def test_the_cli_makes_a_review_and_says_what_next(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--kind", "bibliography", "--title", "A bibliography",
                 str(tmp_path / "new")]) == 0
    target = tmp_path / "new"
    assert capsys.readouterr().out == (
        f"Made a new review (bibliography) in {target}\n"
        f"Next: cd {target} && make site, then read README.md (what to edit, in order)\n")
    assert (tmp_path / "new" / "review.yaml").is_file()


def test_make_site_builds_the_new_review_in_a_fresh_venv(tmp_path: Path) -> None:
    """The whole promise: init, then `make site`, which makes .venv and installs living-review
    from this checkout (the Makefile's default when the tool runs from one); then `make test`."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = init_review(tmp_path / "review", "quantitative")
    assert f"LIVING_REVIEW ?= -e {REPO}\n" in (root / "Makefile").read_text("utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PYTHON"] = sys.executable  # `-m venv` from a venv makes a venv of its base Python
    done = subprocess.run(["make", "site"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (root / ".venv" / "bin" / "livingreview").is_file()
    assert (root / "site" / "studies" / "example-study" / "index.html").is_file()
    assert "studies/example-study.yaml:5: example:" in done.stdout + done.stderr
    done = subprocess.run(["make", "test"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "pip install" not in done.stdout  # installed once, not again

class FakeDistribution:
    def __init__(self, direct_url: str | None) -> None:
        self.version = "9.8.7"
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


@pytest.mark.parametrize(("direct_url", "expected"), [
    (None, "living-review==9.8.7"),  # from an index: pinned
    ('{"url": "https://github.com/o/r", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}',
     "git+https://github.com/o/r@abc123"),
    ('{"url": "file:///nowhere/at/all", "dir_info": {}}', "living-review==9.8.7"),
    ("not json", "living-review==9.8.7"),
])
def test_an_installed_tool_names_its_own_source(direct_url: str | None, expected: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from build_tools.scaffold import install_source as module

    monkeypatch.setattr(module, "running_checkout", lambda: None)
    monkeypatch.setattr(module.metadata, "distribution",
                        lambda name: FakeDistribution(direct_url))
    assert module.install_source() == expected


def test_an_installed_tool_from_a_local_folder_names_it(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from build_tools.scaffold import install_source as module

    folder = tmp_path / "my checkout"
    folder.mkdir()
    monkeypatch.setattr(module, "running_checkout", lambda: None)
    url = folder.as_uri()
    monkeypatch.setattr(module.metadata, "distribution", lambda name: FakeDistribution(
        f'{{"url": "{url}", "dir_info": {{"editable": true}}}}'))
    assert module.install_source() == f"-e '{folder}'"
