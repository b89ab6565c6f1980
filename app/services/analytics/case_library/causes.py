"""The words of the case library, named once: the root causes (根本原因) and outcomes an analyst picks — their
codes and zh/en titles are those of the analysis form (``forms/case_analysis.json``), read from it so the form,
the search and the figures never disagree — and the kinds of event that start an analysis.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

FORM = "case_analysis.json"
# 次级、可疑、损失: a class this bad is a default (不良)
DEFAULT_CLASSES = ("substandard", "doubtful", "loss")
TRIGGERS = {
    "default": _l("Default (class became substandard or worse)"),
    "control": _l("Warning closed after a risk control"),
    "success": _l("Success case"),
    "manual": _l("Started by hand"),
}
STATUSES = {
    "open": _l("Open (analyst)"),
    "in_review": _l("In review"),
    "approved": _l("In the library"),
    "returned": _l("Returned to the analyst"),
}


@cache
def _choices(
    forms_dir: str, field: str, form: str = FORM
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    schema = json.loads((Path(forms_dir) / form).read_text(encoding="utf-8"))
    spec = schema["properties"][field]
    enum = spec["items"]["enum"] if spec.get("type") == "array" else spec["enum"]
    return tuple(enum), {lang: tuple(titles) for lang, titles in spec["x-enum-titles"].items()}


def _titles(field: str, locale: str | None, form: str = FORM) -> dict[str, str]:
    codes, titles = _choices(str(current_app.config["FORMS_DIR"]), field, form)
    lang = "zh_CN" if (locale or str(get_locale() or "zh_CN")).startswith("zh") else "en"
    return dict(zip(codes, titles[lang], strict=True))


def cause_titles(locale: str | None = None) -> dict[str, str]:
    """Each root cause's code → its title in ``locale`` (the request's by default), in the form's order."""
    return _titles("root_causes", locale)


def outcome_titles(locale: str | None = None) -> dict[str, str]:
    """Each outcome's code → its title (loss, recovering, recovered, restructured)."""
    return _titles("case_outcome", locale)


def action_titles(locale: str | None = None) -> dict[str, str]:
    """Each risk-control action's code → its title, as the risk manager's form names it (a timeline's controls)."""
    return _titles("action", locale, "risk_review.json")


def codes(field: str) -> tuple[str, ...]:
    """The codes of ``root_causes`` or ``case_outcome``."""
    return _choices(str(current_app.config["FORMS_DIR"]), field)[0]
