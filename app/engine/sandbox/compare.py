"""Comparisons, searches, sorts and sets over designers' values, bounded before C runs them.

One C call can look at far more than its result shows: with ``s`` and ``t`` two equal strings of a million
characters (distinct objects), ``[s] * n == [t] * n`` compares n megabytes and returns a bool; ``t in [s] * n``,
``sorted([s, t] * n)``, ``set([s, t] * n)``, ``max(...)`` and ``list.count`` do the same, and no loop step
sees it. What such a call may cost is bounded by the *weight* of what it looks at: the characters of each
string, the items of each list, tuple, set or dict (a dict's keys and values), counted each time a value is
held (``[s] * n`` weighs n × len(s)), a big integer or Decimal by its size. So each operand is weighed first
and refused past ``LIMITS.compared`` (:func:`weight` stops counting once past it), or nested deeper than
``LIMITS.depth`` (a tuple's hash recurses in C with no check: 200,000 levels crash the process); the items
weighing visits are charged to the evaluation's steps, so many heavy comparisons still end on the budget, and
a ``key`` function or an iterator that C consumes (``sorted``, ``max``, ``set()``...) costs a step per item.

Where the guards stand (the transformer and the builtins put them there):

* ``==``, ``<``, ... : :func:`compared` on both operands, unless the other is a constant (``amount > 1000``
  costs what the constant is);
* ``in``: :func:`searched` on the right: a list, tuple or dict's values are walked, a dict, set or string is
  not (a hash lookup or a linear text search); the needle goes through :func:`compared`;
* ``sorted``, ``min``, ``max``, ``set()``, ``dict()``, ``dict.fromkeys``, the list/tuple searches
  (``count``, ``index``, ``remove``, ``sort``) and the set and dict methods and operators that take another
  collection: their input is weighed (an iterator item by item, as it is consumed: :func:`each`), or with a
  ``key``, the keys it makes;
* a key a dict or set hashes and compares with its equal (a display's, a comprehension's, ``d[k]``, ``add``,
  ``get``, ``pop``...): :func:`key` weighs a tuple (its hash runs through all it holds, each time).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import operator
import sys
from collections.abc import Callable, Iterator
from typing import Any

from app.engine.sandbox.limits import LIMITS, _charge, refuse, step

_VIEWS: tuple[type, ...] = (type({}.keys()), type({}.values()), type({}.items()))
CONTAINERS = (list, tuple, dict, set, frozenset, *_VIEWS)
_SEARCHED = (list, tuple, _VIEWS[1])  # ``in`` runs through these item by item
_SETLIKE = (set, frozenset, dict, *_VIEWS)
_FLAT = frozenset({float, bool, type(None), _dt.date, _dt.datetime, _dt.time, _dt.timedelta})
_TEXTS = frozenset({str, bytes})
_INTS = frozenset({int, bool})
_NUMBERS = frozenset({int, float, bool, decimal.Decimal})
_PLAIN = _FLAT | _NUMBERS | _TEXTS  # operands that pass at once: one type check
_HASHED = frozenset({dict, set, frozenset, str, bytes, range, _VIEWS[0], _VIEWS[2]})  # ``in``: a lookup
_SEQUENCES = frozenset({list, tuple, set, frozenset})
_MIXED = _FLAT | _TEXTS | _INTS
_CHUNK = 65_536  # items visited between two charges to the budget


class _Left:
    """Pushed under a container's items: once popped, the walk has left that container (and knows its weight)."""

    __slots__ = ("key", "start")

    def __init__(self, key: int, start: int) -> None:
        self.key, self.start = key, start


def _flat(part: Any) -> int | None:
    """The weight of a container of plain values only (one kind mostly: one pass in C), else None."""
    kinds = set(map(type, part))
    if kinds <= _FLAT:
        return len(part)
    if kinds <= _TEXTS:
        return len(part) + sum(map(len, part))
    if kinds <= _INTS:
        return len(part) + (sum(map(int.bit_length, part)) >> 6)
    if kinds <= _MIXED:  # a record's values, a (name, number) key
        return len(part) + sum(
            len(x) if type(x) in _TEXTS else x.bit_length() >> 6 if type(x) is int else 0 for x in part
        )
    return None


