"""A pandas DataFrame as the DMN engine sees its rows, for vectorized evaluation (``vectorized``): each
column as Python values (a missing value, NaN or None, is ``None``), split into what numpy can compare
exactly and what must be matched by the engine's own code, and the environment a decision's expressions
read (the frame's columns, then required decisions' outputs)."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.engine.feel import AnyTest, Comparison, Disjunction, Equals, Not, Range, Test, UnaryTests

_EXACT = 2**53  # integers smaller than this in size are exact as float64
_NUMPY_OPS = {"=": np.equal, "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _python(value: Any) -> Any:
    """A frame cell as the engine sees it: a Python scalar, ``None`` when missing."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


class _NotExact(Exception):
    """A numeric test numpy cannot reproduce exactly (an integer literal of 2**53 or more)."""


def _numeric(test: Test, x: np.ndarray) -> np.ndarray:
    """Where float64 values ``x`` (ints and floats, never None) pass ``test``, as FEEL says."""
    if isinstance(test, AnyTest):
        return np.ones(len(x), bool)
    if isinstance(test, (Disjunction, Not)):
        hit = np.logical_or.reduce([_numeric(t, x) for t in test.tests])
        return ~hit if isinstance(test, Not) else hit
    if isinstance(test, Equals):
        return _compare(x, "=", test.literal)
    if isinstance(test, Comparison):
        return _compare(x, test.op, test.literal)
    assert isinstance(test, Range)
    return _compare(x, ">=" if test.low_closed else ">", test.low) & _compare(
        x, "<=" if test.high_closed else "<", test.high
    )


def _compare(x: np.ndarray, op: str, literal: Any) -> np.ndarray:
    if isinstance(literal, bool) or not isinstance(literal, (int, float)):
        return np.zeros(len(x), bool)  # null, strings, dates, booleans never equal a number
    if isinstance(literal, int) and not -_EXACT < literal < _EXACT:
        raise _NotExact
    return _NUMPY_OPS[op](x, literal)


@dataclass
class _Column:
    """One input's values for every row, split by kind so a cell is matched in bulk."""

    none: np.ndarray  # the value is None
    num_at: np.ndarray | None = None  # an int (below 2**53) or a float, in ``num``
    num: np.ndarray | None = None
    codes: np.ndarray | None = None  # a str, bool or Decimal: index in ``uniques``, else -1
    uniques: list[Any] = field(default_factory=list)
    other: dict[int, Any] = field(default_factory=dict)  # anything else, matched one by one

    def matches(self, tests: UnaryTests) -> np.ndarray:
        """Where the cell matches, by the engine's own rules."""
        mask = self.none & tests.matches(None)
        if self.num_at is not None:
            num = self.num
            assert num is not None  # set together with num_at
            try:
                mask |= self.num_at & _numeric(tests.test, num)
            except _NotExact:
                distinct, inverse = np.unique(num[self.num_at], return_inverse=True)
                mask[self.num_at] |= np.array([tests.matches(float(v)) for v in distinct], bool)[inverse]
        if self.codes is not None:
            mask |= np.array([tests.matches(v) for v in self.uniques] + [False])[self.codes]
        for position, value in self.other.items():
            mask[position] = tests.matches(value)
        return mask


def _split(values: Sequence[Any], none: np.ndarray, convert: bool) -> _Column:
    """The general case, one value at a time; ``convert`` frame cells to Python first."""
    n = len(values)
    num, num_at, codes = np.full(n, np.nan), np.zeros(n, bool), np.full(n, -1, np.intp)
    column = _Column(none)
    seen: dict[tuple[type, Any], int] = {}  # (kind, value) -> index in column.uniques
    for position, value in enumerate(values):
        if none[position]:
            continue
        value = _python(value) if convert else value
        kind = type(value)
        if kind is float or (kind is int and -_EXACT < value < _EXACT):
            num[position], num_at[position] = value, True
        elif kind in (str, bool) or (kind is decimal.Decimal and value.is_finite()):
            codes[position] = seen.setdefault((kind, value), len(seen))
            if codes[position] == len(column.uniques):
                column.uniques.append(value)
        else:
            column.other[position] = value
    column.num, column.num_at = (num, num_at) if num_at.any() else (None, None)
    column.codes = codes if column.uniques else None
    return column


