"""The manifest of a released version: the sha256 of every file, to prove years later that the
version a guideline cites is exactly what was released."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST_PATH = "release/manifest.json"


CHANGED, MISSING, ADDED = "changed", "missing", "added"


@dataclass(frozen=True)
class Difference:
    """One published file that is not as released: its path on gh-pages and one line why."""

    path: str
    kind: str  # CHANGED, MISSING or ADDED
    text: str

    def line(self) -> str:
        return f"{self.path}: {self.text}"


def changed(path: str, why: str = "sha256 differs") -> Difference:
    return Difference(path, CHANGED, f"changed since release ({why})")


def missing(path: str, why: str = "listed in the manifest") -> Difference:
    return Difference(path, MISSING, f"missing ({why})")


def added(path: str, why: str = "added after release") -> Difference:
    return Difference(path, ADDED, f"not in the manifest ({why})")


@dataclass(frozen=True)
class Verification:
    """The result of checking published files; `ok` when nothing differs.

    `also` names what was checked besides the version's own files (latest/, the redirects)."""

    version: str
    checked: int
    differences: tuple[Difference, ...] = ()
    also: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.differences

    def paths(self, kind: str) -> tuple[str, ...]:
        return tuple(d.path for d in self.differences if d.kind == kind)

    def lines(self) -> list[str]:
        if self.ok:
            line = f"version {self.version}: all {self.checked} files match the manifest"
            if self.also:
                named = (", ".join(self.also[:-1]) + " and " if len(self.also) > 1 else "")
                line += f"; {named}{self.also[-1]} are as released"
            return [line]
        return [*(d.line() for d in self.differences),
                f"version {self.version} does NOT match what was released: "
                f"{len(self.paths(CHANGED))} changed, {len(self.paths(MISSING))} missing, "
                f"{len(self.paths(ADDED))} added"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_for(files: Mapping[str, bytes], version: str) -> dict[str, object]:
    """{version, files: {path: sha256}} for every file but the manifest itself."""
    return {
        "version": version,
        "algorithm": "sha256",
        "files": {path: sha256(files[path]) for path in sorted(files) if path != MANIFEST_PATH},
    }


def manifest_bytes(manifest: dict[str, object]) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8")


def read_tree(root: Path) -> dict[str, bytes]:
    """Every regular file under `root`, by its path relative to `root` with forward slashes."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def write_manifest(site_dir: Path, version: str) -> Path:
    """Hash everything already built into `site_dir` and write the manifest beside it."""
    manifest = manifest_for(read_tree(site_dir), version)
    path = site_dir / MANIFEST_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(manifest_bytes(manifest))
    return path


def verify_files(files: Mapping[str, bytes], version: str, *, folder: str = "",
                 reference: bytes | None = None) -> Verification:
    """Compare published files with a manifest: by default the one deployed among them; with
    `reference`, that manifest, which the copy among the files must then equal byte for byte
    (how `latest/` is checked against the newest version). Paths are reported under `folder`."""
    own = files.get(MANIFEST_PATH)
    manifest = own if reference is None else reference
    if manifest is None:
        return Verification(version, 0, (missing(folder + MANIFEST_PATH),))
    expected = _listed_files(manifest)
    if expected is None:  # a released manifest always parses: this one was replaced
        return Verification(version, 0, (changed(folder + MANIFEST_PATH,
                                                 "not a manifest any more"),))
    present = {p for p in files if p != MANIFEST_PATH}
    differences = [changed(folder + p) for p in sorted(present & set(expected))
                   if sha256(files[p]) != expected[p]]
    if reference is not None and own is None:
        differences.append(missing(folder + MANIFEST_PATH, f"the manifest of {version}"))
    elif reference is not None and own != reference:
        differences.append(changed(folder + MANIFEST_PATH,
                                   f"differs from the manifest of {version}"))
    differences += [missing(folder + p) for p in sorted(set(expected) - present)]
    differences += [added(folder + p) for p in sorted(present - set(expected))]
    return Verification(version, len(expected), tuple(differences))


def _listed_files(manifest: bytes) -> dict[str, str] | None:
    """The manifest's {path: sha256}, or None when it is not a manifest at all."""
    try:
        listed = json.loads(manifest)["files"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(listed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in listed.items()):
        return None
    return listed
