"""Small display helpers shared by views and templates."""

from __future__ import annotations

from app.language import in_language, shown, title_in  # noqa: F401  (template filters and globals)
from app.localtime import local_time  # noqa: F401  (a template filter too)
