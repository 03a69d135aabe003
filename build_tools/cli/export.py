"""The `export-docs` command; cli.py lists its register function in COMMANDS."""

from __future__ import annotations

import argparse
from pathlib import Path

from build_tools.cli.command import add_command
from build_tools.core.project import Project
from build_tools.site.docs_tree import CONFIG_NAME, check_tree_target, docs_tree, write_docs_tree
from build_tools.versions.versioning import release_from_environment


def register_export_docs(commands: argparse._SubParsersAction,
                         common: argparse.ArgumentParser) -> None:

    parser = add_command(
        commands, common, "export-docs",
        "Write the site's complete source tree into DIR: generated and hand-written pages, "
        "data files, theme overrides and a mkdocs.yml that needs no living-review plugin, so "
        "any Material-compatible engine can build the site.",
        "livingreview export-docs ../review-docs && cd ../review-docs && mkdocs build",
        run_export_docs, "export stopped: {summary}; {dir} was not changed")
    parser.add_argument("dir", metavar="DIR", type=Path,
                        help="the folder to write (new, empty, or an earlier export, which is "
                             "replaced whole)")


def run_export_docs(args: argparse.Namespace) -> int:
    project = Project.at(args.project)
    check_tree_target(project, args.dir)  # before the generation, which takes a while
    tree = docs_tree(project, release=release_from_environment())
    target = write_docs_tree(project, tree, args.dir)
    print(f"Wrote {len(tree.files)} files to {target}")
    print(f"Build it without the plugin: cd {target} && SOURCE_DATE_EPOCH={tree.epoch} "
          f"mkdocs build -f {CONFIG_NAME}")
    return 0
