"""Small display helpers shared by views and templates."""

from __future__ import annotations

from flask_babel import get_locale
from markupsafe import Markup

from app.language import in_language, shown, title_in  # noqa: F401  (template filters and globals)
from app.localtime import local_time  # noqa: F401  (a template filter too)


def one_language(value):
    """Every printed template expression (Jinja's ``finalize``): an "English / 中文" text shows the reader's
    half, so no page, document or e-mail prints both because its template forgot the filter."""
    if isinstance(value, str) and " / " in value and not isinstance(value, Markup):
        return in_language(value, str(get_locale()))
    return value
