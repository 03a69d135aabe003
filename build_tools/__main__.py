"""Allow `python -m build_tools`."""

from build_tools.cli import main

raise SystemExit(main())
