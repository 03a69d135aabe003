"""One sub-command of `livingreview`: its parser, summary, example and handler, made alike."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
Commands = argparse._SubParsersAction


def add_command(
    commands: Commands, common: argparse.ArgumentParser, name: str,
    summary: str, example: str, handler: Handler,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name, parents=[common], help=summary, description=summary,
        epilog=f"Example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser
