"""`livingreview serve`: MkDocs' live preview of the project, from any folder.

The project's own mkdocs.yml is used, so the preview is the site `livingreview build` makes, and
the living-review plugin rebuilds it when a record, review.yaml, the schema or the cache changes.
"""

from __future__ import annotations

import logging
from typing import Any

from mkdocs.commands.serve import serve
from mkdocs.exceptions import MkDocsException

from build_tools.core.errors import BuildError
from build_tools.core.project import Project
from build_tools.site.build import mkdocs_log_level


def serve_site(project: Project, *, dev_addr: str | None = None, livereload: bool = True) -> None:
    """Serve the project's site until interrupted; `dev_addr` is IP:PORT (default mkdocs.yml's)."""
    if not project.mkdocs_file.is_file():
        raise BuildError(f"{project.display(project.mkdocs_file)}: not found (run from the "
                         "project folder or pass --project)")
    options: dict[str, Any] = {"dev_addr": dev_addr} if dev_addr else {}
    try:
        with mkdocs_log_level(logging.INFO):
            serve(config_file=str(project.mkdocs_file), livereload=livereload, **options)
    except MkDocsException as error:
        raise BuildError(f"MkDocs failed: {error}") from None
    except OSError as error:  # the address is taken or cannot be bound
        where = dev_addr or "the address in mkdocs.yml (default 127.0.0.1:8000)"
        raise BuildError(f"cannot serve on {where}: {error.strerror or error} "
                         "(choose another with --dev-addr IP:PORT)") from None

