"""The manifest of a released version: the sha256 of every file, to prove years later that the
version a guideline cites is exactly what was released."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST_PATH = "release/manifest.json"


@dataclass(frozen=True)
class Verification:
    """The result of checking files against a manifest; `ok` when nothing differs."""

    version: str
    checked: int
    missing: tuple[str, ...]
    changed: tuple[str, ...]
    unexpected: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.unexpected)

    def lines(self) -> list[str]:
        if self.ok:
            return [f"version {self.version}: all {self.checked} files match the manifest"]
        lines = [f"{path}: changed since release (sha256 differs)" for path in self.changed]
        lines += [f"{path}: missing (listed in the manifest)" for path in self.missing]
        lines += [f"{path}: not in the manifest (added after release)" for path in self.unexpected]
        lines.append(f"version {self.version} does NOT match its manifest: "
                     f"{len(self.changed)} changed, {len(self.missing)} missing, "
                     f"{len(self.unexpected)} added")
        return lines


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


def verify_files(files: Mapping[str, bytes], version: str) -> Verification:
    """Compare deployed files with the manifest deployed among them."""
    if MANIFEST_PATH not in files:
        return Verification(version, 0, (MANIFEST_PATH,), (), ())
    expected = _listed_files(files[MANIFEST_PATH])
    if expected is None:  # a released manifest always parses: this one was replaced
        return Verification(version, 0, (), (MANIFEST_PATH,), ())
    present = {p for p in files if p != MANIFEST_PATH}
    changed = tuple(sorted(p for p in present & set(expected)
                           if sha256(files[p]) != expected[p]))
    return Verification(
        version=version,
        checked=len(expected),
        missing=tuple(sorted(set(expected) - present)),
        changed=changed,
        unexpected=tuple(sorted(present - set(expected))),
    )


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