def _frame_column(series: pd.Series) -> _Column:
    """A frame column, missing values as None; typed columns without a Python loop."""
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else "O"
    n = len(series)
    if kind in "fiu":
        num = series.to_numpy(dtype=np.float64)
        none = np.isnan(num)
        if kind == "f" or np.all(np.abs(num) < _EXACT):
            return _Column(none, ~none, num)
    if kind == "b":
        return _Column(np.zeros(n, bool), codes=series.to_numpy().astype(np.intp), uniques=[False, True])
    values = series.to_numpy(dtype=object)
    none = np.asarray(pd.isna(values), bool)
    present = values[~none]
    inferred = pd.api.types.infer_dtype(present, skipna=False) if len(present) else "empty"
    if inferred == "empty":
        return _Column(none)
    if inferred in ("string", "boolean"):
        codes, uniques = pd.factorize(values)
        codes[none] = -1
        return _Column(none, codes=codes, uniques=[_python(v) for v in uniques])
    if inferred in ("floating", "integer", "mixed-integer-float"):
        num = np.full(n, np.nan)
        try:
            num[~none] = present.astype(np.float64)
        except (OverflowError, TypeError, ValueError):
            return _split(values, none, convert=True)
        if inferred == "floating" or np.all(np.abs(num[~none]) < _EXACT):
            return _Column(none, ~none, num)
    return _split(values, none, convert=True)


def _python_column(values: list[Any]) -> _Column:
    """Values an expression or a required decision gave (NaN is a value here, not missing)."""
    return _split(values, np.array([v is None for v in values], bool), convert=False)


class _Rows:
    """The frame's row contexts, converted once per column on first use."""

    def __init__(self, frame: pd.DataFrame) -> None:
        if frame.columns.has_duplicates:
            raise ValueError(
                f"the frame has duplicate column names: "
                f"{sorted(set(frame.columns[frame.columns.duplicated()]), key=str)}"
            )
        self.frame = frame
        self.names = [c for c in frame.columns if isinstance(c, str)]
        self.columns: dict[str, _Column] = {}
        self.lists: dict[str, list[Any]] = {}

    def column(self, name: str) -> _Column:
        if name not in self.columns:
            self.columns[name] = _frame_column(self.frame[name])
        return self.columns[name]

    def values(self, name: str) -> list[Any]:
        if name not in self.lists:
            series = self.frame[name]
            if series.dtype.kind == "f" and isinstance(series.dtype, np.dtype):
                self.lists[name] = [None if v != v else v for v in series.tolist()]
            else:
                self.lists[name] = [_python(v) for v in series.to_numpy(dtype=object)]
        return self.lists[name]

    def context(self, position: int) -> dict[str, Any]:
        if len(self.lists) < len(self.names):  # a few rows: no need to convert whole columns
            return {n: _python(self.frame[n].iat[position]) for n in self.names}
        return {n: self.lists[n][position] for n in self.names}


class _Env:
    """What a decision's expressions see: the frame's columns, then required decisions' outputs."""

    def __init__(self, rows: _Rows, extra: dict[str, Callable[[], list[Any]]] | None = None) -> None:
        self.rows = rows
        self.extra = dict(extra or {})
        self.cache: dict[str, list[Any]] = {}
        self.built: dict[str, _Column] = {}
        self.contexts: dict[int, dict[str, Any]] = {}

    def has(self, name: str) -> bool:
        return name in self.extra or name in self.rows.names

    def values(self, name: str) -> list[Any]:
        if name not in self.extra:
            return self.rows.values(name)
        if name not in self.cache:
            self.cache[name] = self.extra[name]()
        return self.cache[name]

    def column(self, name: str) -> _Column:
        if name not in self.extra:
            return self.rows.column(name)
        if name not in self.built:
            self.built[name] = _python_column(self.values(name))
        return self.built[name]

    def add(self, name: str, values: Callable[[], list[Any]]) -> None:
        """A name a required decision's result sets (over a column of the same name)."""
        self.extra[name] = values
        self.cache.pop(name, None)
        self.built.pop(name, None)
        self.contexts = {}

    def context(self, position: int) -> dict[str, Any]:
        if position not in self.contexts:  # later names (required decisions' outputs) win
            self.contexts[position] = {
                name: self.values(name)[position] for name in [*self.rows.names, *self.extra]
            }
        return self.contexts[position]
