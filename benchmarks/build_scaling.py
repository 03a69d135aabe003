"""Build cost from 37 to 10,000 studies: time and peak memory of every stage, against MkDocs alone.

    python benchmarks/build_scaling.py                      # N = 37, 1000, 5000, 10000
    python benchmarks/build_scaling.py --sizes 37,1000      # a quicker run
    python benchmarks/build_scaling.py --options 1000       # search-index options at one N

Each N runs in fresh subprocesses (generate; our build; the floor), so peak memory is per run.
Time is wall-clock (time.perf_counter). Memory is the process's peak resident set size (RSS):
per stage, the kernel's high-water mark (VmHWM) is reset before the stage through
/proc/self/clear_refs and read after it, so a stage's figure includes what earlier stages still
hold; where that file is not writable, the stage shows the running peak (getrusage ru_maxrss).
The floor is a bare `mkdocs build` of the same generated Markdown and navigation, without our
plugin; its peak is the child's ru_maxrss from os.wait4. tracemalloc is not used: it slows
Python allocation several-fold and does not see C allocations, so its figures would mislead.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"

try:
    import mkdocs  # noqa: F401

    import build_tools  # noqa: F401
except ImportError:  # run with a Python that lacks the project: use the one `make site` made
    if VENV_PYTHON.exists() and Path(sys.executable).resolve() != VENV_PYTHON.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    raise

import yaml  # noqa: E402

from build_tools.core.errors import Problem  # noqa: E402
from build_tools.core.project import Project  # noqa: E402
from build_tools.evidence.assemble import assemble_evidence  # noqa: E402
from build_tools.evidence.checks import CheckedProject, check_records  # noqa: E402
from build_tools.evidence.review import build_review  # noqa: E402
from build_tools.pages import render  # noqa: E402
from build_tools.pages.downloads import download_pages  # noqa: E402
from build_tools.pages.generate import GeneratedSite  # noqa: E402
from build_tools.pages.render import render_pages  # noqa: E402
from build_tools.records.load import load_records  # noqa: E402
from build_tools.site import plugin as mkdocs_plugin  # noqa: E402
from build_tools.site.build import keep_unchanged_times, run_mkdocs  # noqa: E402
from build_tools.site.plugin import about_section, build_nav  # noqa: E402
from build_tools.site.staging import replace_directory  # noqa: E402

SIZES = (37, 1_000, 5_000, 10_000)
STAGES = ("load", "validate", "metadata", "assemble", "render", "downloads", "mkdocs", "update")
# Timed inside the stages above (the real calls, wrapped with a stopwatch): `references` and
# `evidence` inside render, `versions` (version pages, changelog, feed: the plugin's on_config)
# inside mkdocs. The tables show `render` and `mkdocs` without them.
PARTS = {"references": "render", "evidence": "render", "versions": "mkdocs"}
COLUMNS = ("load", "validate", "metadata", "assemble", "references", "evidence", "render",
           "downloads", "versions", "mkdocs", "update")
BEFORE_MKDOCS = ("load", "validate", "metadata", "assemble", "references", "evidence", "render",
                 "downloads", "versions")
MEMORY_STAGES = STAGES
MB = 1024 * 1024


# ---- memory ---------------------------------------------------------------------------------

def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measured(stage: str, results: dict[str, Any], action: Callable[[], Any]) -> Any:
    reset_peak()
    start = time.perf_counter()
    value = action()
    results[stage] = {"seconds": time.perf_counter() - start, "peak": peak_rss_bytes()}
    return value


# ---- child processes --------------------------------------------------------------------------

class GcClock:
    """Total time spent in Python's cyclic garbage collector (gc.callbacks), and how often."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.collections += 1

    def install(self) -> GcClock:
        import gc

        gc.callbacks.append(self)
        return self


def stopwatch(module: Any, name: str, parts: dict[str, float], part: str,
              results: list[Any] | None = None) -> None:
    """Wrap `module.name` so the time spent in it is added to parts[part] (and what it returns
    to `results`); behaviour unchanged."""
    function = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            value = function(*args, **kwargs)
        finally:
            parts[part] = parts.get(part, 0.0) + time.perf_counter() - start
        if results is not None:
            results.append(value)
        return value

    setattr(module, name, timed)


def generate_measured(project: Project, stages: dict[str, Any]) -> GeneratedSite:
    """The steps of pipeline.generate_site, each timed; its data dies with this frame."""
    records = measured("load", stages, lambda: load_records(project))
    assert records.schema is not None and records.review is not None

    def validate() -> CheckedProject:
        return check_records(project, records)  # as evidence.checks.check_project

    checked = measured("validate", stages, validate)
    schema, validation = checked.valid_schema(), checked.validation

    works = measured("metadata", stages, lambda: checked.works)  # read by check_records
    evidence = measured("assemble", stages, lambda: assemble_evidence(
        build_review(records.review), validation.tables, schema, works))
    pages = measured("render", stages, lambda: render_pages(evidence))
    pages += measured("downloads", stages, lambda: download_pages(
        evidence, schema, validation.tables))
    warnings: tuple[Problem, ...] = tuple(p for p in validation.problems
                                          if p.severity == "warning")
    return GeneratedSite(tuple(pages), evidence, warnings, schema, validation.tables)


