"""Whole numbers from a query string, kept within what a database integer holds: an absurd value
(``page=99999999999999999999``) reads as the largest one (an empty page, no such version), where the
database driver would overflow (a 500)."""

from __future__ import annotations

from flask import request

LIMIT = 2**31 - 1  # the largest INTEGER of a column (as the route converter's)


def whole_number(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name, type=int)
    return default if value is None else max(-LIMIT, min(LIMIT, value))


def page_number() -> int:
    """The ``page`` asked for, 1 when absent or below 1."""
    return max(whole_number("page", 1) or 1, 1)
