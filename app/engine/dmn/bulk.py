"""The rows of a frame evaluated in bulk, for :mod:`app.engine.dmn.vectorized`, as a decision's
:mod:`~app.engine.dmn.plan` says: computed input columns, each rule's cells as a boolean mask over the rows,
computed outputs, then the hit policy once per distinct pattern of matching rules. A row on which a piece
fails, or that the hit policy refuses, is only marked *suspect*: ``vectorized`` evaluates it again with the
engine's own :meth:`Decision.evaluate`.

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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from app.engine.dmn.cells import FeelInputCell
from app.engine.dmn.frame import _Column, _Env, _python_column
from app.engine.dmn.hitpolicy import Hit, apply_hit_policy, is_multi
from app.engine.dmn.model import Decision
from app.engine.dmn.plan import _BROKEN, _COMPUTED, _Plan
from app.engine.sandbox import evaluate as run_expression


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
        padded[:, : packed.shape[1]] = packed
        codes = pd.factorize(padded.view("<u8").ravel())[0]
        return codes, np.unique(codes, return_index=True)[1]
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, codes = np.unique(keys, return_index=True, return_inverse=True)
    return codes.ravel(), first


def _constant(values: list[Any]) -> Callable[[], list[Any]]:
    return lambda: values


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
        env.add(name, _constant(column))

    def results() -> list[Any]:
        rows = zip(*columns, strict=True)
        if decision.aggregation:
            return [dict(zip(names, row, strict=True)) for row in rows]
        return [
            dict(zip(names, row, strict=True)) if hit else None
            for row, hit in zip(rows, matched.tolist(), strict=True)
        ]

    env.add(decision.id, results)


def _run(plan: _Plan, env: _Env, n: int) -> _Outcome:
    """Every row that needs no second look, evaluated in bulk; the others marked suspect."""
    decision = plan.decision
    width = len(decision.outputs)
    none = np.zeros(0, np.intp)
    if plan.per_row is not None or n == 0:
        return _Outcome(
            np.full(n, plan.per_row is not None), none, none, [_objects([]) for _ in range(width)]
        )
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


def _policy(
    plan: _Plan, matches: np.ndarray, suspect: np.ndarray, computed: dict[int, dict[int, dict[str, Any]]]
) -> _Outcome:
    """The hit policy, once per distinct pattern of matching rules (per row where it must)."""
    decision = plan.decision
    names, shape, rules = decision.shape.output_names, decision.shape, decision.rules
    literal = [
        dict(zip(names, (None if o is _COMPUTED else o for o in rp.outputs), strict=True))
        for rp in plan.rules
    ]
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
        hits = [
            Hit(rules[r].id, rules[r].row, computed[r][position] if r in computed else literal[r])
            for r in matched
        ]
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
            extra.append(
                (
                    position,
                    index[id(chosen[0])] if chosen else -1,
                    [chosen[0].output[n] if chosen else None for n in names],
                )
            )
    if extra:
        parts.append(
            (
                np.array([e[0] for e in extra], np.intp),
                np.array([e[1] for e in extra], np.intp),
                [_objects([e[2][j] for e in extra]) for j in range(len(names))],
            )
        )
    rows_all = np.concatenate([p[0] for p in parts])
    order = np.argsort(rows_all, kind="stable")
    return _Outcome(
        suspect,
        rows_all[order],
        np.concatenate([p[1] for p in parts])[order],
        [np.concatenate([p[2][j] for p in parts])[order] for j in range(len(names))],
    )
