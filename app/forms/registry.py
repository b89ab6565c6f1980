"""Server-side validators that form files name with ``x-validator``.

A validator is ``fn(value) -> normalized value | None``; it raises ``ValueError(reason)``
to refuse the value. The reason is shown after the field's title ("统一社会信用代码：校验位错误"),
so it should say what is wrong, not repeat the field name. It may be a plain string or a
{"zh_CN": ..., "en": ...} mapping. Returning None keeps the value unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Validator = Callable[[Any], Any]

_VALIDATORS: dict[str, Validator] = {}


class UnknownValidator(LookupError):
    """A form names an ``x-validator`` that nobody registered."""

    def __init__(self, name: str) -> None:
        super().__init__(f"x-validator {name!r} is not registered (call register_validator first)")
        self.name = name


def register_validator(name: str, fn: Validator) -> None:
    """Register ``fn`` under ``name`` (replacing an earlier one of the same name)."""
    if not name or not isinstance(name, str):
        raise ValueError("a validator needs a non-empty name")
    if not callable(fn):
        raise TypeError(f"validator {name!r} is not callable")
    _VALIDATORS[name] = fn


def unregister_validator(name: str) -> None:
    """Forget a validator (tests use this to clean up)."""
    _VALIDATORS.pop(name, None)


def get_validator(name: str) -> Validator:
    """The validator registered as ``name``; UnknownValidator if none is."""
    try:
        return _VALIDATORS[name]
    except KeyError:
        raise UnknownValidator(name) from None


def registered_validators() -> frozenset[str]:
    """Names of all registered validators."""
    return frozenset(_VALIDATORS)
