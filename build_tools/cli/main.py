"""The `livingreview` command: a thin layer that parses options and calls the library."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from build_tools import __version__
from build_tools.cli.annotations import github_annotations
from build_tools.cli.command import Commands, add_command
from build_tools.cli.export import register_export_docs
from build_tools.cli.init import register_init
from build_tools.cli.release import register_release, register_verify
from build_tools.core import timings
from build_tools.core.errors import InvalidRecords, Problem, ReviewError, StaleDocs, escape_controls
from build_tools.core.output_cache import default_cache_root
from build_tools.core.project import Project, require_project
from build_tools.evidence.changed import DEFAULT_BASE, ChangedValidation, validate_changed
from build_tools.evidence.checks import check_project
from build_tools.pages.derived_docs import check_derived_files, write_derived_files
from build_tools.site.build import build_site
from build_tools.versions.versioning import RELEASE_ENV, release_from_environment

if TYPE_CHECKING:
    from build_tools.crossref.client import CrossrefClient



def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    try:
        if getattr(args, "project", None) is not None:
            require_project(args.project)
        return int(args.handler(args))
    except KeyboardInterrupt:
        # Ctrl-C: one line, no traceback; a build cleans up its staging folder on the way out
        done = "the previous site was not changed" if args.handler is run_build else "stopped"
        print(f"interrupted: {done}", file=sys.stderr)
        return 130
    except InvalidRecords as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(failure_line(args, error.problems), file=sys.stderr)
        return 1
    except StaleDocs as error:
        print(error, file=sys.stderr)  # one line per file, its name escaped
        return 1
    except ReviewError as error:
        if args.debug:
            raise
        print(f"error: {escape_controls(str(error))}", file=sys.stderr)
        return 1


def failure_line(args: argparse.Namespace, problems: Sequence[Problem]) -> str:
    """The command's own line after invalid records: what stopped, what was left unchanged."""
    values = {name: escape_controls(str(value)) for name, value in vars(args).items()}
    return str(args.failure).format_map({**values, "summary": _summary(problems)})


