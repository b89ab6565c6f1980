"""Numbers that are numbers: finite, and within what a 64-bit integer holds.

``NaN``, ``Infinity``, ``-Infinity`` and ``1e309`` (which Python reads as infinity) are not amounts, days or
ratios: stored, they break every later comparison and JSON reader (SQLite's ``json_extract`` refuses the
whole column: every search fails). A whole number beyond 64 bits overflows every database driver. Both are
refused wherever a number comes in: JSON bodies (``json_body``), form schemas (``app.forms.values``) and
query strings (below).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from numbers import Number

from flask_babel import gettext as _

from app.errors import InvalidInput

LARGEST = 2**63 - 1  # a BIGINT; also the bound of any amount, count or ratio we keep
ROW_ID = 2**31 - 1  # the largest INTEGER of a column: row ids, versions, pages


def refused_kind(value: object) -> str | None:
    """``not_finite`` (NaN, an infinity), ``too_large`` (beyond 64 bits) or None; booleans and non-numbers
    pass. For callers with their own words (the forms package)."""
    if isinstance(value, bool) or not isinstance(value, Number):
        return None
    if isinstance(value, float | Decimal) and not _finite(value):
        return "not_finite"
    if abs(value) > LARGEST:  # type: ignore[arg-type]
        return "too_large"
    return None


def number_problem(value: object) -> str | None:
    """Why a parsed number is refused, or None."""
    kind = refused_kind(value)
    if kind == "not_finite":
        return _("not a number (NaN or an infinity)")
    if kind == "too_large":
        return _("at most %(limit)s in size", limit=f"{LARGEST:,}")
    return None


def _finite(value: float | Decimal) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def whole_number(
    args: Mapping[str, str], name: str, *, largest: int = ROW_ID, smallest: int = 0
) -> int | None:
    """The whole number named ``name`` in ``args`` (a query string), None when absent or empty; anything else
    than digits, or a number outside ``smallest``..``largest``, is refused naming the field."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    digits = raw[1:] if raw[:1] in "+-" else raw
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        raise InvalidInput(_("The request cannot be read."), {name: _("a whole number")})
    value = int(raw)
    if not smallest <= value <= largest:
        raise InvalidInput(
            _("The request cannot be read."),
            {name: _("a whole number from %(low)s to %(high)s", low=smallest, high=largest)},
        )
    return value


def row_id(raw: object) -> int | None:
    """``raw`` as a row id when it is ASCII digits within ``ROW_ID``, else None (``str.isdigit`` also passes
    ``²``, which ``int`` refuses — a 500 — and a long number overflows the database driver)."""
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > ROW_ID:
        return None
    return int(text)


def written_decimal(raw: object) -> Decimal | None:
    """The decimal a person wrote (``1,000,000.50``, or a JSON number), or None when it is not one. ``Decimal``
    alone reads too much: NaN, infinities, exponents, ``1_000`` and full-width or Arabic-Indic digits
    (``１０００``) all come out as numbers; here only ASCII digits, a sign, a point and thousands commas do."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    text = str(raw).replace(",", "").strip()
    if not text or not text.isascii() or "_" in text or "e" in text.lower():
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimal_number(args: Mapping[str, str], name: str) -> Decimal | None:
    """An amount from a query string (``1,000,000.50``), None when absent; NaN, infinities, exponents,
    non-ASCII digits and numbers beyond 64 bits are refused naming the field."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    value = written_decimal(raw)
    if value is None:
        raise InvalidInput(_("The request cannot be read."), {name: _("a number")})
    problem = number_problem(value)
    if problem:
        raise InvalidInput(_("The request cannot be read."), {name: problem})
    return value
