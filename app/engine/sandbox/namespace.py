"""What designers' code sees as its builtins: :data:`SAFE_BUILTINS` (the allow-list, each that can make a
large value guarded), the hooks RestrictedPython's compiled code calls (``_getattr_``, ``_getiter_``,
``_mul_``...), and a caller's own functions (:func:`builtins_for`).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import types
from collections.abc import Callable, Mapping
from typing import Any

from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)

from app.engine.bank_clock import BankDate, BankDateTime
from app.engine.sandbox import builtins as guarded
from app.engine.sandbox import compare, iteration, limits
from app.engine.sandbox.compiling import FORBIDDEN_NAMES
from app.engine.sandbox.policy import DiscardedPrint


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


_RUNTIME_IMPORTS = frozenset({"time"})


def _runtime_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
    """The C datetime module imports ``time`` through the calling frame's builtins (e.g. in
    ``date.today()``); allow exactly that. Scripts can never call this themselves: names with
    a leading underscore and ``import`` statements are refused before anything runs."""
    if name not in _RUNTIME_IMPORTS or level:
        raise ImportError(f"import of {name!r} is not allowed")
    return __import__(name, globals, locals, fromlist, level)


_GUARDS: dict[str, Any] = {
    "__import__": _runtime_import,
    "_getattr_": guarded.getattr_,
    "_getitem_": guarded.subscript,
    "_getiter_": iteration.bounded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": guarded.inplacevar,
    "_apply_": _apply,
    "_print_": DiscardedPrint,
    "_mul_": limits.mul,
    "_pow_": limits.power,
    "_lshift_": limits.lshift,
    "_add_": limits.add,
    "_mod_": limits.mod,
    "_step_": limits.step,
    "_formatted_": limits.formatted,
    "_compared_": compare.compared,
    "_searched_": compare.searched,
    "_members_": compare.members,
    "_key_": compare.key,
    "_or_": compare.SET_OPS["|"],
    "_and_": compare.SET_OPS["&"],
    "_sub_": compare.SET_OPS["-"],
    "_xor_": compare.SET_OPS["^"],
}

SAFE_BUILTINS: Mapping[str, Any] = types.MappingProxyType(
    {
        "None": None,
        "True": True,
        "False": False,
        "abs": abs,
        "all": all,
        "any": any,
        "bool": bool,
        "dict": guarded.guarded_type(dict, guarded.charged(compare.unique(dict))),
        "enumerate": iteration.stepped(enumerate),
        "filter": iteration.stepped(filter),
        "float": float,
        "int": guarded.guarded_type(int, guarded.int_call),
        "isinstance": isinstance,
        "len": len,
        "list": guarded.guarded_type(list, guarded.charged(list)),
        "map": iteration.stepped(map),
        "max": compare.max_,
        "min": compare.min_,
        "pow": limits.power,
        "range": iteration.bounded_range,
        "reversed": iteration.stepped(reversed),
        "round": guarded.round_,
        "set": guarded.guarded_type(set, guarded.charged(compare.unique(set))),
        "sorted": guarded.charged(compare.sorted_),
        "str": guarded.guarded_type(str, guarded.str_call),
        "sum": guarded.total,
        "tuple": guarded.guarded_type(tuple, guarded.charged(tuple)),
        "zip": iteration.stepped(zip),
        "sqrt": math.sqrt,
        "log": math.log,
        "exp": math.exp,
        "floor": guarded.floor,
        "ceil": guarded.ceil,
        "Decimal": decimal.Decimal,
        "date": BankDate,
        "datetime": BankDateTime,
        "timedelta": _dt.timedelta,
        "Exception": Exception,
        "ValueError": ValueError,
        "KeyError": KeyError,
        "TypeError": TypeError,
        "ArithmeticError": ArithmeticError,
        "ZeroDivisionError": ZeroDivisionError,
        "NameError": NameError,
    }
)

_DEFAULT_BUILTINS = {**SAFE_BUILTINS, **_GUARDS}


def builtins_for(functions: Mapping[str, Callable[..., Any]] | None) -> dict[str, Any]:
    """The builtins of one evaluation: the safe ones, then the caller's ``functions`` (none named like a
    refused name), then the guards."""
    if not functions:
        return _DEFAULT_BUILTINS
    bad = [name for name in functions if name.startswith("_") or name in FORBIDDEN_NAMES]
    if bad:
        raise ValueError(f"function names not allowed in the sandbox: {sorted(bad)}")
    return {**SAFE_BUILTINS, **functions, **_GUARDS}
