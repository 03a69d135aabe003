"""The GitHub workflows and templates: linted by actionlint and zizmor (offline), least
privilege, actions pinned to full commit SHAs, and the steps the contributor workflow relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from build_tools.core.project import Project
from build_tools.records.load import load_records
from build_tools.records.schema import PackageSchema
from tests.conftest import REPO

GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")


def tool(name: str) -> str:
    """The linters come with the test extras, beside this Python."""
    found = Path(sys.executable).with_name(name)
    return str(found) if found.exists() else (shutil.which(name) or name)


def load(name: str) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); look it up under both.
    return yaml.safe_load((GITHUB / "workflows" / name).read_text("utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_both_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "publish.yml"]


def test_actionlint_passes() -> None:
    done = subprocess.run([tool("actionlint"), "-no-color", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_offline_passes_pedantic() -> None:
    done = subprocess.run([tool("zizmor"), "--offline", "--strict-collection",
                           "--persona=pedantic", "--no-progress", str(GITHUB / "workflows")],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


def test_zizmor_would_catch_an_unpinned_action(tmp_path) -> None:
    bad = tmp_path / ".github" / "workflows"
    bad.mkdir(parents=True)
    text = (GITHUB / "workflows" / "ci.yml").read_text("utf-8")
    (bad / "ci.yml").write_text(re.sub(r"@[0-9a-f]{40} # (v[\d.]+)", r"@\1", text), "utf-8")
    done = subprocess.run([tool("zizmor"), "--offline", "--no-progress", str(bad)],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version(path) -> None:
    uses = [line for line in path.read_text("utf-8").splitlines() if "uses:" in line]
    assert uses
    for line in uses:
        assert PINNED.match(line), line


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_pull_request_target(path) -> None:
    workflow = load(path.name)
    assert workflow["permissions"] == {"contents": "read"}
    assert "pull_request_target" not in triggers(workflow)
    for name, job in workflow["jobs"].items():
        writes = job.get("permissions", {})
        if path.name == "publish.yml" and name == "publish":
            assert writes == {"contents": "write"}
        else:
            assert writes == {}, name


def test_ci_runs_tests_validation_inline_and_a_strict_site_build() -> None:
    workflow = load("ci.yml")
    assert set(triggers(workflow)) == {"pull_request", "push"}
    runs = [step.get("run", "") for step in steps(workflow)]
    assert "make test" in runs
    assert any("livingreview validate --changed" in r and "--format github" in r for r in runs)
    full = next(s for s in steps(workflow) if s.get("run", "").startswith(
        ".venv/bin/livingreview validate --format github"))
    assert full["if"] == "github.event_name != 'pull_request'"  # a PR gets each problem once
    assert any("livingreview build --strict --site-dir site" in r for r in runs)
    upload = next(s for s in steps(workflow) if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site/"


def test_ci_runs_the_full_suite_only_for_generator_changes_and_always_the_smoke_test() -> None:
    jobs = load("ci.yml")["jobs"]
    test = next(job for job in jobs.values() if any(s.get("run") == "make test"
                                                    for s in job["steps"]))
    assert test["needs"] == "changes"
    assert test["if"] == "needs.changes.outputs.generator == 'true'"
    records = next(job for job in jobs.values() if any(
        "livingreview build --strict" in s.get("run", "") for s in job["steps"]))
    assert "if" not in records and "make smoke" in [s.get("run") for s in records["steps"]]
    assert "if" not in jobs["changes"]
    makefile = (REPO / "Makefile").read_text("utf-8")
    assert "smoke: $(TEST_STAMP)\n\t$(BIN)/python -m pytest tests/test_shipped_review.py\n" \
        in makefile


def test_make_test_and_make_lint_run_ruff_and_mypy() -> None:
    makefile = (REPO / "Makefile").read_text("utf-8")
    assert "LINT = $(BIN)/ruff check build_tools tests benchmarks && $(BIN)/mypy build_tools\n" \
        in makefile
    assert "lint: $(TEST_STAMP)\n\t$(LINT)\n" in makefile
    assert "\t@$(LINT) && $(BIN)/python -m pytest; \\\n" in makefile
    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    for setting in ("strict_optional = true", "disallow_untyped_defs = true",
                    "check_untyped_defs = true", "warn_unused_ignores = true"):
        assert setting in pyproject


def scope_of(tmp_path: Path, changed: list[str], event: str = "pull_request") -> str:
    """Run the CI step that decides whether a change touches the generator, in a real git
    repository where a branch changes `changed` on top of origin/main."""
    script = next(s for s in steps(load("ci.yml")) if s.get("id") == "scope")["run"]
    repo = tmp_path / "repo"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_CONFIG_GLOBAL": "/dev/null",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    repo.mkdir()
    git("init", "-q", "--initial-branch=main")
    (repo / "README.md").write_text("base\n")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    for name in changed:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("changed\n")
    git("add", "-A")
    git("commit", "-q", "-m", "change")
    output = tmp_path / "github_output"
    done = subprocess.run(["bash", "-e", "-c", script], cwd=repo, capture_output=True, text=True,
                          env=env | {"EVENT": event, "BASE_REF": "main",
                                     "GITHUB_OUTPUT": str(output)})
    assert done.returncode == 0, done.stderr
    return output.read_text("utf-8")


@pytest.mark.parametrize(("changed", "generator"), [
    (["studies/smith2020.yaml"], "false"),
    (["studies/smith2020.yaml", "cache/crossref/10.1_x.json", "review.yaml"], "false"),
    (["review.yaml"], "false"),
    (["studies/smith2020.yaml", "build_tools/pages/views.py"], "true"),
    (["tests/test_views.py"], "true"),
    (["schema/datapackage.yaml"], "true"),
    (["studies.md"], "true"),
    (["review.yaml.orig"], "true"),
    (["docs/studies/x.md"], "true"),
])
def test_ci_scope_step_sends_only_review_data_changes_to_the_smoke_test(
    tmp_path: Path, changed: list[str], generator: str
) -> None:
    assert scope_of(tmp_path, changed) == f"generator={generator}\n"


def test_ci_scope_step_runs_the_full_suite_on_pushes(tmp_path: Path) -> None:
    assert scope_of(tmp_path, ["studies/smith2020.yaml"], event="push") == "generator=true\n"


def test_publish_fetches_gh_pages_sets_identity_then_releases_with_push() -> None:
    workflow = load("publish.yml")
    assert triggers(workflow) == {"push": {"tags": ["v*"]}}
    runs = [step.get("run", "") for step in steps(workflow)]
    fetch = next(i for i, r in enumerate(runs) if "git fetch origin gh-pages --depth=1" in r)
    identity = next(i for i, r in enumerate(runs) if "git config user.email" in r)
    release = next(i for i, r in enumerate(runs) if "livingreview release" in r)
    assert fetch < release and identity < release
    assert '.venv/bin/livingreview release "${TAG#v}" --push' in runs[release]
    assert "${{" not in runs[release]  # the tag reaches the shell as data, never as code


def test_issue_form_asks_for_doi_eligibility_and_perspective() -> None:
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "propose-study.yml").read_text("utf-8"))
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert {"doi", "eligibility", "perspective"} <= set(fields)
    schema = PackageSchema.from_document(load_records(Project.at(REPO), only=set()).schema)
    enum = schema.studies.field("perspective").constraints["enum"]
    assert fields["perspective"]["attributes"]["options"] == enum
    for name in ("doi", "eligibility", "perspective"):
        assert fields[name]["validations"]["required"] is True


def test_codeowners_cover_studies_and_review_yaml() -> None:
    rules = [line.split() for line in (GITHUB / "CODEOWNERS").read_text("utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    patterns = {rule[0] for rule in rules if len(rule) >= 2}
    assert {"/studies/", "/review.yaml"} <= patterns


def test_pull_request_template_is_a_checklist_for_study_prs() -> None:
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text("utf-8")
    assert text.count("- [ ]") >= 6
    assert "livingreview validate" in text and "mkdocs serve" in text