def weight(value: Any) -> int:
    """What comparing ``value`` may look at: characters, items (each time held), an integer's or Decimal's
    64-bit words; counting stops once past ``LIMITS.compared``. A container inside itself weighs more."""
    if type(value) in _SEQUENCES:  # most operands: a short list of plain values
        found = _flat(value)
        if found is not None:
            if len(value) > 64:
                _charge(len(value))
            return found
    total, visited, limit, stack = 0, 0, LIMITS.compared, [value]
    known: dict[int, int] = {}  # the weight of each container walked: held again, it is added at once
    inside: set[int] = set()  # the containers the walk is in: meeting one again is a cycle
    while stack and total <= limit:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bytes:
            total += len(item)
            continue
        if kind is int:
            total += item.bit_length() >> 6
            continue
        if kind is decimal.Decimal:  # its size in bytes, O(1): a long coefficient compares word by word
            total += sys.getsizeof(item) >> 6
            continue
        if kind is _Left:
            inside.discard(item.key)
            known[item.key] = total - item.start
            continue
        if kind is dict:
            parts: tuple[Any, ...] = (item.keys(), item.values())
        elif isinstance(item, CONTAINERS):
            parts = (item,)
        else:
            continue
        key, start = id(item), total
        if key in known:
            total += known[key]
            visited += 1
            continue
        if key in inside:
            return limit + 1
        nested = []
        for part in parts:
            visited += len(part)
            found = _flat(part)
            if found is None:
                total += len(part)
                nested.append(part)
            else:
                total += found
        if nested:
            inside.add(key)
            if (
                len(inside) >= LIMITS.depth
            ):  # hashing a tuple nested deeper runs C out of stack, with no check
                refuse(
                    f"a value nested more than {LIMITS.depth:,} levels deep cannot be compared or used as a "
                    "key"
                )
            stack.append(_Left(key, start))
            for part in nested:
                stack.extend(part)
        else:
            known[key] = total - start
        if visited > _CHUNK:
            _charge(visited)
            visited = 0
    if visited > 64:
        _charge(visited)
    return total


def _limit(total: int, what: str) -> None:
    if total > LIMITS.compared:
        refuse(
            f"{what} would look at more than {LIMITS.compared:,} characters and items (the limit is "
            f"{LIMITS.compared:,}; a value held many times counts each time)"
        )


