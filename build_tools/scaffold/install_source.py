"""Where a new review installs living-review from: the same source as the tool running now.

A checkout (installed editable, or not installed at all) is named by its path, so a review made
by a developer builds with the same code; an installed release is pinned to its version. The
Makefile of the new review keeps this as `LIVING_REVIEW ?= …`, which a team may override.
"""

from __future__ import annotations

import json
import shlex
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from build_tools import __version__

DISTRIBUTION = "living-review"


def install_source() -> str:
    """pip's words for the living-review that is running, ready for a Makefile line."""
    checkout = running_checkout()
    if checkout is not None:  # editable, or run from the source folder: that folder
        return f"-e {shlex.quote(str(checkout))}"
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return f"{DISTRIBUTION}=={__version__}"
    direct = _direct_url(distribution)
    if direct is None:  # from an index: the same version
        return f"{DISTRIBUTION}=={distribution.version}"
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        return shlex.quote(f"{vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}")
    path = _local_path(url)
    if path is None or not path.exists():
        return f"{DISTRIBUTION}=={distribution.version}"
    dir_info = direct.get("dir_info")
    editable = isinstance(dir_info, dict) and dir_info.get("editable")
    return f"-e {shlex.quote(str(path))}" if editable else shlex.quote(str(path))


def _direct_url(distribution: metadata.Distribution) -> dict[str, object] | None:
    """PEP 610's record of an install from a URL or a local folder (None: from an index)."""
    text = distribution.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def running_checkout() -> Path | None:
    """The source folder the running code is read from, when it is a checkout (not an install
    into site-packages): the folder holding pyproject.toml beside build_tools/."""
    package = Path(__file__).resolve().parents[1]
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and package.name == "build_tools" \
            and "site-packages" not in package.parts:
        return checkout
    return None
