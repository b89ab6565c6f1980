"""How a decision table is evaluated over a frame (``vectorized``): for each rule, which input cells
numpy tests at once and which the engine tests row by row, which outputs are literals coerced once and
which are computed per row; and whether the whole decision must run row by row."""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass
from typing import Any

from app.engine.dmn.cells import FeelInputCell, coerce
from app.engine.dmn.hitpolicy import is_multi
from app.engine.dmn.model import Decision
from app.engine.feel import AnyTest
from app.engine.sandbox import evaluate as run_expression

_COMPUTED = object()  # an output entry evaluated per row
_BROKEN = object()  # a literal output entry its typeRef refuses: fails wherever evaluated


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
    names = tuple(
        c.python.strip()
        if c.python.strip().isidentifier() and not keyword.iskeyword(c.python.strip())
        else None
        for c in decision.inputs
    )
    policy, width = decision.hit_policy, len(decision.outputs)
    relevant = (
        range(width)
        if policy == "ANY"
        else range(min(width, 1))
        if decision.aggregation or policy in ("PRIORITY", "OUTPUT ORDER")
        else ()
    )
    rules = []
    for rule in decision.rules:
        cells = tuple(
            (k, cell)
            for k, cell in enumerate(rule.input_entries)
            if not (isinstance(cell, FeelInputCell) and isinstance(cell.tests.test, AnyTest))
        )
        outputs = tuple(
            _literal(e.python, c.type_ref) for e, c in zip(rule.output_entries, decision.outputs, strict=True)
        )
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
