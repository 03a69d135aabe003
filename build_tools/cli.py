"""The `livingreview` command: a thin layer that parses options and calls the library."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from build_tools import __version__
from build_tools.errors import InvalidRecords, Problem, ReviewError
from build_tools.pipeline import check_project
from build_tools.project import Project
from build_tools.site import build_site

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.WARNING)
    try:
        return int(args.handler(args))
    except InvalidRecords as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"build stopped: {_summary(error.problems)}; the site was not changed",
              file=sys.stderr)
        return 1
    except ReviewError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 1


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


def _command(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser, name: str,
    summary: str, example: str, handler: Handler,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name, parents=[common], help=summary, description=summary,
        epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def register_validate(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    parser = _command(commands, common, "validate",
                      "Check review.yaml and every study record; list all problems at once.",
                      "livingreview validate --format json", run_validate)
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="text for people (default), json for machines")


def run_validate(args: argparse.Namespace) -> int:
    project = Project.at(args.project)
    records, _, validation = check_project(project)
    problems = list(validation.problems if validation else records.problems)
    errors = [p for p in problems if p.severity == "error"]
    if args.format == "json":
        print(json.dumps({
            "valid": not errors,
            "studies": len(records.studies),
            "problems": [p.to_dict() for p in problems],
        }, indent=2, ensure_ascii=False))
        return 1 if errors else 0
    for problem in problems:
        print(problem)
    if errors:
        print(_summary(problems), file=sys.stderr)
        return 1
    warnings = len(problems)
    suffix = f", {warnings} warning(s)" if warnings else ""
    print(f"{len(records.studies)} study record(s) and review.yaml are valid{suffix}")
    return 0


def register_build(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = _command(commands, common, "build",
                      "Validate, generate and build the site with MkDocs "
                      "(offline, from the cache).",
                      "livingreview build --strict", run_build)
    parser.add_argument("--strict", action="store_true", help="treat MkDocs warnings as errors")
    parser.add_argument("--site-dir", type=Path, default=None,
                        help="where to put the site (default: site/ in the project)")


def run_build(args: argparse.Namespace) -> int:
    project = Project.at(args.project)
    site_dir = build_site(project, strict=args.strict, site_dir=args.site_dir)
    print(f"Site built in {site_dir}")
    print(f"Open {site_dir / 'index.html'}, or preview it live with: mkdocs serve")
    return 0


def _summary(problems: Sequence[Problem]) -> str:
    errors = [p for p in problems if p.severity == "error"]
    files = len({p.file for p in errors})
    return f"{len(errors)} problem(s) in {files} file(s)"


COMMANDS: list[Callable[[argparse._SubParsersAction, argparse.ArgumentParser], None]] = [
    register_validate,
    register_build,
]
