"""Allow `python -m build_tools`."""

from build_tools.cli.main import main

raise SystemExit(main())
