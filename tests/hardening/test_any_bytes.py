"""Any bytes in, no traceback out: property-based tests of the loader, validation and the build.

Hypothesis feeds arbitrary bytes, arbitrary YAML structures (deep, lists and mappings where text
belongs, control characters, lone surrogates, bidi controls, several encodings, very long text)
and arbitrary Crossref cache entries to a copy of the tiny synthetic review. The property: the
outcome is valid, or a list of located problems (file, line, field, message, each one printable
line), never another exception; and a valid project goes through every stage before MkDocs
(pipeline.generate_site) with pages that can be written as UTF-8. All data here is synthetic.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from build_tools.cli.main import main
from build_tools.core.errors import InvalidRecords, Problem, YamlProblem
from build_tools.core.project import Project
from build_tools.crossref.cache import CachedWork, cache_path, write_cached_work
from build_tools.evidence.checks import check_project
from build_tools.pages.generate import generate_site
from build_tools.records.yaml_source import parse_yaml
from tests.conftest import SCENARIOS, copy_project
from tests.crossref_fixtures import work

pytestmark = pytest.mark.hardening

FAST = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROJECT = settings(max_examples=30, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TINY = SCENARIOS / "tiny-review"
STUDY_FILE = "studies/synthetic-one.yaml"
DOI = "10.1234/synthetic-one"
BASE_STUDY: dict[str, Any] = yaml.safe_load((TINY / STUDY_FILE).read_text("utf-8"))
BASE_REVIEW: dict[str, Any] = yaml.safe_load((TINY / "review.yaml").read_text("utf-8"))
BASE_WORK = work("10.1136_jclinpath-2020-206745.json")

HOSTILE = list("\x00\x07\x08\x0b\x0c\x0e\x1b\x7f\x85\x9f\r\t\n\u2028\u2029\u202a\u202e\u2066"
               "\u2069\u200f\ufeff\ufffe\uffff\ud800\udfff:#-?[]{},&*!|>'\"%@` \\")
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
             "latin-1"]

characters = st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE))
texts = st.one_of(st.text(characters, max_size=24),
                  st.integers(1_000, 20_000).map(lambda n: "long text " * (n // 10)))
scalars = st.one_of(texts, st.integers(), st.integers(-(2**70), 2**70), st.floats(),
                    st.booleans(), st.none(), st.dates())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)), max_leaves=12)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(characters)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(characters), inner, max_size=4)),
    max_leaves=12)


@pytest.fixture(autouse=True, scope="module")
def _pinned_build_date() -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1750000000"
    yield
    if before is None:
        del os.environ["SOURCE_DATE_EPOCH"]
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


# --- what every outcome must look like ---------------------------------------------------------

def assert_located(problems: tuple[Problem, ...] | list[Problem], files: set[str]) -> None:
    """Each problem names a known file, a line, a field and what is wrong, on one UTF-8 line."""
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file in files, problem
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert problem.field and problem.message, problem
        text = str(problem)
        assert "\n" not in text and "\r" not in text, text
        text.encode("utf-8")


def check_and_generate(project: Project) -> bool:
    """Validate, then (when valid) run every stage before MkDocs; only located problems fail.

    True when the site was generated (counted by Hypothesis' statistics, so a strategy that
    never reaches the build shows up)."""
    files = {"review.yaml", STUDY_FILE, "schema/datapackage.yaml", "studies",
             *(t for t in ("studies", "themes", "subthemes", "study_subthemes", "appraisals",
                           "sources", "appraisal_questions", "search_rounds", "prisma_counts",
                           "findings", "review_citation"))}
    problems = check_project(project).problems  # the schema's own problems included
    assert_located(problems, files)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["validate", "--project", str(project.root)])
    assert code in (0, 1), out.getvalue()
    assert "Traceback" not in out.getvalue()
    try:
        site = generate_site(project)
    except InvalidRecords as error:
        assert code == 1
        assert_located(error.problems, files)
        return False
    assert code == 0, out.getvalue()
    for page in site.pages:
        if isinstance(page.content, str):
            page.content.encode("utf-8")
    return True


def count(generated: bool) -> None:
    event("valid, site generated" if generated else "refused with located problems")


@contextlib.contextmanager
def tiny_project() -> Iterator[Project]:
    with tempfile.TemporaryDirectory() as folder:
        yield copy_project(TINY, Path(folder))


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace")


# --- the YAML loader ---------------------------------------------------------------------------

@FAST
@given(st.binary(max_size=2_000))
def test_any_bytes_parse_or_give_located_problems(raw: bytes) -> None:
    try:
        parse_yaml(raw, STUDY_FILE)
    except YamlProblem as error:
        assert_located(error.problems, {STUDY_FILE})


@FAST
@given(values, st.sampled_from(ENCODINGS))
def test_any_yaml_structure_in_any_encoding_parses_or_gives_located_problems(
    data: Any, encoding: str
) -> None:
    try:
        document = parse_yaml(encode(dump(data), encoding), STUDY_FILE)
    except YamlProblem as error:
        assert_located(error.problems, {STUDY_FILE})
    else:
        json.dumps(document.data, default=str).encode("utf-8")  # every text is writable


@FAST
@given(st.text(characters, max_size=300), st.data())
def test_any_character_anywhere_in_a_record_parses_or_gives_located_problems(
    noise: str, data: st.DataObject
) -> None:
    text = dump(BASE_STUDY)
    at = data.draw(st.integers(0, len(text)))
    try:
        parse_yaml(encode(text[:at] + noise + text[at:], "utf-8"), STUDY_FILE)
    except YamlProblem as error:
        assert_located(error.problems, {STUDY_FILE})


@FAST
@given(st.integers(1, 5_000), st.sampled_from(["[", "{a: ", "- ", "a:\n"]))
def test_any_depth_of_nesting_parses_or_gives_located_problems(depth: int, opener: str) -> None:
    if opener in ("a:\n", "- "):
        depth = min(depth, 600)  # indented: the text grows with the square of the depth
    if opener == "a:\n":
        raw = "".join(" " * level + "a:\n" for level in range(depth)) + " " * depth + "x\n"
    elif opener == "- ":
        raw = "".join("  " * level + "-\n" for level in range(depth)) + "  " * depth + "x\n"
    else:
        raw = opener * depth + "x" + ("]" if opener == "[" else "}") * depth + "\n"
    try:
        parse_yaml(raw.encode(), STUDY_FILE)
    except YamlProblem as error:
        assert_located(error.problems, {STUDY_FILE})


# --- records, review.yaml and the Crossref cache, through validate and the build ---------------

def paths_of(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a structure, so a hostile value can be put at any of them."""
    found = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_of(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_of(value, (*path, index))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(data, default=str))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


