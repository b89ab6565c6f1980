"""Decisions as loaded from a DMN file, and their evaluation.

A decision evaluates the decisions it requires first (each once per call) and merges
their results into its context: a single-hit or aggregated result's output names become
variables (``None`` when no rule matched), and the whole result is also available under
the required decision's id (a list for multiple-hit tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.engine.dmn.cells import InputCell, coerce, jsonable
from app.engine.dmn.errors import DmnEvaluationError
from app.engine.dmn.hitpolicy import Hit, TableShape, apply_hit_policy, is_multi
from app.engine.sandbox import ScriptError, evaluate


@dataclass(frozen=True)
class DecisionInput:
    """An input column: the expression whose value the rules test."""

    id: str
    label: str | None
    expression: str
    type_ref: str | None
    python: str  # the expression as sandbox Python

    @property
    def key(self) -> str:
        """How the column is named in results and the decision log: its input expression
        (usually the data variable, e.g. ``debt_ratio``), which the label only describes; a column
        without either (a problem ``validate_dmn`` reports) by its id."""
        return self.expression.strip() or self.label or self.id


@dataclass(frozen=True)
class DecisionOutput:
    """An output column; ``output_values`` orders PRIORITY / OUTPUT ORDER."""

    id: str
    name: str
    label: str | None
    type_ref: str | None
    output_values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class OutputEntry:
    """One output cell: its text and the sandbox Python it runs."""

    text: str
    python: str


@dataclass(frozen=True)
class Rule:
    """A table row; ``row`` is 1-based."""

    id: str
    row: int
    input_entries: tuple[InputCell, ...]
    output_entries: tuple[OutputEntry, ...]


@dataclass(frozen=True)
class DecisionResult:
    """What one evaluation gave, and what gets logged."""

    decision_id: str
    decision_name: str
    hit_policy: str
    aggregation: str | None
    inputs: dict[str, Any]
    matched_rule_ids: list[str]
    matched_rows: list[int]
    output: dict[str, Any] | list[dict[str, Any]] | None
    required: tuple[DecisionResult, ...] = ()

    @property
    def is_multi(self) -> bool:
        """Whether ``output`` is a list of dicts."""
        return is_multi(self.hit_policy, self.aggregation)

    @property
    def single_output(self) -> dict[str, Any]:
        """``output`` of a single-hit decision that matched, for the tables the code reads one row of (they
        end in a catch-all rule); no match or a list is a TypeError, as indexing ``output`` would raise."""
        if not isinstance(self.output, dict):
            raise TypeError(f"decision {self.decision_id!r} gave no single output: {self.output!r}")
        return self.output

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serializable record of the evaluation (required decisions included)."""
        return {
            "decision_id": self.decision_id,
            "decision_name": self.decision_name,
            "hit_policy": self.hit_policy,
            "aggregation": self.aggregation,
            "inputs": self.inputs,
            "matched_rule_ids": list(self.matched_rule_ids),
            "matched_rows": list(self.matched_rows),
            "output": jsonable(self.output),
            "required": [r.as_dict() for r in self.required],
        }


def _missing_name(error: ScriptError) -> str | None:
    cause = error.__cause__
    return getattr(cause, "name", None) if isinstance(cause, NameError) else None


