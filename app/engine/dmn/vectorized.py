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

What is evaluated in bulk and what row by row with the engine's own code: :mod:`app.engine.dmn.bulk`.

**Errors.** A row on which a piece fails, or that the hit policy refuses (two UNIQUE matches, ANY
disagreeing, an output outside PRIORITY's values...), is evaluated again by
:meth:`Decision.evaluate`, which gives its answer or its error: the first such row that raises, in
frame order, raises :class:`DmnRowError` naming the row (what it raises otherwise, it raises as is),
exactly as :func:`evaluate_rows` does. ``Decision._outputs`` is this package's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from app.engine.dmn.bulk import _objects, _run
from app.engine.dmn.errors import DmnEvaluationError
from app.engine.dmn.frame import _Env, _Rows
from app.engine.dmn.hitpolicy import is_multi
from app.engine.dmn.model import Decision, DecisionModel, DecisionResult
from app.engine.dmn.plan import _Plan, _plan, _reached_twice


class DmnRowError(DmnEvaluationError):
    """The engine's error for one row of a frame; ``label`` is its index label."""

    def __init__(self, label: Any, position: int, error: DmnEvaluationError) -> None:
        super().__init__(
            error.decision_id,
            error.rule_id,
            error.column,
            error.reason,
            row=error.row,
            filename=error.filename,
        )
        self.label = label
        self.position = position
        self.args = (f"frame row {label!r} (position {position}): {error}",)


def _entries(decision: Decision, result: DecisionResult) -> list[tuple[Any, list[Any]]]:
    """(rule id, output values) of one engine result, in the frame's shape."""
    names = decision.shape.output_names
    output = result.output
    if result.is_multi:
        assert isinstance(output, list)
        return [
            (rule_id, [entry[n] for n in names])
            for rule_id, entry in zip(result.matched_rule_ids, output, strict=True)
        ]
    if output is None:
        return [(None, [None] * len(names))]
    assert isinstance(output, dict)
    rule_id = result.matched_rule_ids[0] if result.matched_rule_ids and not result.aggregation else None
    return [(rule_id, [output[n] for n in names])]


def _evaluate_row(decision: Decision, rows: _Rows, position: int) -> DecisionResult:
    try:
        return decision.evaluate(rows.context(position))
    except DmnEvaluationError as error:
        raise DmnRowError(rows.frame.index[position], position, error) from error


def _frame(
    decision: Decision, index: pd.Index, rows: np.ndarray, rule_ids: np.ndarray, values: list[np.ndarray]
) -> pd.DataFrame:
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
        raise ValueError(
            f"decision {decision.id!r} has an output named {sorted(clash)[0]!r}, "
            "which the frame result uses for itself"
        )


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
        return _frame(
            self.decision,
            frame.index,
            rows_all[order],
            np.concatenate(rule_ids)[order],
            [np.concatenate(v)[order] for v in values],
        )


def compile_decision(
    model_or_decision: DecisionModel | Decision, decision_id: str | None = None
) -> VectorizedDecision:
    """Compile one decision (by id from a model, or given) for :meth:`VectorizedDecision.evaluate`."""
    if isinstance(model_or_decision, DecisionModel):
        decisions = model_or_decision.decisions
        if decision_id is None and len(decisions) == 1:
            decision_id = next(iter(decisions))
        if decision_id not in decisions:
            raise KeyError(
                f"no decision {decision_id!r} in {model_or_decision.filename}; it has {sorted(decisions)}"
            )
        decision = decisions[decision_id]
    else:
        decision = model_or_decision
        if decision_id is not None and decision_id != decision.id:
            raise KeyError(f"the decision given is {decision.id!r}, not {decision_id!r}")
    _check_names(decision)
    twice = _reached_twice(decision)
    return VectorizedDecision(
        decision, _plan(decision, f"it reaches the required decision {twice!r} twice" if twice else None)
    )


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
    return _frame(
        decision,
        frame.index,
        np.array(positions, np.intp),
        _objects(rule_ids),
        [_objects(column) for column in values],
    )
