"""The one place that runs git: the few operations a release, `validate --changed` and the build
date need, each one `git` call run in the project's folder."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path

from build_tools.core.errors import GitError


def run(root: Path, *args: str, input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess[bytes]:
    """`git -C root ARGS`, whatever its exit status; GitError only when git cannot be started
    or runs longer than `timeout` seconds."""
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=input, env=env,
                              capture_output=True, check=False, timeout=timeout)
    except OSError as error:
        raise GitError(f"cannot run git ({error}); install git") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args[:2])} took longer than {timeout} s") from None


def git(root: Path, *args: str, input: bytes | None = None,
        env: Mapping[str, str] | None = None, failure: str | None = None) -> bytes:
    """git's output; GitError with git's own words (or `failure`) when it fails."""
    result = run(root, *args, input=input, env=env)
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()
        raise GitError(failure or f"git {' '.join(args[:2])} failed: {detail}")
    return result.stdout


def text(root: Path, *args: str) -> str:
    return git(root, *args).decode("utf-8").strip()


def top_level(root: Path) -> Path:
    try:
        return Path(text(root, "rev-parse", "--show-toplevel"))
    except GitError:
        raise GitError(f"{root} is not inside a git repository (run `git init` and commit "
                       "the project first)") from None


def uncommitted(root: Path) -> list[str]:
    """`git status --porcelain` lines: changed, staged and untracked (not ignored) files."""
    output = git(root, "status", "--porcelain").decode("utf-8")
    return [line for line in output.splitlines() if line.strip()]


def ref_exists(root: Path, ref: str) -> bool:
    return run(root, "rev-parse", "--verify", "--quiet", ref).returncode == 0


def head(root: Path) -> str:
    return text(root, "rev-parse", "HEAD")


def current_branch(root: Path) -> str:
    return text(root, "rev-parse", "--abbrev-ref", "HEAD")


def prefix(root: Path) -> str:
    """Where `root` sits in its repository: "" at the top, else e.g. "review/"."""
    return text(root, "rev-parse", "--show-prefix")


def export(root: Path, commit: str, target: Path) -> None:
    """The files of `commit` (the whole repository) into `target`: a checkout without git."""
    archive = git(root, "archive", "--format=tar", commit)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def commit_without_checkout(root: Path, parent: str, files: dict[str, Path],
                            message: str) -> str:
    """A commit of `parent` plus `files` (repository path → file anywhere), made in a private
    index: no branch, index or working-tree file changes, so a kill leaves only a loose object."""
    with tempfile.TemporaryDirectory(prefix="livingreview-index-") as folder:
        environment = {**os.environ, "GIT_INDEX_FILE": str(Path(folder) / "index")}

        def indexed(*args: str) -> str:
            return git(root, *args, env=environment).decode("utf-8").strip()

        indexed("read-tree", parent)
        for path, source in files.items():
            blob = indexed("hash-object", "-w", str(source))
            indexed("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
        tree = indexed("write-tree")
        return indexed("commit-tree", tree, "-p", parent, "-m", message)


def fast_forward(root: Path, commit: str) -> None:
    """Move the current branch (or a detached HEAD) to `commit`, a descendant of HEAD."""
    git(root, "merge", "--quiet", "--ff-only", commit)


def tag(root: Path, name: str, commit: str, message: str) -> None:
    git(root, "tag", "-a", name, commit, "-m", message)


def tag_message(root: Path, name: str) -> str:
    return text(root, "tag", "-l", "--format=%(contents)", name)


def entries(root: Path, ref: str) -> dict[str, str]:
    """The top level of commit `ref`: {name: "tree" | "blob" | "commit"}, in one git call."""
    listing = git(root, "ls-tree", "-z", ref)
    found = {}
    for record in listing.split(b"\0"):
        if record:
            meta, _, name = record.partition(b"\t")
            found[name.decode("utf-8", "replace")] = meta.split()[1].decode()
    return found


def read_file(root: Path, ref: str, path: str) -> bytes | None:
    """The bytes of one file in commit `ref`, or None when it has no such file (or a folder)."""
    result = run(root, "cat-file", "blob", f"{ref}:{path}")
    return result.stdout if result.returncode == 0 else None


def read_tree(root: Path, ref: str, folder: str) -> dict[str, bytes]:
    """Every file under `folder` in commit `ref`, by path relative to `folder`, in two git calls."""
    listing = git(root, "ls-tree", "-r", "-z", "--full-tree", ref, "--", folder + "/")
    blobs: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        _mode, kind, sha = meta.split()
        if kind == b"blob":
            blobs.append((name.decode("utf-8"), sha.decode()))
    if not blobs:
        return {}
    output = git(root, "cat-file", "--batch", input="".join(f"{s}\n" for _, s in blobs).encode())
    files, position = {}, 0
    for path, _ in blobs:
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].split()[2])
        start = header_end + 1
        files[path[len(folder) + 1:]] = output[start:start + size]
        position = start + size + 1
    return files


def push(root: Path, remote: str, refs: list[str]) -> None:
    git(root, "push", "--quiet", remote, *refs)
