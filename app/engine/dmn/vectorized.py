"""One decision table evaluated over a whole pandas DataFrame at once (portfolio monitoring).

:func:`compile_decision` turns a decision of a loaded model into a :class:`VectorizedDecision`;
its ``evaluate(frame)`` gives exactly what :meth:`Decision.evaluate` gives row by row
(:func:`evaluate_rows` is that reference, and the property tests compare the two):

* single hit (UNIQUE, FIRST, ANY, PRIORITY): indexed like the frame, columns ``rule_id`` (for
  ANY the first of the agreeing rules) and the outputs, ``None`` where no rule matched;
* COLLECT with SUM/MIN/MAX/COUNT: indexed like the frame, the aggregated output column;
* multiple hit (COLLECT, RULE ORDER, OUTPUT ORDER): one row per result entry, in the engine's
  order, columns ``row`` (the frame's index label), ``rule_id`` and the outputs.

Columns hold Python values (object dtype), so ``1`` stays an int and a missing output ``None``.

**The row context.** Row *i* is the context ``{column: value}`` of the frame's string-named
columns, as Python scalars, a missing value (NaN, None, NA, NaT) as ``None``: a missing figure.
So ``< 1.0`` never matches it, while ``null``, ``!= x`` and ``not(...)`` do, as in the engine.

**Vectorized:** input expressions that are a plain name (the column is the value); FEEL input
entries of every form :mod:`app.engine.feel` parses: over numbers (floats, ints below 2**53) by
numpy comparisons, over strings, booleans and Decimals by the engine's own matching once per
distinct value, over ``None`` by one call; literal output entries (strings, numbers, ``true``,
``null``), coerced to their typeRef once; the hit policy, by the engine's own
``apply_hit_policy`` once per distinct pattern of matching rules, broadcast to the rows sharing it.

**Per row, with the engine's own code, for that piece only:** other input expressions
(``debt / income``); Python input entries, on the rows where the engine reaches them (left to
right; for FIRST only until a rule matched); other output entries, on the rows where the engine
evaluates them; cell values of other types (dates, Timestamps, ints of 2**53 or more), matched one
by one; the hit policy of a row whose order, agreement or aggregate depends on a computed output.
Required decisions are evaluated the same way first, and their outputs become columns (their
result under their id) as in the engine; a decision that requires a multiple-hit decision, or
reaches one decision twice, is evaluated row by row whole (``VectorizedDecision.per_row`` says why).

**Errors.** A row on which a piece fails, or that the hit policy refuses (two UNIQUE matches, ANY
disagreeing, an output outside PRIORITY's values...), is evaluated again by
:meth:`Decision.evaluate`, which gives its answer or its error: the first such row that raises, in
frame order, raises :class:`DmnRowError` naming the row (what it raises otherwise, it raises as is),
exactly as :func:`evaluate_rows` does. ``Decision._outputs`` is this package's own.
"""

from __future__ import annotations

import ast
import decimal
import keyword
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.engine.dmn.cells import FeelInputCell, coerce
from app.engine.dmn.errors import DmnEvaluationError
from app.engine.dmn.hitpolicy import Hit, apply_hit_policy, is_multi
from app.engine.dmn.model import Decision, DecisionModel, DecisionResult
from app.engine.feel import AnyTest, Comparison, Disjunction, Equals, Not, Range, Test, UnaryTests
from app.engine.sandbox import evaluate as run_expression

_EXACT = 2 ** 53  # integers smaller than this in size are exact as float64
_COMPUTED = object()  # an output entry evaluated per row
_BROKEN = object()  # a literal output entry its typeRef refuses: fails wherever evaluated
_NUMPY_OPS = {"=": np.equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
              ">=": np.greater_equal}


class DmnRowError(DmnEvaluationError):
    """The engine's error for one row of a frame; ``label`` is its index label."""

    def __init__(self, label: Any, position: int, error: DmnEvaluationError) -> None:
        super().__init__(error.decision_id, error.rule_id, error.column, error.reason,
                         row=error.row, filename=error.filename)
        self.label = label
        self.position = position
        self.args = (f"frame row {label!r} (position {position}): {error}",)


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
    return (_compare(x, ">=" if test.low_closed else ">", test.low)
            & _compare(x, "<=" if test.high_closed else "<", test.high))


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
            try:
                mask |= self.num_at & _numeric(tests.test, self.num)
            except _NotExact:
                distinct, inverse = np.unique(self.num[self.num_at], return_inverse=True)
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
    column, seen = _Column(none), {}
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
        return _Column(np.zeros(n, bool), codes=series.to_numpy().astype(np.intp),
                       uniques=[False, True])
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
            raise ValueError(f"the frame has duplicate column names: "
                             f"{sorted(set(frame.columns[frame.columns.duplicated()]), key=str)}")
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
            self.contexts[position] = {name: self.values(name)[position]
                                       for name in [*self.rows.names, *self.extra]}
        return self.contexts[position]


