"""The builtins and methods designers' code calls, as the sandbox hands them over: each that can make a
large value sizes it first (:mod:`app.engine.sandbox.limits`). ``str``, ``int``, ``list``... stay types for
``isinstance`` and their own methods; calling them is guarded. Methods that can grow a value far beyond their
object (``join``, ``ljust``, ``replace``, ``extend``...) are swapped for their guards when a script reads
them (``_getattr_``), bound or unbound (``str.join``).
"""

from __future__ import annotations

import decimal
import functools
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from RestrictedPython.Guards import safer_getattr_raise

from app.engine.sandbox import compare
from app.engine.sandbox.limits import LIMITS, SEQUENCES, bits, inplace, length, refuse, sized, text_size

_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


def plain_inplace(op: str, target: Any, value: Any) -> Any:
    return _INPLACE_OPS[op](target, value)


_SET_INPLACE = frozenset({"|=", "&=", "-=", "^="})


def inplacevar(op: str, target: Any, value: Any) -> Any:
    if op in _SET_INPLACE and isinstance(target, (set, dict)):  # each item of value looked up in target
        value = compare.each(value, "a set operation")
    return inplace(op, target, value, plain_inplace)


def str_call(*args: Any, **kwargs: Any) -> str:
    if args:
        sized(text_size(args[0]), "the text")
    return str(*args, **kwargs)


def int_call(*args: Any, **kwargs: Any) -> int:
    if args:
        int_from(args[0])
    return int(*args, **kwargs)


def int_from(value: Any) -> None:
    if isinstance(value, decimal.Decimal) and value.is_finite() and value.adjusted() > 0:
        bits(value.adjusted() * 10 // 3)


def floor(value: Any) -> Any:
    int_from(value)
    return math.floor(value)


def ceil(value: Any) -> Any:
    int_from(value)
    return math.ceil(value)


def round_(value: Any, *args: Any) -> Any:
    if not args:
        int_from(value)
    return round(value, *args)


def charged(make: Any) -> Any:
    """``make`` (list, tuple, sorted ...) whose result's items are charged to the budget."""

    def call(*args: Any, **kwargs: Any) -> Any:
        result = make(*args, **kwargs)
        sized(len(result))
        return result

    return call


class _GuardedType(type):
    """A builtin type as scripts see it: calling it is guarded, ``isinstance`` and its methods are the type's."""

    real: type  # both set by guarded_type
    make: Callable[..., Any]

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls.real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.real)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.make(*args, **kwargs)


def guarded_type(real: type, make: Any) -> type:
    return _GuardedType(real.__name__, (), {"real": real, "make": staticmethod(make)})


def total(iterable: Any, start: Any = 0) -> Any:
    """``sum``, of numbers only (a start of lists or strings would copy them over and over in C)."""
    if isinstance(start, (str, bytes, list, tuple)):
        refuse("sum() adds numbers only")
    return sum(iterable, start)


# Methods that can make a result far larger than their object, each checked before it runs.
def _join(sep: Any, items: Any) -> Any:
    items = items if isinstance(items, (list, tuple)) else list(items)
    sized(len(sep) * max(len(items) - 1, 0) + sum(length(x) for x in items))
    return sep.join(items)


def _pad(name: str) -> Any:
    def guard(text: Any, width: Any, *args: Any) -> Any:
        if isinstance(width, int):
            sized(max(width, len(text)))
        return getattr(text, name)(width, *args)

    return guard


def _replace(text: Any, old: Any, new: Any, count: int = -1) -> Any:
    found = text.count(old) if count < 0 else min(count, text.count(old))
    sized(len(text) + found * max(len(new) - len(old), 0))
    return text.replace(old, new, count)


def _expandtabs(text: Any, tabsize: int = 8) -> Any:
    sized(len(text) + text.count("\t" if isinstance(text, str) else b"\t") * max(tabsize, 0))
    return text.expandtabs(tabsize)


def _extend(target: Any, items: Any) -> None:
    items = items if isinstance(items, (list, tuple, str)) else list(items)
    sized(len(target) + len(items))
    target.extend(items)


def _copy(target: Any) -> Any:
    sized(len(target))
    return target.copy()


_METHODS = {
    "join": _join,
    "ljust": _pad("ljust"),
    "rjust": _pad("rjust"),
    "center": _pad("center"),
    "zfill": _pad("zfill"),
    "replace": _replace,
    "expandtabs": _expandtabs,
    "extend": _extend,
    "copy": _copy,
}
_METHOD_OWNERS = (str, bytes, list, dict, set)

# Methods that compare their object's or argument's items (``count``, ``sort``, ``update``...), by owner.
_COMPARING = (
    (dict, compare.DICT_METHODS),
    (list, compare.SEQUENCE_METHODS),
    (tuple, compare.SEQUENCE_METHODS),
    (set, compare.SET_METHODS),
    (frozenset, compare.SET_METHODS),
)

_COMPARING_BY_TYPE: dict[type, dict[str, Callable[..., Any]]] = dict(_COMPARING)


def _comparing(obj: Any, name: str, found: Any) -> Any:
    guards = _COMPARING_BY_TYPE.get(type(obj))
    if guards is not None:  # a bound method of a plain dict, list...: the usual case
        guard = guards.get(name)
        return (
            found if guard is None else guard if guard is compare.fromkeys else functools.partial(guard, obj)
        )
    if isinstance(obj, _GuardedType):
        obj = obj.real
    unbound = isinstance(obj, type)
    owner = obj if unbound else type(obj)
    for kind, guards in _COMPARING:
        if issubclass(owner, kind):
            guard = guards.get(name)
            if guard is None:
                return found
            return guard if unbound or guard is compare.fromkeys else functools.partial(guard, obj)
    return found


def method(obj: Any, name: str, found: Any) -> Any:
    """What ``obj.name`` gives a script: ``found``, or its guard if it is a method that can grow or compare
    many items."""
    guard = _METHODS.get(name)
    if guard is None:
        return _comparing(obj, name, found) if name in compare.METHOD_NAMES else found
    if isinstance(obj, _GuardedType):
        obj = obj.real
    if isinstance(obj, type):
        return guard if issubclass(obj, _METHOD_OWNERS) else found
    if isinstance(obj, _METHOD_OWNERS):
        return lambda *args, **kwargs: guard(obj, *args, **kwargs)
    return found


def subscript(container: Any, key: Any) -> Any:
    if type(key) is tuple:
        compare.key(key)
    result = container[key]
    if type(key) is slice and isinstance(result, SEQUENCES):
        sized(len(result))
    return result


_SPEC_NUMBER = re.compile(r"\d+")


def spec_problem(spec: str) -> str | None:
    """Why a constant f-string format spec is refused (None: it is not)."""
    for number in _SPEC_NUMBER.findall(spec):
        if len(number) > 7 or int(number) > LIMITS.length:
            return f"a width or precision above {LIMITS.length:,} in an f-string is not allowed"
    return None


def getattr_(obj: Any, name: str, *default: Any) -> Any:
    if isinstance(obj, _GuardedType):  # ``str.join``: the type's own attribute
        obj = obj.real
    return method(obj, name, safer_getattr_raise(obj, name, *default))
