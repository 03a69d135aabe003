"""The `release` and `verify` commands; cli.py lists their register functions in COMMANDS."""

from __future__ import annotations

import argparse

from build_tools.cli.command import add_command
from build_tools.core.project import Project
from build_tools.release.published import verify
from build_tools.release.release import release


def register_release(commands: argparse._SubParsersAction,
                     common: argparse.ArgumentParser) -> None:

    parser = add_command(
        commands, common, "release",
        "Publish an immutable, citable version: commit its data snapshot, build it, deploy it "
        "with mike to the gh-pages branch as VERSION and `latest`, and tag the commit vVERSION.",
        'livingreview release 1.1 --message "Search update of May 2026: 2 new studies"',
        run_release,
        "release stopped: {summary}; nothing was committed, tagged or published")
    parser.add_argument("version", metavar="VERSION", help="the new version, e.g. 1.0 or 1.1")
    parser.add_argument("--message", "-m", default="",
                        help="why this update was made (shown in the changelog and the feed)")
    parser.add_argument("--push", action="store_true",
                        help="push gh-pages, the current branch and the tag (default: local only)")
    parser.add_argument("--remote", default="origin", help="where --push pushes (default: origin)")


def run_release(args: argparse.Namespace) -> int:
    published = release(Project.at(args.project), args.version, args.message,
                        push=args.push, remote=args.remote)
    print(f"Released version {published.release.version} "
          f"({published.release.date.isoformat()}) from commit {published.commit[:12]}, "
          f"tagged {published.tag}")
    if published.pushed:
        print(f"Pushed gh-pages and {published.tag} to {args.remote}")
    else:
        print("Nothing was pushed: publish with  git push origin gh-pages "
              f"{published.tag} HEAD  (or release with --push)")
    return 0


def register_verify(commands: argparse._SubParsersAction,
                    common: argparse.ArgumentParser) -> None:

    parser = add_command(
        commands, common, "verify",
        "Check every published file of VERSION on the gh-pages branch against its manifest, "
        "and what readers land on: latest/ (a copy of the newest version), the root redirect "
        "and versions.json.",
        "livingreview verify 1.0", run_verify,
        "verify stopped: {summary}; nothing was changed")
    parser.add_argument("version", metavar="VERSION", help="a released version, e.g. 1.0")


def run_verify(args: argparse.Namespace) -> int:
    result = verify(Project.at(args.project), args.version)
    for line in result.lines():
        print(line)
    return 0 if result.ok else 1
