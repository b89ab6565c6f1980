"""Reading one field of a contact or a log entry, from a form (strings) or a JSON body (any JSON value), with
its reason when refused: what ``contacts`` and ``contact_log`` share.

Each reader takes the submitted mapping, the field's name and the dict of errors it adds its reason to, and
returns the typed value (None when empty or refused), so a form names every bad field at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.forms.coerce import parse_date
from app.inputs.text import text_problem

Errors = dict[str, str]


def text(
    data: Mapping[str, Any],
    name: str,
    errors: Errors,
    *,
    limit: int,
    required: bool = False,
    multi_line: bool = False,
) -> str | None:
    """A text of at most ``limit`` characters, trimmed; a single line unless ``multi_line``."""
    raw = data.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = _("required")
        return None
    if not isinstance(raw, str):
        errors[name] = _("text expected")
        return None
    value = raw.strip()
    problem = text_problem(value, multi_line=multi_line)
    if problem:
        errors[name] = problem
        return None
    if len(value) > limit:
        errors[name] = _("at most %(count)s characters", count=limit)
        return None
    if not value and required:
        errors[name] = _("required")
    return value or None


def choice(
    data: Mapping[str, Any], name: str, errors: Errors, allowed: Collection[str], *, required: bool = False
) -> str | None:
    """One of ``allowed`` (the stored codes)."""
    value = text(data, name, errors, limit=32, required=required)
    if value is not None and value not in allowed:
        errors[name] = _("one of %(values)s", values=", ".join(allowed))
        return None
    return value


def day(data: Mapping[str, Any], name: str, errors: Errors, *, required: bool = False) -> date | None:
    """A calendar date (``2026-11-30``, ``2026/11/30``, ``2026年11月30日``) within the years we accept."""
    value = text(data, name, errors, limit=20, required=required)
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        errors[name] = _("a date such as 2026-11-30")
        return None
    return date.fromisoformat(parsed)


def flag(data: Mapping[str, Any], name: str, errors: Errors) -> bool:
    """A yes/no: JSON true/false, or a form's checkbox (present and not "false"/"0"/"no")."""
    raw = data.get(name)
    if isinstance(raw, bool) or raw is None:
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in (
        "",
        "on",
        "true",
        "1",
        "yes",
        "y",
        "false",
        "0",
        "no",
        "n",
    ):
        return raw.strip().lower() in ("on", "true", "1", "yes", "y")
    errors[name] = _("yes or no")
    return False


def whole_number(data: Mapping[str, Any], name: str, errors: Errors) -> int | None:
    """A row id (a JSON integer or a form's digits), None when empty."""
    raw = data.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw < 2**31:
        return raw
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) <= 9:
        return int(raw.strip())
    errors[name] = _("a whole number")
    return None
