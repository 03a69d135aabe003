"""The `init` command: start a new review project; main.py lists its register function."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from build_tools.cli.command import Commands, add_command
from build_tools.core.errors import InitRefused, escape_controls
from build_tools.scaffold.create import init_review
from build_tools.scaffold.skeleton import KINDS

REFUSED = 2  # like a usage error: the command was asked for something it will not do


def register_init(commands: Commands, common: argparse.ArgumentParser) -> None:
    # Not `common`: its --project names an existing review, and init makes a new one.
    only_debug = argparse.ArgumentParser(add_help=False)
    only_debug.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser = add_command(
        commands, only_debug, "init",
        "Start a new review project in DIR (a new or empty folder): review.yaml, the schema, "
        "mkdocs.yml, docs/, one example record to replace, a Makefile, CI workflows and a "
        "README that says what to edit first.",
        "livingreview init --kind quantitative --title 'Exercise for low back pain' my-review",
        run_init, "init stopped: {summary}; nothing was written")
    parser.add_argument("dir", metavar="DIR", type=Path, help="the folder to create")
    parser.add_argument("--kind", choices=KINDS, default=KINDS[0],
                        help="the kind of review: its schema, example record and wording "
                             f"(default: {KINDS[0]})")
    parser.add_argument("--title", default=None,
                        help="the review's title (default: a placeholder to replace)")


def run_init(args: argparse.Namespace) -> int:
    try:
        target = init_review(args.dir, args.kind, args.title)
    except InitRefused as error:
        print(f"error: {escape_controls(str(error))}", file=sys.stderr)
        return REFUSED
    print(f"Made a new review ({args.kind}) in {target}")
    print(f"Next: cd {shlex.quote(str(target))} && make site, then read README.md "
          "(what to edit, in order)")
    return 0
