"""`livingreview verify`: what readers get from the gh-pages branch, checked against the releases.

A version's folder is checked against its manifest, and the manifest against the sha256 recorded
in the version's tag. Readers arrive through the root index.html (mike's redirect to latest/),
read latest/ (a copy of the newest version) and pick versions from versions.json: these are
checked too, against the newest version's manifest and the releases recorded in the checkout
(releases/<version>/release.yaml). Every file that differs is one line.
"""

from __future__ import annotations

import json
from typing import Any

from build_tools.core import gitrepo
from build_tools.core.errors import ReleaseError
from build_tools.core.project import Project
from build_tools.release import mike_site
from build_tools.release.release import deploy_title, tag_name
from build_tools.versions.manifest import (
    ADDED,
    MANIFEST_PATH,
    Difference,
    Verification,
    changed,
    missing,
    sha256,
    verify_files,
)
from build_tools.versions.releases import (
    RELEASE_FILE,
    RELEASED_NAME,
    Release,
    check_released_name,
    read_releases,
    releases_dir,
)

BRANCH, LATEST, VERSIONS_FILE = mike_site.BRANCH, mike_site.LATEST, mike_site.VERSIONS_FILE
ROOT_INDEX = "index.html"


def verify(project: Project, version: str) -> Verification:
    """Check `version/`, `latest/`, the root redirect and versions.json on gh-pages."""
    check_released_name(version)
    root = project.root
    top = (gitrepo.entries(root, BRANCH)
           if gitrepo.ref_exists(root, f"refs/heads/{BRANCH}") else {})
    if top.get(version) != "tree":
        raise ReleaseError(f"version {version} is not published on the {BRANCH} branch "
                           "(see `git branch -a`, or fetch it first)")
    files = gitrepo.read_tree(root, BRANCH, version)
    own = verify_files(files, version, folder=f"{version}/")
    differences = list(own.differences)
    differences += _tag_differences(project, version, files.get(MANIFEST_PATH))

    recorded = read_releases(project)
    on_pages = [r for r in recorded if top.get(r.version) == "tree"]
    newest = on_pages[-1] if on_pages else None
    expected = [r for r in recorded if newest is not None and r.key <= newest.key]
    differences += [missing(f"{r.version}/", f"version {r.version} was released "
                            f"({_record(project, r.version)}) but is not on {BRANCH}")
                    for r in expected if r not in on_pages]
    known = {r.version for r in recorded}
    differences += [Difference(f"{name}/", ADDED, f"never released (no {_record(project, name)} "
                               "in this checkout; verify from an up-to-date checkout of the "
                               "main branch)")
                    for name, kind in sorted(top.items())
                    if kind == "tree" and RELEASED_NAME.fullmatch(name) and name not in known]
    if newest is not None:
        differences += _latest_differences(project, top, newest, version, files)
    differences += _redirect_differences(project, expected, newest)
    # One line a file: a manifest can fail on its own and against its tag, or be named twice.
    first: dict[str, Difference] = {}
    for difference in differences:
        first.setdefault(difference.path, difference)
    unique = tuple(first.values())
    also = (f"{LATEST}/ (a copy of {newest.version})" if newest else f"{LATEST}/",
            ROOT_INDEX, VERSIONS_FILE)
    return Verification(version, own.checked, unique, also)


def _record(project: Project, version: str) -> str:
    return project.display(releases_dir(project) / version / RELEASE_FILE)


def _matches_tag(project: Project, version: str, manifest: bytes) -> bool:
    """True unless the tag v<version> exists and records another manifest's sha256."""
    tag = tag_name(version)
    return (not gitrepo.ref_exists(project.root, f"refs/tags/{tag}")
            or f"manifest sha256: {sha256(manifest)}" in gitrepo.tag_message(project.root, tag))