class EscapingFormatter(logging.Formatter):
    """Log lines (MkDocs' warnings name files of docs/) with control characters escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return escape_controls(super().format(record))


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livingreview",
        description="Build and maintain a living systematic review site.",
        epilog="Example: livingreview validate && livingreview build",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", type=Path, default=Path("."),
                        help="the review project's folder (default: the current folder)")
    common.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in COMMANDS:
        register(commands, common)
    return parser


def register_validate(commands: Commands, common: argparse.ArgumentParser) -> None:
    parser = add_command(commands, common, "validate",
                         "Check review.yaml and every study record; list all problems at once.",
                         "livingreview validate --changed origin/main --format github",
                         run_validate, "validation stopped: {summary}")
    parser.add_argument("--format", choices=["text", "json", "github"], default="text",
                        help="text for people (default), json for machines, github for inline "
                             "annotations on a pull request (::error file=…,line=…::…)")
    parser.add_argument("--changed", nargs="?", const=DEFAULT_BASE, default=None, metavar="BASE",
                        help="check only the study files changed against the git base BASE "
                             f"(default {DEFAULT_BASE}), plus duplicate ids and DOIs against all "
                             "studies; a change to review.yaml or the schema checks everything")


def run_validate(args: argparse.Namespace) -> int:
    project = Project.at(args.project)
    if args.changed is not None:
        result = validate_changed(project, args.changed)
        checked, scope = result.checked, changed_scope(result)
    else:
        checked = check_project(project)
        scope = f"{len(checked.records.studies)} study record(s)"
    records, problems = checked.records, list(checked.problems)
    errors = [p for p in problems if p.severity == "error"]
    if args.format == "json":
        print(json.dumps({
            "valid": not errors,
            "studies": len(records.studies),
            "problems": [p.to_dict() for p in problems],
        }, indent=2, ensure_ascii=False))
        return 1 if errors else 0
    lines = github_annotations(problems) if args.format == "github" else [str(p) for p in problems]
    for line in lines:
        print(line)
    if errors:
        print(_summary(problems), file=sys.stderr)
        return 1
    suffix = f", {len(problems)} warning(s)" if problems else ""
    print(f"{scope} and review.yaml are valid{suffix}")
    return 0


def changed_scope(result: ChangedValidation) -> str:
    """What `--changed` checked, said before the verdict."""
    if result.changed.everything:
        return (f"review.yaml or the schema changed since {result.changed.base}, "
                f"so all {len(result.checked.records.studies)} study record(s)")
    return (f"{len(result.changed.studies)} changed study record(s) of {result.total_studies} "
            f"(since {result.changed.base})")


def register_build(commands: Commands, common: argparse.ArgumentParser) -> None:
    parser = add_command(commands, common, "build",
                         "Validate, generate and build the site with MkDocs, offline.",
                         "livingreview build --strict", run_build,
                         "build stopped: {summary}; the site was not changed")
    parser.add_argument("--strict", action="store_true", help="treat MkDocs warnings as errors")
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="where to put the site (default: site/ in the project)")
    parser.add_argument("--offline", action="store_true",
                        help="a site that works opened from disk (file://), without a server: "
                             "page links end in .html and search runs without a server")
    parser.add_argument("--no-cache", action="store_true",
                        help="make every output afresh instead of reusing what earlier builds "
                             "kept (parsed records, formatted references, rendered pages, in "
                             "$LIVINGREVIEW_CACHE_DIR, default ~/.cache/living-review); the "
                             "site is the same either way")
    parser.add_argument("--timings", action="store_true",
                        help="print where the build's time went, stage by stage (on stderr)")
    parser.add_argument("--release", metavar="VERSION", default=None,
                        help="build this released version (recorded in releases/VERSION/) "
                             "with its date, citation and manifest; default: "
                             f"${RELEASE_ENV} if set, else a development build")


def run_build(args: argparse.Namespace) -> int:
    project = Project.at(args.project)
    with timings.recording(since_start=True) as times:
        try:
            site_dir = build_site(project, strict=args.strict, site_dir=args.site_dir,
                                  offline=args.offline,
                                  release=args.release or release_from_environment(),
                                  output_cache=None if args.no_cache else default_cache_root())
        finally:
            if args.timings:
                print("\n".join(times.as_lines()), file=sys.stderr)
    print(f"Site built in {site_dir}")
    if args.offline:
        print(f"Open it from disk: {_typed_path(site_dir / 'index.html')}")
    else:
        print(f"Preview it with: {serve_command(project)}")
    return 0


def serve_command(project: Project) -> str:
    """`livingreview serve` as it works when typed in the current folder.

    The program is the one running now: plain `livingreview` when that is what PATH finds,
    else its path (`.venv/bin/livingreview` after `make site`); `--project` when needed.
    """
    script = Path(sys.executable).parent / "livingreview"
    found = shutil.which("livingreview")
    if found and script.is_file() and Path(found).resolve() == script.resolve():
        words = ["livingreview"]
    elif script.is_file():
        words = [_typed_path(script, program=True)]
    else:  # not installed as a script (a bare checkout): the module runs the same CLI
        words = [_typed_path(Path(sys.executable), program=True), "-m", "build_tools"]
    words.append("serve")
    if project.root != Path.cwd().resolve():
        words += ["--project", _typed_path(project.root)]
    return shlex.join(words)


def _typed_path(path: Path, *, program: bool = False) -> str:
    """A path relative to the current folder when it is inside it, else absolute; a program
    in the current folder itself gets `./`, or the shell would look for it on PATH."""
    relative = os.path.relpath(os.path.abspath(path))
    if relative.startswith(os.pardir):
        return os.path.abspath(path)
    return f".{os.sep}{relative}" if program and os.sep not in relative else relative


def register_serve(commands: Commands, common: argparse.ArgumentParser) -> None:
    parser = add_command(commands, common, "serve",
                         "Preview the site at http://127.0.0.1:8000/ with MkDocs; it rebuilds and "
                         "reloads when a study, review.yaml or docs/ changes. Stop it with Ctrl+C.",
                         "livingreview serve --dev-addr 127.0.0.1:8001", run_serve,
                         "serve stopped: {summary}; nothing was served")
    parser.add_argument("--dev-addr", metavar="IP:PORT", default=None, type=_dev_addr,
                        help="where to serve (default: dev_addr in mkdocs.yml, else "
                             "127.0.0.1:8000)")


def _dev_addr(text: str) -> str:
    """IP:PORT, checked before MkDocs starts (its own message comes with an abort line)."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not IP:PORT (e.g. 127.0.0.1:8001)")
    return text