@dataclass(frozen=True)
class Decision:
    """A decision table, ready to evaluate."""

    id: str
    name: str
    hit_policy: str
    aggregation: str | None
    inputs: tuple[DecisionInput, ...]
    outputs: tuple[DecisionOutput, ...]
    rules: tuple[Rule, ...]
    required: tuple[Decision, ...] = ()
    filename: str = "<dmn>"
    shape: TableShape = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        priorities = self.outputs[0].output_values if self.outputs else ()
        object.__setattr__(
            self,
            "shape",
            TableShape(
                self.id, self.hit_policy, self.aggregation, tuple(o.name for o in self.outputs), priorities
            ),
        )

    @property
    def required_ids(self) -> tuple[str, ...]:
        """Ids of the decisions this one requires."""
        return tuple(d.id for d in self.required)

    def evaluate(self, context: Mapping[str, Any]) -> DecisionResult:
        """Evaluate against ``context``; raise DmnEvaluationError naming the cell."""
        return self._evaluate(dict(context), {})

    def _error(self, rule: Rule | None, column: str | None, reason: str) -> DmnEvaluationError:
        return DmnEvaluationError(
            self.id,
            rule.id if rule else None,
            column,
            reason,
            row=rule.row if rule else None,
            filename=self.filename,
        )

    def _evaluate(self, context: dict[str, Any], done: dict[str, DecisionResult]) -> DecisionResult:
        required = []
        for dependency in self.required:
            result = done.get(dependency.id) or dependency._evaluate(dict(context), done)
            done[dependency.id] = result
            required.append(result)
            if isinstance(result.output, dict):
                context.update(result.output)
            elif not result.is_multi:
                context.update(dict.fromkeys(dependency.shape.output_names))
            context[dependency.id] = result.output
        values = [self._input_value(column, context) for column in self.inputs]
        hits = []
        for rule in self.rules:
            if all(
                self._cell_matches(rule, column, cell, value, context)
                for column, cell, value in zip(self.inputs, rule.input_entries, values, strict=True)
            ):
                hits.append(Hit(rule.id, rule.row, self._outputs(rule, context)))
                if self.hit_policy == "FIRST":
                    break
        chosen, output = apply_hit_policy(self.shape, hits)
        return DecisionResult(
            decision_id=self.id,
            decision_name=self.name,
            hit_policy=self.hit_policy,
            aggregation=self.aggregation,
            inputs={column.key: jsonable(v) for column, v in zip(self.inputs, values, strict=True)},
            matched_rule_ids=[h.rule_id for h in chosen],
            matched_rows=[h.row for h in chosen],
            output=output,
            required=tuple(required),
        )

    def _input_value(self, column: DecisionInput, context: Mapping[str, Any]) -> Any:
        try:
            return evaluate(column.python, context)
        except ScriptError as error:
            missing = _missing_name(error)
            if missing:
                known = ", ".join(sorted(context)[:30]) or "nothing"
                reason = (
                    f"input expression {column.expression!r} uses {missing!r}, "
                    f"which is not in the context (it has: {known})"
                )
            else:
                reason = f"input expression {column.expression!r} failed: {error.message}"
            raise self._error(None, column.key, reason) from error

    def _cell_matches(
        self, rule: Rule, column: DecisionInput, cell: InputCell, value: Any, context: Mapping[str, Any]
    ) -> bool:
        try:
            return cell.matches(value, context)
        except ScriptError as error:
            raise self._error(
                rule, column.key, f"input entry {cell.text!r} failed: {error.message}"
            ) from error

    def _outputs(self, rule: Rule, context: Mapping[str, Any]) -> dict[str, Any]:
        result = {}
        for column, entry in zip(self.outputs, rule.output_entries, strict=True):
            try:
                result[column.name] = coerce(evaluate(entry.python, context), column.type_ref)
            except ScriptError as error:
                raise self._error(
                    rule, column.name, f"output entry {entry.text!r} failed: {error.message}"
                ) from error
            except (ValueError, OverflowError) as error:  # e.g. an infinite number into an integer
                raise self._error(rule, column.name, f"output entry {entry.text!r}: {error}") from error
        return result


@dataclass(frozen=True)
class DecisionModel:
    """The decisions of one DMN file, by id."""

    filename: str
    decisions: dict[str, Decision]

    def evaluate(self, decision_id: str, context: Mapping[str, Any]) -> DecisionResult:
        """Evaluate one decision by id (KeyError lists the ids that exist)."""
        if decision_id not in self.decisions:
            raise KeyError(f"no decision {decision_id!r} in {self.filename}; it has {sorted(self.decisions)}")
        return self.decisions[decision_id].evaluate(context)