def _tag_differences(project: Project, version: str, manifest: bytes | None) -> list[Difference]:
    """The manifest must be the one whose sha256 the tag v<version> records (when it exists)."""
    if manifest is None or _matches_tag(project, version, manifest):
        return []
    return [changed(f"{version}/{MANIFEST_PATH}",
                    f"sha256 differs from the one recorded in tag {tag_name(version)}")]


def _latest_differences(project: Project, top: dict[str, str], newest: Release, version: str,
                        files: dict[str, bytes]) -> list[Difference]:
    """latest/ must hold exactly the newest version's files, as its manifest lists them.

    The manifest is the newest version's own, unless only latest/'s copy matches the tag."""
    if top.get(LATEST) != "tree":
        return [missing(f"{LATEST}/", f"the copy of the newest version, {newest.version}")]
    path = f"{newest.version}/{MANIFEST_PATH}"
    own = (files.get(MANIFEST_PATH) if newest.version == version
           else gitrepo.read_file(project.root, BRANCH, path))
    latest = gitrepo.read_tree(project.root, BRANCH, LATEST)
    tagged = [m for m in (own, latest.get(MANIFEST_PATH))
              if m is not None and _matches_tag(project, newest.version, m)]
    reference = tagged[0] if tagged else own
    if reference is None:
        return [missing(path, f"needed to check {LATEST}/")]
    found = verify_files(latest, newest.version, folder=f"{LATEST}/", reference=reference)
    return [*_tag_differences(project, newest.version, own), *found.differences]


def _redirect_differences(project: Project, expected: list[Release],
                          newest: Release | None) -> list[Difference]:
    """The root index.html must be mike's redirect to latest/, and versions.json must list the
    released versions, newest first, with their titles and `latest` on the newest."""
    differences = []
    index = gitrepo.read_file(project.root, BRANCH, ROOT_INDEX)
    if index is None:
        differences.append(missing(ROOT_INDEX, f"mike's redirect to {LATEST}/"))
    elif index != mike_site.root_redirect():
        differences.append(changed(ROOT_INDEX, f"it is not mike's redirect to {LATEST}/"))
    listing = gitrepo.read_file(project.root, BRANCH, VERSIONS_FILE)
    if listing is None:
        return [*differences, missing(VERSIONS_FILE, "the list the version selector shows")]
    wanted = [mike_site.versions_entry(r.version, deploy_title(r),
                                       [LATEST] if r == newest else [])
              for r in reversed(expected)]
    problems = _listing_problems(listing, wanted)
    if problems:
        differences.append(changed(VERSIONS_FILE, "; ".join(problems)))
    return differences


def _listing_problems(listing: bytes, wanted: list[dict[str, Any]]) -> list[str]:
    """How versions.json differs from `wanted`, in a few words each ([] when it does not)."""
    try:
        found = json.loads(listing)
    except ValueError:
        found = None
    if not isinstance(found, list) or not all(
            isinstance(e, dict) and isinstance(e.get("version"), str) for e in found):
        return ["not the list of versions mike writes"]
    names = [e["version"] for e in found]
    wanted_names = [e["version"] for e in wanted]
    problems = [f"does not list {v}" for v in wanted_names if v not in names]
    problems += [f"lists {v!r}, which was never released" for v in dict.fromkeys(names)
                 if v not in wanted_names]
    if len(names) != len(set(names)):
        problems.append("lists a version twice")
    by_name = {e["version"]: e for e in found}
    for entry in wanted:
        seen = by_name.get(entry["version"])
        if seen is None or seen == entry:
            continue
        for key in sorted(set(seen) | set(entry)):
            if seen.get(key) != entry.get(key):
                problems.append(f"{key} of {entry['version']} is {_short(seen.get(key))}, "
                                f"released as {_short(entry.get(key))}")
    if not problems and names != wanted_names:
        problems.append("not newest first: " + ", ".join(wanted_names))
    return problems


def _short(value: object, limit: int = 60) -> str:
    text = "none" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"