def measure_build(root: Path, floor: Path) -> dict[str, Any]:
    """Our build, stage by stage: the steps of pipeline.generate_site (check_project included),
    then site.build_site's MkDocs run with our plugin (which adds the version pages) and update.
    """
    gc_clock = GcClock().install()
    parts: dict[str, float] = {}
    stopwatch(render, "cite_studies", parts, "references")
    stopwatch(render, "evidence_pages", parts, "evidence")
    stopwatch(mkdocs_plugin, "build_version", parts, "versions")
    added: list[list[Any]] = []  # the version pages the plugin adds, for the floor
    stopwatch(mkdocs_plugin, "version_pages", parts, "versions", added)
    project = Project.at(root)
    stages: dict[str, Any] = {}
    handover = [generate_measured(project, stages)]  # as build_site: MkDocs alone holds it
    pages = list(handover[0].pages)
    staging = Path(tempfile.mkdtemp(prefix=".site-new-", dir=root))
    measured("mkdocs", stages, lambda: run_mkdocs(project, handover, staging, strict=False))
    measured("update", stages, lambda: (keep_unchanged_times(staging, project.site_dir),
                                        replace_directory(staging, project.site_dir)))
    for part, stage in PARTS.items():
        seconds = parts.get(part, 0.0)
        stages[stage]["seconds"] -= seconds
        stages[part] = {"seconds": seconds}
    write_floor_project(root, floor, [*pages, *(page for found in added for page in found)])
    return {"stages": stages, "site": site_sizes(project.site_dir, pages),
            "gc": {"seconds": gc_clock.seconds, "collections": gc_clock.collections}}


def write_floor_project(root: Path, floor: Path, pages: list[Any]) -> None:
    """The same Markdown and navigation as plain files, and mkdocs.yml without our plugin.

    `pages` are all our build handed MkDocs: the generated pages and the version pages the
    plugin added in on_config (changelog, cite this version, updates feed).
    """
    docs = floor / "docs"
    for source in (root / "docs").rglob("*"):
        if source.is_file():
            target = docs / source.relative_to(root / "docs")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    for page in pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(page.content, bytes):
            target.write_bytes(page.content)
        else:
            target.write_text(page.content, "utf-8")
    config = (root / "mkdocs.yml").read_text("utf-8")
    config = re.sub(r"(?m)^  - living-review\s*$\n?", "", config)
    nav = build_nav(tuple(pages)) + about_section(root / "docs", tuple(pages))
    config += "\n" + yaml.safe_dump({"nav": nav, "not_in_nav": "studies/*.md"},
                                    sort_keys=False, allow_unicode=True)
    (floor / "mkdocs.yml").write_text(config, "utf-8")


def site_sizes(site: Path, pages: list[Any]) -> dict[str, Any]:
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    study_pages = [site / Path(p.path).with_suffix("") / "index.html" for p in pages
                   if p.nav is None and p.path.startswith("studies/")]
    study_bytes = [p.stat().st_size for p in study_pages if p.is_file()]
    index = site / "search" / "search_index.json"
    return {
        "bytes": total,
        "files": sum(1 for p in site.rglob("*") if p.is_file()),
        "study_page_mean": sum(study_bytes) / len(study_bytes) if study_bytes else 0,
        "study_page_max": max(study_bytes, default=0),
        "search_index": index.stat().st_size if index.exists() else 0,
    }


def run_child(arguments: list[str]) -> tuple[float, int, str]:
    """Run this script in a fresh interpreter: wall time, peak RSS (from wait4) and stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *arguments],
                                 stdout=out)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if child.returncode != 0:
        raise SystemExit(f"child {arguments} failed with exit code {child.returncode}")
    return seconds, usage.ru_maxrss * 1024, text


def floor_build(floor: Path) -> dict[str, Any]:
    """A bare `mkdocs build`, timed like our MkDocs stage: after the imports."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    gc_clock = GcClock().install()
    start = time.perf_counter()
    build(load_config(str(floor / "mkdocs.yml"), site_dir=str(floor / "site")))
    return {"seconds": time.perf_counter() - start, "gc": {"seconds": gc_clock.seconds,
                                                           "collections": gc_clock.collections}}


# ---- one N, the table ---------------------------------------------------------------------------

