"""What no form field may hold, whatever its schema allows: numbers that are not numbers (NaN, infinities,
beyond 64 bits: ``app.inputs.numbers``) and text with characters no text may hold, or line breaks in a
field that is a single line (``app.inputs.text``; only a ``textarea`` field spans lines).

Checked before the schema on every submission (a browser's post, the API's JSON, a case's start data), so
such a value is refused naming its field instead of being stored and breaking a page for everyone later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.forms.messages import message
from app.forms.schema import Field, FormSchema
from app.inputs import dates, numbers, text

MESSAGES = {
    "not_finite": "not_finite",
    "too_large": "too_large",
    "nul": "control",
    "surrogate": "control",
    "control": "control",
    "line": "single_line",
    "date_range": "date_range",
}


def value_errors(form: FormSchema, data: Any, title_of, locale: Any) -> dict[str, str]:
    """Field path -> message for each field whose value breaks the rules above (``title_of(parts)`` names
    a field in messages)."""
    errors: dict[str, str] = {}
    if not isinstance(data, Mapping):
        return errors
    for name, value in data.items():
        field = form.field(name) if isinstance(name, str) else None
        if field is not None and field.is_table and isinstance(value, list):
            for index, item in enumerate(value):
                for key, cell in item.items() if isinstance(item, Mapping) else ():
                    row = next((r for r in field.item_fields() if r.name == key), None)
                    _check(cell, row, [name, index, key], errors, title_of, locale)
        else:
            _check(value, field, [name], errors, title_of, locale)
    return errors


def _check(
    value: Any, field: Field | None, parts: list[Any], errors: dict[str, str], title_of, locale: Any
) -> None:
    kind = _first_refused(value, multi_line=field is not None and field.widget == "textarea")
    if kind is None and field is not None and field.schema.get("format") == "date" and isinstance(value, str):
        kind = _date_kind(value)
    if kind:
        path = "-".join(str(p) for p in parts)
        errors.setdefault(
            path,
            message(
                MESSAGES[kind],
                locale,
                title=title_of(parts),
                limit=f"{numbers.LARGEST:,}",
                first=dates.EARLIEST.isoformat(),
                last=dates.LATEST.isoformat(),
            ),
        )


def _date_kind(value: str) -> str | None:
    """``date_range`` for an ISO date outside the years we accept (``9999-12-31``); a malformed one is left to
    the schema's ``format`` check."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return None if dates.accepted(day) else "date_range"


def _first_refused(value: Any, *, multi_line: bool) -> str | None:
    if isinstance(value, str):
        return text.refused_kind(value, multi_line=multi_line)
    if isinstance(value, Mapping):
        values: Any = list(value.keys()) + list(value.values())
    elif isinstance(value, list | tuple):
        values = value
    else:
        return numbers.refused_kind(value)
    return next((kind for item in values if (kind := _first_refused(item, multi_line=multi_line))), None)
