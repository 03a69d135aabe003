"""One sub-command of `livingreview`: its parser, summary, example, handler and failure line,
made alike."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
Commands = argparse._SubParsersAction


def add_command(
    commands: Commands, common: argparse.ArgumentParser, name: str,
    summary: str, example: str, handler: Handler, failure: str,
) -> argparse.ArgumentParser:
    """`failure` is the line printed after the problems when the records are invalid: what
    stopped and what was left as it was. `{summary}` counts the problems, `{NAME}` is the value
    of the argument NAME."""
    parser = commands.add_parser(
        name, parents=[common], help=summary, description=summary,
        epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler, failure=failure)
    return parser
