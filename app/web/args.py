"""Values of a query string or a form that many views read, read once here: whole numbers (digits only and
within what a database integer holds, or a 422 naming the field: ``page=10**30``, ``before=abc``, where the
database driver would overflow, a 500; the rule is ``app.inputs.numbers.whole_number``) and the language a
document is asked in (``lang=xx`` is a 422, not Babel's unknown-locale error)."""

from __future__ import annotations

from typing import overload

from flask import current_app, request
from flask_babel import gettext as _

from app.errors import InvalidInput
from app.inputs import numbers

LIMIT = numbers.ROW_ID  # the largest INTEGER of a column (as the route converter's)


@overload
def whole_number(name: str, default: int) -> int: ...
@overload
def whole_number(name: str, default: None = None) -> int | None: ...
def whole_number(name: str, default: int | None = None) -> int | None:
    """The whole number ``name`` of the query string, ``default`` when absent."""
    value = numbers.whole_number(request.args, name, smallest=-LIMIT)
    return default if value is None else value


@overload
def form_number(name: str, default: int) -> int: ...
@overload
def form_number(name: str, default: None = None) -> int | None: ...
def form_number(name: str, default: int | None = None) -> int | None:
    """The whole number ``name`` of the posted form (a revision, a version), ``default`` when absent."""
    value = numbers.whole_number(request.form, name, smallest=-LIMIT)
    return default if value is None else value


def page_number() -> int:
    """The ``page`` asked for, 1 when absent or below 1."""
    return max(whole_number("page", 1) or 1, 1)


def language(name: str = "lang", default: str = "zh_CN") -> str:
    """The language ``name`` of the query string as one of the app's ``LANGUAGES`` (``zh``, ``zh-CN`` and
    ``zh_CN`` all read as ``zh_CN``), ``default`` when absent."""
    offered = current_app.config["LANGUAGES"]
    asked = (request.args.get(name) or default).replace("-", "_")
    for language in offered:
        if asked.lower() in (language.lower(), language.split("_")[0].lower()):
            return language
    raise InvalidInput(
        _("The request cannot be read."), {name: _("one of %(keys)s", keys=", ".join(offered))}
    )