@dataclass(frozen=True)
class _RulePlan:
    cells: tuple[tuple[int, Any], ...]  # (input index, cell) of every cell but '-'
    outputs: tuple[Any, ...]  # a coerced literal, _COMPUTED or _BROKEN per output column
    decided: bool  # the outputs the hit policy looks at are all literal


@dataclass(frozen=True)
class _Plan:
    decision: Decision
    names: tuple[str | None, ...]  # per input: the column it reads, or None (computed)
    rules: tuple[_RulePlan, ...]
    required: tuple[_Plan, ...]
    per_row: str | None  # why the whole decision is evaluated row by row


def _literal(python: str, type_ref: str | None) -> Any:
    node = ast.parse(python.strip(), mode="eval").body
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    if not isinstance(node, ast.Constant):
        return _COMPUTED
    try:
        return coerce(run_expression(python, {}), type_ref)
    except Exception:  # noqa: BLE001 - the engine raises it again on the rows it reaches
        return _BROKEN


def _plan(decision: Decision, per_row: str | None = None) -> _Plan:
    names = tuple(c.python.strip() if c.python.strip().isidentifier()
                  and not keyword.iskeyword(c.python.strip()) else None for c in decision.inputs)
    policy, width = decision.hit_policy, len(decision.outputs)
    relevant = (range(width) if policy == "ANY" else range(min(width, 1))
                if decision.aggregation or policy in ("PRIORITY", "OUTPUT ORDER") else ())
    rules = []
    for rule in decision.rules:
        cells = tuple((k, cell) for k, cell in enumerate(rule.input_entries)
                      if not (isinstance(cell, FeelInputCell) and isinstance(cell.tests.test, AnyTest)))
        outputs = tuple(_literal(e.python, c.type_ref)
                        for e, c in zip(rule.output_entries, decision.outputs, strict=True))
        rules.append(_RulePlan(cells, outputs, all(outputs[j] is not _COMPUTED for j in relevant)))
    required = tuple(_plan(d) for d in decision.required)
    for dependency, plan in zip(decision.required, required, strict=True):
        if is_multi(dependency.hit_policy, dependency.aggregation):
            per_row = per_row or f"it requires the multiple-hit decision {dependency.id!r}"
        per_row = per_row or plan.per_row
    return _Plan(decision, names, tuple(rules), required, per_row)


def _reached_twice(decision: Decision) -> str | None:
    seen: set[str] = set()

    def walk(d: Decision) -> str | None:
        for dependency in d.required:
            if dependency.id in seen:
                return dependency.id
            seen.add(dependency.id)
            if found := walk(dependency):
                return found
        return None
    return walk(decision)


@dataclass
class _Outcome:
    """Result entries of the rows that were not suspect: row position, rule index, outputs."""

    suspect: np.ndarray
    rows: np.ndarray
    rules: np.ndarray  # index of the rule an entry stands on; -1: none (or an aggregate)
    values: list[np.ndarray]  # one object array per output column


def _objects(values: Sequence[Any]) -> np.ndarray:
    """An object array holding exactly these values (a list value stays one cell)."""
    array = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        array[i] = value
    return array


