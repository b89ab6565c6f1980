"""The training forms' fields, each parsed or refused with a message naming what is wanted: numbers that are
finite, not negative and bounded (no NaN, Infinity or 1e999), dates within the years a bank record may hold,
short text without control characters."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

FIRST_YEAR, LAST_YEAR = 2000, 2100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def text(
    data: Mapping[str, Any], key: str, errors: dict[str, str], *, limit: int, required: bool = True
) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        if required:
            errors[key] = _("required")
        return ""
    if len(value) > limit or _CONTROL.search(value):
        errors[key] = _("at most %(count)s characters, without control characters", count=limit)
    return value


def number(
    data: Mapping[str, Any], key: str, errors: dict[str, str], *, top: int, required: bool = True
) -> Decimal | None:
    """A number from 0 to ``top`` with at most one decimal place."""
    raw = str(data.get(key) if data.get(key) is not None else "").strip()
    if not raw:
        if required:
            errors[key] = _("required")
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[key] = _("a number")
        return None
    if not value.is_finite() or not math.isfinite(float(value)):
        errors[key] = _("a finite number")
        return None
    if value < 0 or value > top:
        errors[key] = _("from 0 to %(top)s", top=top)
        return None
    if value != value.quantize(Decimal("0.1")):
        errors[key] = _("at most one decimal place")
        return None
    return value.quantize(Decimal("0.1"))


def whole(
    data: Mapping[str, Any], key: str, errors: dict[str, str], *, low: int, top: int, required: bool = True
) -> int | None:
    raw = str(data.get(key) if data.get(key) is not None else "").strip()
    if not raw:
        if required:
            errors[key] = _("required")
        return None
    if not re.fullmatch(r"\d{1,4}", raw) or not low <= int(raw) <= top:
        errors[key] = _("a whole number from %(low)s to %(top)s", low=low, top=top)
        return None
    return int(raw)


def day(data: Mapping[str, Any], key: str, errors: dict[str, str], *, required: bool = True) -> date | None:
    value = data.get(key)
    parsed: date | None
    if isinstance(value, date):
        parsed = value
    else:
        raw = str(value or "").strip()
        if not raw:
            if required:
                errors[key] = _("required")
            return None
        try:
            parsed = date.fromisoformat(raw) if len(raw) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None:
            errors[key] = _("a date as YYYY-MM-DD")
            return None
    assert parsed is not None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        errors[key] = _("a year from %(first)s to %(last)s", first=FIRST_YEAR, last=LAST_YEAR)
        return None
    return parsed


def choice(data: Mapping[str, Any], key: str, errors: dict[str, str], choices: tuple[str, ...]) -> str:
    value = str(data.get(key) or "").strip()
    if value not in choices:
        errors[key] = _("one of: %(choices)s", choices=", ".join(choices))
    return value
