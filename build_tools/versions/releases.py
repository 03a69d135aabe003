"""Released versions as data: `releases/<version>/release.yaml` and the version's data snapshot.

Each release commits one folder to the main branch, so a checkout of the tag `v<version>` holds
everything needed to rebuild that version byte for byte, and the changelog of a version is
computed from two snapshots that are plain files:

    releases/1.1/release.yaml   version, date (ISO), message
    releases/1.1/data.json      the validated tables and review.yaml, as published
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from build_tools.core.errors import ReleaseError
from build_tools.core.project import Project
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row

# What a new version number may be: one to three numbers from 0 to 9999, no leading zeros.
VERSION_RULE = ("use numbers from 0 to 9999 without leading zeros, one to three of them "
                "separated by dots, e.g. 1.0, 1.1 or 2.0.1")
VERSION_PATTERN = re.compile(r"(?:0|[1-9][0-9]{0,3})(?:\.(?:0|[1-9][0-9]{0,3})){0,2}")
# What an existing release folder or gh-pages folder may be named: digits and dots, as releases
# made before VERSION_RULE were; safe in paths and git arguments, and still readable and checkable.
RELEASED_NAME = re.compile(r"[0-9]+(?:\.[0-9]+){0,2}")
RELEASE_FILE = "release.yaml"
SNAPSHOT_FILE = "data.json"


@dataclass(frozen=True)
class Release:
    """One released version, as recorded in `releases/<version>/release.yaml`."""

    version: str
    date: dt.date
    message: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Release:
        date = data["date"]
        if not isinstance(date, dt.date):
            date = dt.date.fromisoformat(str(date))
        return cls(str(data["version"]), date, str(data.get("message") or ""))

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "date": self.date.isoformat(), "message": self.message}

    @property
    def key(self) -> tuple[int, ...]:
        return version_key(self.version)


def check_version_text(version: str) -> str:
    """`version` if it may name a new release (VERSION_RULE), else one line saying what is allowed.

    The bound keeps one careless number (9999999999.1) from blocking every later version."""
    if not isinstance(version, str) or not VERSION_PATTERN.fullmatch(version):
        raise ReleaseError(f"{_shown(version)} is not a version number ({VERSION_RULE})")
    return version


def check_released_name(version: str) -> str:
    """`version` if it can name a version released earlier (digits and dots), for `verify`."""
    if not isinstance(version, str) or not RELEASED_NAME.fullmatch(version):
        raise ReleaseError(f"{_shown(version)} is not a version number ({VERSION_RULE})")
    return version


def version_key(version: str) -> tuple[int, ...]:
    """Versions sort as numbers: 1.10 comes after 1.9, and 1.0.0 is the same number as 1.0."""
    parts = [int(part) for part in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _shown(text: object, limit: int = 40) -> str:
    """The input as one short line: repr escapes line breaks and control characters. A long
    text is cut after `limit` characters of its escaped form (one character can take ten as an
    escape), never inside an escape."""
    if not isinstance(text, str) or len(repr(text)) <= limit + 2:
        return repr(text)
    kept, width = 0, 0
    while kept < len(text) and width + len(repr(text[kept])) - 2 <= limit:
        width += len(repr(text[kept])) - 2
        kept += 1
    return repr(text[:kept]) + f"… ({len(text)} characters)"


def releases_dir(project: Project) -> Path:
    return project.root / "releases"


def read_releases(project: Project) -> list[Release]:
    """Every recorded release, oldest first."""
    folder = releases_dir(project)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*/{RELEASE_FILE}"):
        if not RELEASED_NAME.fullmatch(path.parent.name):
            continue
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
            release = Release.from_dict(data)
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
            raise ReleaseError(f"{project.display(path)}: cannot read this release record "
                               f"({error}); it needs version, date (YYYY-MM-DD), message") from None
        if release.version != path.parent.name:
            raise ReleaseError(f"{project.display(path)}: version: {release.version!r} does not "
                               f"match its folder name {path.parent.name!r}")
        found.append(release)
    return sorted(found, key=lambda r: r.key)


def find_release(project: Project, version: str) -> Release:
    for release in read_releases(project):
        if release.version == version:
            return release
    path = releases_dir(project) / version / RELEASE_FILE
    raise ReleaseError(f"{project.display(path)}: not found; version {version} was never released "
                       "(see `livingreview release --help`)")


def previous_release(releases: list[Release], version: str | None) -> Release | None:
    """The release before `version`; for a development build (None), the last release."""
    earlier = [r for r in releases if version is None or r.key < version_key(version)]
    return earlier[-1] if earlier else None


def read_snapshot(project: Project, version: str) -> dict[str, Any]:
    path = releases_dir(project) / version / SNAPSHOT_FILE
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ReleaseError(f"{project.display(path)}: cannot read the data snapshot of "
                           f"version {version} ({error})") from None


def data_snapshot(
    tables: dict[str, list[Row]], review: dict[str, Any], schema: PackageSchema
) -> dict[str, Any]:
    """The published data of one version: review.yaml and every table's rows, in stable order.

    Rows keep the order in which they were collected (study files sorted by name, items in file
    order), so the same data always gives the same snapshot. When the shared data package of the
    Downloads page lands, this is the one function to point at it.
    """
    return {
        "layout": {
            "studies": schema.studies.name,
            "children": {t.name: next(iter(t.parent), "") for t in schema.child_tables()},
            "titles": {t.name: t.title for t in schema.tables},
            "fields": {f.name: f.title or f.name for f in schema.studies.fields},
        },
        "review": _plain(review),
        "tables": {name: [_plain(row.values) for row in rows] for name, rows in tables.items()},
    }


def snapshot_bytes(snapshot: dict[str, Any]) -> bytes:
    """One canonical serialisation, so equal data gives equal files."""
    text = json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False, default=str)
    return (text + "\n").encode("utf-8")


def write_release(project: Project, release: Release, snapshot: dict[str, Any]) -> list[Path]:
    """Write the release record and its snapshot; returns the files written."""
    folder = releases_dir(project) / release.version
    folder.mkdir(parents=True, exist_ok=False)
    record = folder / RELEASE_FILE
    record.write_text(
        "# Written by `livingreview release`; never edit a released version.\n"
        + yaml.safe_dump(release.to_dict(), sort_keys=False, allow_unicode=True), "utf-8")
    snapshot_file = folder / SNAPSHOT_FILE
    snapshot_file.write_bytes(snapshot_bytes(snapshot))
    return [record, snapshot_file]


_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """YAML values (dates included) as JSON values, with mapping keys as text. Text, numbers
    and empty values, most of a table's cells, are taken as they are without a call each."""
    if isinstance(value, dict):
        return {str(k): v if type(v) in _AS_THEY_ARE else _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