def _patterns(matches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, which distinct pattern of matching rules it has; per pattern, a first row."""
    if not len(matches):
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    packed = np.packbits(matches, axis=1, bitorder="little")
    if packed.shape[1] <= 8:
        padded = np.zeros((len(packed), 8), np.uint8)
        padded[:, :packed.shape[1]] = packed
        codes = pd.factorize(padded.view("<u8").ravel())[0]
        return codes, np.unique(codes, return_index=True)[1]
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, codes = np.unique(keys, return_index=True, return_inverse=True)
    return codes.ravel(), first


def _add_result(env: _Env, decision: Decision, outcome: _Outcome, n: int) -> None:
    """A required decision's outputs as the engine merges them into the context."""
    names = decision.shape.output_names
    positions = outcome.rows.tolist()
    columns = []
    for values in outcome.values:
        column: list[Any] = [None] * n
        for position, value in zip(positions, values, strict=True):
            column[position] = value
        columns.append(column)
    matched = np.zeros(n, bool)
    matched[outcome.rows[outcome.rules >= 0]] = True
    for name, column in zip(names, columns, strict=True):
        env.add(name, lambda column=column: column)

    def results() -> list[Any]:
        rows = zip(*columns, strict=True)
        if decision.aggregation:
            return [dict(zip(names, row, strict=True)) for row in rows]
        return [dict(zip(names, row, strict=True)) if hit else None
                for row, hit in zip(rows, matched.tolist(), strict=True)]
    env.add(decision.id, results)


def _run(plan: _Plan, env: _Env, n: int) -> _Outcome:
    """Every row that needs no second look, evaluated in bulk; the others marked suspect."""
    decision = plan.decision
    width = len(decision.outputs)
    none = np.zeros(0, np.intp)
    if plan.per_row is not None or n == 0:
        return _Outcome(np.full(n, plan.per_row is not None), none, none,
                        [_objects([]) for _ in range(width)])
    suspect = np.zeros(n, bool)
    env = _Env(env.rows, env.extra)
    for required in plan.required:
        outcome = _run(required, env, n)
        suspect |= outcome.suspect
        _add_result(env, required.decision, outcome, n)

    columns: dict[int, _Column] = {}
    lists: dict[int, list[Any]] = {}
    for k, (column, name) in enumerate(zip(decision.inputs, plan.names, strict=True)):
        if name is not None and env.has(name):
            continue
        computed: list[Any] = [None] * n
        for position in range(n):
            try:
                computed[position] = run_expression(column.python, env.context(position))
            except Exception:  # noqa: BLE001 - the engine reports it on the second look
                suspect[position] = True
        lists[k], columns[k] = computed, _python_column(computed)

    def column_of(k: int) -> _Column:
        if k not in columns:
            columns[k] = env.column(plan.names[k])  # type: ignore[arg-type]
        return columns[k]

    first = decision.hit_policy == "FIRST"
    matches = np.zeros((n, len(plan.rules)), bool)
    reach = ~suspect
    masks: dict[tuple[int, str], np.ndarray] = {}
    for r, rule in enumerate(plan.rules):
        alive = reach & ~suspect
        for k, cell in rule.cells:
            if isinstance(cell, FeelInputCell):
                if (k, cell.text) not in masks:
                    masks[k, cell.text] = column_of(k).matches(cell.tests)
                alive &= masks[k, cell.text]
                continue
            values = lists[k] if k in lists else env.values(plan.names[k])  # type: ignore[arg-type]
            for position in np.flatnonzero(alive).tolist():
                try:
                    alive[position] = bool(cell.matches(values[position], env.context(position)))
                except Exception:  # noqa: BLE001
                    suspect[position], alive[position] = True, False
        matches[:, r] = alive
        if first:
            reach &= ~alive
    if decision.hit_policy == "UNIQUE":
        suspect |= matches.sum(axis=1) > 1

    computed_outputs: dict[int, dict[int, dict[str, Any]]] = {}
    for r, rule in enumerate(plan.rules):
        if any(o is _BROKEN for o in rule.outputs):
            suspect |= matches[:, r]
        elif any(o is _COMPUTED for o in rule.outputs):
            produced = computed_outputs[r] = {}
            for position in np.flatnonzero(matches[:, r] & ~suspect).tolist():
                try:
                    produced[position] = decision._outputs(decision.rules[r], env.context(position))
                except Exception:  # noqa: BLE001
                    suspect[position] = True
    return _policy(plan, matches, suspect, computed_outputs)


def _policy(plan: _Plan, matches: np.ndarray, suspect: np.ndarray,
            computed: dict[int, dict[int, dict[str, Any]]]) -> _Outcome:
    """The hit policy, once per distinct pattern of matching rules (per row where it must)."""
    decision = plan.decision
    names, shape, rules = decision.shape.output_names, decision.shape, decision.rules
    literal = [dict(zip(names, (None if o is _COMPUTED else o for o in rp.outputs), strict=True))
               for rp in plan.rules]
    ok = np.flatnonzero(~suspect)
    codes, firsts = _patterns(matches[ok])
    chosen_by: list[list[int] | None] = []  # per pattern; None: decided per row
    aggregates: list[Any] = []
    bad = np.zeros(len(firsts), bool)
    for p, row in enumerate(firsts.tolist()):
        matched = np.flatnonzero(matches[ok[row]]).tolist()
        if not all(plan.rules[r].decided for r in matched):
            chosen_by.append(None)
            aggregates.append(None)
            continue
        hits = [Hit(rules[r].id, rules[r].row, literal[r]) for r in matched]
        try:
            chosen, output = apply_hit_policy(shape, hits)
        except Exception:  # noqa: BLE001 - the engine raises it on the second look
            bad[p] = True
            chosen, output = [], None
        index = {id(hit): r for hit, r in zip(hits, matched, strict=True)}
        chosen_by.append([index[id(hit)] for hit in chosen])
        aggregates.append(output)
    suspect = suspect.copy()
    suspect[ok[bad[codes]]] = True
    per_row = np.array([c is None for c in chosen_by] + [False])[codes] if len(codes) else codes > 0
    bulk = ~bad[codes] & ~per_row
    rows_bulk, codes_bulk = ok[bulk], codes[bulk]

    if decision.aggregation:
        table = _objects([a[names[0]] if a is not None else None for a in aggregates])
        parts = [(rows_bulk, np.full(len(rows_bulk), -1), [table[codes_bulk]])]
    else:
        if is_multi(decision.hit_policy, None):
            lengths = np.array([len(c or ()) for c in chosen_by], np.intp)
            flat = np.array([r for c in chosen_by for r in (c or ())], np.intp)
            each = lengths[codes_bulk]
            offsets = np.arange(each.sum()) - np.repeat(np.cumsum(each) - each, each)
            starts = np.cumsum(lengths) - lengths
            entry_rows = np.repeat(rows_bulk, each)
            entry_rules = flat[np.repeat(starts[codes_bulk], each) + offsets]
        else:
            head = np.array([c[0] if c else -1 for c in chosen_by] or [-1], np.intp)
            entry_rows, entry_rules = rows_bulk, head[codes_bulk]
        values = [_objects([lit[name] for lit in literal] + [None])[entry_rules] for name in names]
        for r, produced in computed.items():
            for e in np.flatnonzero(entry_rules == r).tolist():
                for j, name in enumerate(names):
                    values[j][e] = produced[entry_rows[e]][name]
        parts = [(entry_rows, entry_rules, values)]

    extra: list[tuple[int, int, list[Any]]] = []
    for position in ok[per_row].tolist():
        matched = np.flatnonzero(matches[position]).tolist()
        hits = [Hit(rules[r].id, rules[r].row, computed[r][position] if r in computed
                    else literal[r]) for r in matched]
        try:
            chosen, output = apply_hit_policy(shape, hits)
        except Exception:  # noqa: BLE001
            suspect[position] = True
            continue
        index = {id(hit): r for hit, r in zip(hits, matched, strict=True)}
        if decision.aggregation:
            extra.append((position, -1, [output[name] for name in names]))
        elif is_multi(decision.hit_policy, None):
            extra.extend((position, index[id(h)], [h.output[n] for n in names]) for h in chosen)
        else:
            extra.append((position, index[id(chosen[0])] if chosen else -1,
                          [chosen[0].output[n] if chosen else None for n in names]))
    if extra:
        parts.append((np.array([e[0] for e in extra], np.intp), np.array([e[1] for e in extra], np.intp),
                      [_objects([e[2][j] for e in extra]) for j in range(len(names))]))
    rows_all = np.concatenate([p[0] for p in parts])
    order = np.argsort(rows_all, kind="stable")
    return _Outcome(suspect, rows_all[order], np.concatenate([p[1] for p in parts])[order],
                    [np.concatenate([p[2][j] for p in parts])[order] for j in range(len(names))])


def _entries(decision: Decision, result: DecisionResult) -> list[tuple[Any, list[Any]]]:
    """(rule id, output values) of one engine result, in the frame's shape."""
    names = decision.shape.output_names
    if result.is_multi:
        return [(rule_id, [output[n] for n in names])
                for rule_id, output in zip(result.matched_rule_ids, result.output, strict=True)]
    if result.output is None:
        return [(None, [None] * len(names))]
    rule_id = result.matched_rule_ids[0] if result.matched_rule_ids and not result.aggregation else None
    return [(rule_id, [result.output[n] for n in names])]


def _evaluate_row(decision: Decision, rows: _Rows, position: int) -> DecisionResult:
    try:
        return decision.evaluate(rows.context(position))
    except DmnEvaluationError as error:
        raise DmnRowError(rows.frame.index[position], position, error) from error


def _frame(decision: Decision, index: pd.Index, rows: np.ndarray, rule_ids: np.ndarray,
           values: list[np.ndarray]) -> pd.DataFrame:
    names = decision.shape.output_names
    multi = is_multi(decision.hit_policy, decision.aggregation)
    data: dict[str, np.ndarray] = {}
    if multi:
        data["row"] = np.asarray(index, dtype=object)[rows]
    if not decision.aggregation:
        data["rule_id"] = rule_ids
    data.update(zip(names, values, strict=True))
    return pd.DataFrame(data, index=None if multi else index, columns=list(data), dtype=object)


def _check_names(decision: Decision) -> None:
    clash = {"row", "rule_id"} & set(decision.shape.output_names)
    if clash:
        raise ValueError(f"decision {decision.id!r} has an output named {sorted(clash)[0]!r}, "
                         "which the frame result uses for itself")


@dataclass(frozen=True)
class VectorizedDecision:
    """A decision compiled for frames; ``per_row`` says why it runs row by row, if it does."""

    decision: Decision
    plan: _Plan = field(repr=False)

    @property
    def per_row(self) -> str | None:
        """Why the whole decision is evaluated row by row (``None``: it is vectorized)."""
        return self.plan.per_row

    def evaluate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The decision for every row of ``frame``; raise DmnRowError for the first that fails."""
        rows = _Rows(frame)
        outcome = _run(self.plan, _Env(rows), len(frame))
        ids = _objects([rule.id for rule in self.decision.rules] + [None])
        positions, rule_ids = [outcome.rows], [ids[outcome.rules]]
        values = [[v] for v in outcome.values]
        again = np.flatnonzero(outcome.suspect).tolist()
        for position in again:
            entries = _entries(self.decision, _evaluate_row(self.decision, rows, position))
            positions.append(np.full(len(entries), position, np.intp))
            rule_ids.append(_objects([rule_id for rule_id, _ in entries]))
            for j, column in enumerate(values):
                column.append(_objects([output[j] for _, output in entries]))
        rows_all = np.concatenate(positions)
        order = np.argsort(rows_all, kind="stable") if again else np.arange(len(rows_all))
        return _frame(self.decision, frame.index, rows_all[order],
                      np.concatenate(rule_ids)[order], [np.concatenate(v)[order] for v in values])


def compile_decision(model_or_decision: DecisionModel | Decision,
                     decision_id: str | None = None) -> VectorizedDecision:
    """Compile one decision (by id from a model, or given) for :meth:`VectorizedDecision.evaluate`."""
    if isinstance(model_or_decision, DecisionModel):
        decisions = model_or_decision.decisions
        if decision_id is None and len(decisions) == 1:
            decision_id = next(iter(decisions))
        if decision_id not in decisions:
            raise KeyError(f"no decision {decision_id!r} in {model_or_decision.filename}; "
                           f"it has {sorted(decisions)}")
        decision = decisions[decision_id]
    else:
        decision = model_or_decision
        if decision_id is not None and decision_id != decision.id:
            raise KeyError(f"the decision given is {decision.id!r}, not {decision_id!r}")
    _check_names(decision)
    twice = _reached_twice(decision)
    return VectorizedDecision(decision, _plan(
        decision, f"it reaches the required decision {twice!r} twice" if twice else None))


def evaluate_rows(decision: Decision | VectorizedDecision, frame: pd.DataFrame) -> pd.DataFrame:
    """The reference: :meth:`Decision.evaluate` on each row's context, shaped as ``evaluate``."""
    if isinstance(decision, VectorizedDecision):
        decision = decision.decision
    _check_names(decision)
    rows = _Rows(frame)
    for name in rows.names:
        rows.values(name)
    positions, rule_ids = [], []
    values: list[list[Any]] = [[] for _ in decision.outputs]
    for position in range(len(frame)):
        for rule_id, output in _entries(decision, _evaluate_row(decision, rows, position)):
            positions.append(position)
            rule_ids.append(rule_id)
            for column, value in zip(values, output, strict=True):
                column.append(value)
    return _frame(decision, frame.index, np.array(positions, np.intp), _objects(rule_ids),
                  [_objects(column) for column in values])