def compared(value: Any) -> Any:
    """An operand of ``==``, ``<``, ... (``_compared_``): a container is weighed first."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, CONTAINERS):
        _limit(weight(value), "a comparison")
    return value


def searched(value: Any) -> Any:
    """The right side of ``in`` (``_searched_``): what is searched item by item is weighed; an iterator
    item by item as ``in`` consumes it."""
    if type(value) in _HASHED:
        return value
    if isinstance(value, _SEARCHED):
        _limit(weight(value), "a search")
    elif isinstance(value, Iterator):
        return _weighed(value, "a search")
    return value


def _weighed(items: Iterator[Any], what: str) -> Iterator[Any]:
    total = 0
    for item in items:
        step()  # consumed in C (``set()``, ``sorted()``...): each item still costs a step and sees the deadline
        total += 1 + weight(item)
        _limit(total, what)
        yield item


def each(items: Any, what: str) -> Any:
    """``items``, weighed: a collection at once, an iterator (a generator, ``map``...) as it is consumed."""
    if isinstance(items, CONTAINERS):
        _limit(weight(items), what)
        return items
    return _weighed(iter(items), what) if not isinstance(items, (str, bytes, range)) else items


def _keyed(key: Callable[[Any], Any], what: str) -> Callable[[Any], Any]:
    """``key``, whose results (what a sort or ``min`` compares) are weighed together as it makes them."""
    total = 0

    def weighed_key(item: Any) -> Any:
        nonlocal total
        step()  # called from C, once per item: a step, as a loop's item is, and a look at the deadline
        made = key(item)
        total += 1 + weight(made)
        _limit(total, what)
        return made

    return weighed_key


def _ordered(items: Any, key: Any, what: str) -> tuple[Any, Any]:
    return (items, _keyed(key, what)) if key is not None else (each(items, what), None)


def sorted_(iterable: Any, /, *, key: Any = None, reverse: bool = False) -> list[Any]:
    items, key = _ordered(iterable, key, "a sort")
    return sorted(items, key=key, reverse=reverse)


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    """``min`` or ``max``: of one iterable or of several arguments, with ``key`` and ``default``."""

    def guard(*args: Any, **kwargs: Any) -> Any:
        key = kwargs.get("key")
        if key is not None:
            kwargs["key"] = _keyed(key, f"{pick.__name__}()")
        elif len(args) == 1:
            args = (each(args[0], f"{pick.__name__}()"),)
        else:
            _limit(weight(args), f"{pick.__name__}()")
        return pick(*args, **kwargs)

    return guard


min_, max_ = _extreme(min), _extreme(max)


def unique(make: type) -> Callable[..., Any]:
    """``set(...)`` or ``dict(...)``: items that may be equal to one another are weighed (a set or dict is
    not: its members are distinct already)."""

    def guard(*args: Any, **kwargs: Any) -> Any:
        if args and not isinstance(args[0], _SETLIKE[:3]):
            args = (each(args[0], f"{make.__name__}()"), *args[1:])
        return make(*args, **kwargs)

    return guard


def _searching(name: str) -> Callable[..., Any]:
    """``list.count``/``index``/``remove`` and ``tuple.count``/``index``: the list is weighed."""

    def guard(obj: Any, *args: Any) -> Any:
        _limit(weight(obj), "a search")
        return getattr(obj, name)(*args)

    return guard


def _sort(obj: Any, *, key: Any = None, reverse: bool = False) -> None:
    if key is None:
        _limit(weight(obj), "a sort")
    obj.sort(key=None if key is None else _keyed(key, "a sort"), reverse=reverse)


def _merging(name: str) -> Callable[..., Any]:
    """A set or dict method taking other collections (``update``, ``union``, ``issubset``...): each is
    weighed (looking its items up in the set compares each with its equal, if any)."""

    def guard(obj: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(obj, name)(*(each(a, f"{name}()") for a in args), **kwargs)

    return guard


def fromkeys(iterable: Any, value: Any = None) -> dict[Any, Any]:
    """``dict.fromkeys`` (a class method: the same bound or not)."""
    return dict.fromkeys(each(iterable, "fromkeys()"), value)


def key(value: Any) -> Any:
    """A key a dict or set hashes and compares with its equal (``_key_``): a tuple is weighed (its hash is
    not kept: a tuple of tuples is hashed through all it holds)."""
    if type(value) is tuple:
        _limit(weight(value), "a key")
    return value


def _looking_up(owner: type, name: str) -> Callable[..., Any]:
    """``set.add``/``discard``/``remove``, ``dict.get``/``pop``/``setdefault``: a tuple key is weighed."""
    unbound = getattr(owner, name)

    def guard(obj: Any, *args: Any) -> Any:
        if args and type(args[0]) is tuple:
            key(args[0])
        return unbound(obj, *args)

    return guard


_SET_METHODS = (
    "update",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "intersection_update",
    "difference_update",
    "symmetric_difference_update",
    "issubset",
    "issuperset",
    "isdisjoint",
)
SEQUENCE_METHODS: dict[str, Callable[..., Any]] = {
    **{name: _searching(name) for name in ("count", "index", "remove")},
    "sort": _sort,
}
SET_METHODS: dict[str, Callable[..., Any]] = {
    **{name: _merging(name) for name in _SET_METHODS},
    **{name: _looking_up(set, name) for name in ("add", "discard", "remove")},
}
DICT_METHODS: dict[str, Callable[..., Any]] = {
    "update": _merging("update"),
    **{name: _looking_up(dict, name) for name in ("get", "pop", "setdefault")},
    "fromkeys": fromkeys,
}  # a class method: given as it is, bound or not
METHOD_NAMES = frozenset({*SEQUENCE_METHODS, *SET_METHODS, *DICT_METHODS})


def setop(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``|``, ``&``, ``-``, ``^`` (``_or_``...): between sets, dicts or dict views both sides are weighed;
    numbers pass at once."""

    def guard(a: Any, b: Any) -> Any:
        if type(a) in _NUMBERS:
            return op(a, b)
        if isinstance(a, _SETLIKE) or isinstance(b, _SETLIKE):
            _limit(weight(a) + weight(b), "a set operation")
        return op(a, b)

    return guard


SET_OPS = {
    "|": setop(operator.or_),
    "&": setop(operator.and_),
    "-": setop(operator.sub),
    "^": setop(operator.xor),
}


def members(items: Any) -> Any:
    """What ``{*items}`` or ``{**items}`` adds to a set or dict it builds (``_members_``)."""
    return each(items, "a set")