def measure_size(count: int, workdir: Path) -> dict[str, Any]:
    root, floor = workdir / f"review-{count}", workdir / f"floor-{count}"
    generation, _, _ = run_child(["--generate", str(count), str(root)])
    load_before = os.getloadavg()[0]
    _, build_peak, text = run_child(["--measure", str(root), str(floor)])
    result = json.loads(text)
    result["build_peak"] = build_peak
    _, floor_peak, text = run_child(["--floor", str(floor)])
    floor_result = json.loads(text)
    result.update(count=count, floor={**floor_result, "peak": floor_peak},
                  generation_seconds=generation, load=(load_before, os.getloadavg()[0]))
    floor_index = floor / "site" / "search" / "search_index.json"
    result["floor"]["search_index"] = floor_index.stat().st_size if floor_index.exists() else 0
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    head = ["N", *COLUMNS, "before MkDocs", "total", "floor", "before/floor", "total/floor",
            "GC s (build / floor)", "load avg"]
    rows = []
    for r in results:
        s = {k: v["seconds"] for k, v in r["stages"].items()}
        before = sum(s[k] for k in BEFORE_MKDOCS)
        total = sum(s.values())
        floor = r["floor"]["seconds"]
        rows.append([f"{r['count']:,}", *(f"{s[k]:.2f}" for k in COLUMNS), f"{before:.2f}",
                     f"{total:.2f}", f"{floor:.2f}", f"{before / floor:.1%}",
                     f"{total / floor:.2f}×",
                     f"{r['gc']['seconds']:.1f} / {r['floor']['gc']['seconds']:.1f}",
                     "{:.1f}–{:.1f}".format(*r["load"])])
    print("Wall time, seconds (references and evidence are timed inside render, versions inside "
          "mkdocs; render and mkdocs exclude them)\n")
    print(markdown_table(head, rows))
    head = ["N", *(f"{k} MB" for k in MEMORY_STAGES), "build peak MB", "floor peak MB",
            "site MB", "files", "search index MB", "study page KB (mean / max)"]
    rows = []
    for r in results:
        site = r["site"]
        rows.append([f"{r['count']:,}",
                     *(f"{r['stages'][k]['peak'] / MB:.0f}" for k in MEMORY_STAGES),
                     f"{r['build_peak'] / MB:.0f}", f"{r['floor']['peak'] / MB:.0f}",
                     f"{site['bytes'] / MB:.1f}", f"{site['files']:,}",
                     f"{site['search_index'] / MB:.2f}",
                     f"{site['study_page_mean'] / 1024:.1f} / {site['study_page_max'] / 1024:.1f}"])
    print("\nPeak resident memory (per stage: high-water mark during the stage) and site size\n")
    print(markdown_table(head, rows))
    print("\n" + "\n".join(target_lines(results)))


def target_lines(results: list[dict[str, Any]]) -> list[str]:
    by_count = {r["count"]: r for r in results}
    lines = ["Targets:"]
    worst = max(sum(r["stages"][k]["seconds"] for k in BEFORE_MKDOCS) / r["floor"]["seconds"]
                for r in results)
    lines.append(f"- before MkDocs <= 15% of the floor at every N: worst {worst:.1%} "
                 f"({'holds' if worst <= 0.15 else 'MISSED'})")
    if 1_000 in by_count and 10_000 in by_count:
        ratio = (sum(v["seconds"] for v in by_count[10_000]["stages"].values())
                 / sum(v["seconds"] for v in by_count[1_000]["stages"].values()))
        lines.append(f"- total(10,000) <= 12 x total(1,000): {ratio:.1f}x "
                     f"({'holds' if ratio <= 12 else 'MISSED'})")
    largest = max(results, key=lambda r: r["count"])
    peak = largest["build_peak"] / MB
    lines.append(f"- peak memory < 1.5 GB at {largest['count']:,}: {peak:.0f} MB "
                 f"({'holds' if peak < 1536 else 'MISSED'})")
    page = max(r["site"]["study_page_max"] for r in results) / 1024
    lines.append(f"- <= 40 KB per study page: largest {page:.1f} KB "
                 f"({'holds' if page <= 40 else 'MISSED'})")
    return lines


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    from importlib.metadata import version

    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{platform.platform()}, {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))})"
            f", {memory} RAM, Python {platform.python_version()}, mkdocs {version('mkdocs')}, "
            f"mkdocs-material {version('mkdocs-material')}, frictionless "
            f"{version('frictionless')}, Jinja2 {version('jinja2')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)),
                        help="comma-separated numbers of studies (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, help="keep the generated projects here")
    parser.add_argument("--options", type=int, metavar="N",
                        help="instead: compare search-index options for N studies")
    parser.add_argument("--generate", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=2, metavar=("DIR", "FLOOR"), help=argparse.SUPPRESS)
    parser.add_argument("--floor", metavar="FLOOR", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.generate:
        from synthetic import write_synthetic_project

        write_synthetic_project(Path(arguments.generate[1]), int(arguments.generate[0]))
        return
    if arguments.measure:
        print(json.dumps(measure_build(Path(arguments.measure[0]), Path(arguments.measure[1]))))
        return
    if arguments.floor:
        print(json.dumps(floor_build(Path(arguments.floor))))
        return
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # fixed: no git needed, same bytes
    with tempfile.TemporaryDirectory(prefix="lr-bench-") as scratch:
        workdir = arguments.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        if arguments.options:
            from search_options import compare_search_options

            compare_search_options(arguments.options, workdir, run_child)
            return
        print(f"Machine: {machine()}\n")
        results = []
        for count in (int(n) for n in arguments.sizes.split(",")):
            print(f"measuring N = {count:,} ...", file=sys.stderr, flush=True)
            results.append(measure_size(count, workdir))
        print_table(results)


if __name__ == "__main__":
    main()
