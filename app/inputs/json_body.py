"""A JSON body read with its limits checked before and while Python parses it.

- Depth: ``[[[[…`` 100,000 deep makes the standard parser recurse until ``RecursionError`` (a 500). The
  nesting is counted on the raw bytes first, outside strings, and refused past ``MAX_DEPTH``.
- Numbers: ``NaN``, ``Infinity``, ``-Infinity`` (which Python's parser accepts though JSON has no such thing),
  ``1e309`` (read as infinity) and numbers beyond 64 bits are refused, naming where they are.
- Text: every string and key is held to ``text.text_problem`` (no NUL, lone surrogate or control character;
  line breaks and tabs are kept here, a form schema decides which fields are single lines).

A refusal is an ``InvalidInput`` whose ``errors`` name the place, as ``data.requested_amount`` or
``observations[2].value``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.inputs.numbers import number_problem
from app.inputs.text import escaped, text_problem

MAX_DEPTH = 64  # the forms nest 8 levels; a diagram's JSON body 2
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = frozenset(b"[{")


# Only these can make a parsed value break a rule (a raw control character inside a JSON string is already a
# syntax error): when none is in the body, nothing needs a walk through the parsed values.
_ESCAPE = re.compile(rb"\\[ubf]")
_ODD_NUMBER = re.compile(rb"NaN|Infinity|\d{19}|[eE][+-]?\d{3}")


def depth(raw: bytes) -> int:
    """How deep arrays and objects nest in ``raw`` (brackets inside strings do not count), counted up to one
    past ``MAX_DEPTH``."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return min(raw.count(b"[") + raw.count(b"{"), MAX_DEPTH)
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_A_BRACKET)
    level = deepest = 0
    for byte in brackets:
        level += 1 if byte in _OPEN else -1
        if level > deepest:
            deepest = level
            if deepest > MAX_DEPTH:
                break
    return deepest


def loads(raw: bytes | str) -> Any:
    """The parsed body, or ``InvalidInput`` naming the first place that breaks a rule above."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if depth(data) > MAX_DEPTH:
        raise InvalidInput(
            _("The request cannot be read."),
            {"body": _("JSON nested more than %(count)s levels deep", count=MAX_DEPTH)},
        )
    try:
        # JSON is UTF-8 (RFC 8259): from bytes, json.loads would take UTF-16 or UTF-32 too, whose characters the
        # byte patterns below do not see (a NUL or lone surrogate would pass unchecked).
        parsed = json.loads(raw if isinstance(raw, str) else data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The request cannot be read."), {"body": _("not UTF-8 text")}) from exc
    except ValueError as exc:
        if "digits" not in str(exc):  # a syntax error: the caller answers it as before
            raise
        raise InvalidInput(_("The request cannot be read."), {"body": number_problem(2**64) or ""}) from exc
    if _ESCAPE.search(data) or _ODD_NUMBER.search(data):
        found = _first_problem(parsed, "")
        if found:
            place, reason = escaped(found[0]), found[1]
            raise InvalidInput(
                _("The request cannot be read: %(field)s %(reason)s.", field=place or "body", reason=reason),
                {place or "body": reason},
            )
    return parsed


def _first_problem(value: Any, place: str) -> tuple[str, str] | None:
    """(place, reason) of the first refused value in ``value``, depth first; None when all is well."""
    if isinstance(value, int | float):
        problem = number_problem(value)
        return (place, problem) if problem else None
    if isinstance(value, str):
        problem = text_problem(value, multi_line=True)
        return (place, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{place}.{key}" if place else str(key)
            problem = text_problem(key, multi_line=True)
            if problem:
                return escaped(inner), problem
            found = _first_problem(item, inner)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_problem(item, f"{place}[{index}]")
            if found:
                return found
    return None
