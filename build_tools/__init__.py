"""living-review: a static-site generator for living systematic reviews."""

from __future__ import annotations

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/living-review/living-review"