STUDY_PLACES = [*paths_of(BASE_STUDY), ("doi",), ("authors",), ("year",), ("country",),
                ("appraisal",), ("jounral",), ("sources", 0, "url")]
REVIEW_PLACES = [*paths_of(BASE_REVIEW), ("titel",), ("short_title",), ("living",),
                 ("protocol",), ("key_findings",), ("methods",), ("citation",)]


@PROJECT
@given(st.sampled_from(STUDY_PLACES), st.one_of(texts, values),
       st.sampled_from(["utf-8", "utf-8", "utf-16-le"]))
def test_a_record_with_any_value_anywhere_validates_or_gives_located_problems(
    place: tuple[Any, ...], value: Any, encoding: str
) -> None:
    with tiny_project() as project:
        record = replaced(BASE_STUDY, place, value) if place[-1] != 0 or len(place) < 3 else \
            BASE_STUDY
        (project.root / STUDY_FILE).write_bytes(encode(dump(record), encoding))
        count(check_and_generate(project))


@PROJECT
@given(st.sampled_from(REVIEW_PLACES), st.one_of(texts, values))
def test_a_review_with_any_value_anywhere_validates_or_gives_located_problems(
    place: tuple[Any, ...], value: Any
) -> None:
    with tiny_project() as project:
        project.review_file.write_text(dump(replaced(BASE_REVIEW, place, value)), "utf-8")
        count(check_and_generate(project))


@PROJECT
@given(st.one_of(
    st.binary(max_size=500),
    st.tuples(st.sampled_from(sorted(BASE_WORK)), json_values).map(
        lambda change: json.dumps({"doi": DOI, "retrieved": "2026-06-16T13:35:00Z",
                                   "work": {**BASE_WORK, change[0]: change[1]}}).encode()),
    st.integers(1, 3_000).map(
        lambda depth: (f'{{"doi": "{DOI}", "retrieved": "x", "work": {{"title": '
                       f'{"[" * depth}"x"{"]" * depth}}}}}').encode()),
))
def test_any_crossref_cache_entry_builds_or_gives_located_problems(raw: bytes) -> None:
    with tiny_project() as project:
        record = {**BASE_STUDY, "doi": DOI}
        (project.root / STUDY_FILE).write_text(dump(record), "utf-8")
        path = cache_path(project.cache_dir, DOI)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        count(check_and_generate(project))


def test_a_cached_work_with_text_in_every_field_builds() -> None:
    """The text fields of a real work, each given hostile characters, still build."""
    hostile = "a\x00b\x1b[31m\u202eevil\ud800\ufffe"
    odd = {key: hostile if isinstance(value, str) else value for key, value in BASE_WORK.items()}
    odd["title"] = [hostile]
    with tiny_project() as project:
        (project.root / STUDY_FILE).write_text(dump({**BASE_STUDY, "doi": DOI}), "utf-8")
        write_cached_work(project.cache_dir, CachedWork(DOI, "2026-06-16T13:35:00Z", odd))
        assert check_and_generate(project)
        site = generate_site(project)
        page = next(p for p in site.pages if p.path == "studies/synthetic-one.md")
        assert "\u202e" not in str(page.content) and "\x00" not in str(page.content)