def run_serve(args: argparse.Namespace) -> int:
    from build_tools.site.serve import serve_site

    serve_site(Project.at(args.project), dev_addr=args.dev_addr)
    return 0


def register_docs(commands: Commands, common: argparse.ArgumentParser) -> None:
    parser = add_command(commands, common, "docs",
                         "Write the files made from the schema and review.yaml: "
                         "schema/study.schema.json, docs/reference/data-dictionary.md and the "
                         "eligibility criteria in CONTRIBUTING.md.",
                         "livingreview docs --check", run_docs,
                         "docs stopped: {summary}; no file was written")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; fail if a file is out of date (for CI)")


def run_docs(args: argparse.Namespace) -> int:
    project = Project.at(args.project)
    if args.check:
        check_derived_files(project)  # StaleDocs names every file out of date
        return 0
    written = [project.display(p) for p in write_derived_files(project)]
    print(f"Wrote {', '.join(written)}" if written else "Everything was up to date")
    return 0


def register_fetch(commands: Commands, common: argparse.ArgumentParser) -> None:
    parser = add_command(commands, common, "fetch",
                         "Fetch the Crossref work of every study DOI not cached yet "
                         "into cache/crossref.",
                         "livingreview fetch --mailto you@example.org", run_fetch,
                         "fetch stopped: {summary}; nothing was fetched")
    parser.add_argument("--refresh", action="store_true", help="fetch cached DOIs again too")
    parser.add_argument("--doi", help="fetch only this DOI (always fetched again)")
    _add_mailto(parser)


def _add_mailto(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mailto", help="contact address for Crossref's polite pool "
                        "(default: $LIVINGREVIEW_MAILTO)")


def _crossref_client(args: argparse.Namespace) -> CrossrefClient:
    # Imported here, not at the top: a build must never load the HTTP client.
    from build_tools.crossref.client import ClientSettings, CrossrefClient

    return CrossrefClient(ClientSettings.from_environment(mailto=args.mailto),
                          notify=lambda line: print(line, file=sys.stderr, flush=True))


def run_fetch(args: argparse.Namespace) -> int:
    from build_tools.crossref.fetch import fetch_works, make_progress, study_dois

    project = Project.at(args.project)
    client = _crossref_client(args)
    dois = [args.doi] if args.doi else study_dois(project)
    update, close = make_progress(len(dois))
    try:
        summary = fetch_works(project.cache_dir, dois, client,
                              refresh=args.refresh or bool(args.doi), progress=update)
    except KeyboardInterrupt:
        close()
        print("fetch interrupted: the works fetched so far are cached; run livingreview fetch "
              "again to continue", file=sys.stderr)
        return 130
    close()
    print("\n".join(summary.lines()))
    return 0 if summary.ok else 1


def register_new(commands: Commands, common: argparse.ArgumentParser) -> None:
    parser = add_command(commands, common, "new",
                         "Start studies/<id>.yaml for a DOI, prefilled from Crossref "
                         "(or the cache).",
                         "livingreview new --doi 10.5555/example-2020", run_new,
                         "new stopped: {summary}; no study record was written")
    parser.add_argument("--doi", required=True, help="the study's DOI")
    parser.add_argument("--id", help="the study id (default: first author and year)")
    _add_mailto(parser)


def run_new(args: argparse.Namespace) -> int:
    from build_tools.crossref.new_study import new_study

    project = Project.at(args.project)
    client = _crossref_client(args)
    try:
        path = new_study(project, args.doi, client, study_id=args.id)
    except KeyboardInterrupt:
        print("new interrupted: no study record was written", file=sys.stderr)
        return 130
    print(f"Wrote {project.display(path)}: fill in the fields marked Required, then run "
          "livingreview validate")
    return 0


def _summary(problems: Sequence[Problem]) -> str:
    errors = [p for p in problems if p.severity == "error"]
    files = len({p.file for p in errors})
    return f"{len(errors)} problem(s) in {files} file(s)"


COMMANDS: list[Callable[[argparse._SubParsersAction, argparse.ArgumentParser], None]] = [
    register_init,
    register_validate,
    register_build,
    register_serve,
    register_export_docs,
    register_docs,
    register_release,
    register_verify,
    register_fetch,
    register_new,
]
