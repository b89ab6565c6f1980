"""Hit policies: from the matching rules of a table to its result.

Single hit (UNIQUE, FIRST, PRIORITY, ANY) gives one output dict or ``None``; multiple hit
(COLLECT, RULE ORDER, OUTPUT ORDER) a list of dicts; COLLECT with an aggregation a dict
``{output_name: aggregate}`` (SUM/COUNT of nothing is 0, MIN/MAX of nothing ``None``).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.engine.dmn.errors import DmnEvaluationError

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
SINGLE_HIT = frozenset({"UNIQUE", "FIRST", "PRIORITY", "ANY"})
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
PRIORITIZED = frozenset({"PRIORITY", "OUTPUT ORDER"})


@dataclass(frozen=True)
class Hit:
    """A matching rule and the outputs it produced."""

    rule_id: str
    row: int
    output: dict[str, Any]


@dataclass(frozen=True)
class TableShape:
    """What the policy needs to know of a decision table."""

    decision_id: str
    hit_policy: str
    aggregation: str | None
    output_names: tuple[str, ...]
    priorities: tuple[Any, ...]  # outputValues of the first output column


def is_multi(hit_policy: str, aggregation: str | None) -> bool:
    """Whether the result is a list of output dicts."""
    return hit_policy not in SINGLE_HIT and aggregation is None


def _describe(hits: Sequence[Hit]) -> str:
    return ", ".join(f"{h.rule_id!r} (row {h.row})" for h in hits)


def _priority(shape: TableShape, hit: Hit) -> int:
    value = hit.output[shape.output_names[0]]
    for index, allowed in enumerate(shape.priorities):
        if allowed == value and isinstance(allowed, bool) == isinstance(value, bool):
            return index
    raise DmnEvaluationError(
        shape.decision_id,
        hit.rule_id,
        shape.output_names[0],
        f"output {value!r} is not one of the column's output values "
        f"{list(shape.priorities)!r}, so {shape.hit_policy} cannot order it",
        row=hit.row,
    )


def _aggregate(shape: TableShape, hits: Sequence[Hit]) -> dict[str, Any]:
    name = shape.output_names[0]
    if shape.aggregation == "COUNT":
        return {name: len(hits)}
    values = [h.output[name] for h in hits if h.output[name] is not None]
    if shape.aggregation == "SUM":
        for hit in hits:
            value = hit.output[name]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal))
            ):
                raise DmnEvaluationError(
                    shape.decision_id, hit.rule_id, name, f"SUM needs numbers, got {value!r}", row=hit.row
                )
        try:
            return {name: sum(values)}
        except TypeError as exc:  # a Decimal and a float do not add up
            raise DmnEvaluationError(
                shape.decision_id, None, name, f"SUM over mixed number types: {exc}"
            ) from None
    if not values:
        return {name: None}
    try:
        return {name: min(values) if shape.aggregation == "MIN" else max(values)}
    except TypeError as exc:
        raise DmnEvaluationError(
            shape.decision_id, None, name, f"{shape.aggregation} over mixed types: {exc}"
        ) from None


def apply_hit_policy(shape: TableShape, hits: Sequence[Hit]) -> tuple[list[Hit], Any]:
    """The hits the result stands on (in result order) and the result itself."""
    policy = shape.hit_policy
    if policy == "UNIQUE":
        if len(hits) > 1:
            raise DmnEvaluationError(
                shape.decision_id,
                hits[1].rule_id,
                None,
                f"hit policy UNIQUE allows one matching rule, but rules {_describe(hits)} all match",
                row=hits[1].row,
            )
        return list(hits), (dict(hits[0].output) if hits else None)
    if policy == "FIRST":
        return list(hits[:1]), (dict(hits[0].output) if hits else None)
    if policy == "ANY":
        conflicting = [h for h in hits if h.output != hits[0].output]
        if conflicting:
            raise DmnEvaluationError(
                shape.decision_id,
                conflicting[0].rule_id,
                None,
                "hit policy ANY needs matching rules to agree, but rules "
                f"{_describe([hits[0], conflicting[0]])} give different outputs "
                f"{hits[0].output!r} and {conflicting[0].output!r}",
                row=conflicting[0].row,
            )
        return list(hits), (dict(hits[0].output) if hits else None)
    if policy == "PRIORITY":
        if not hits:
            return [], None
        best = min(hits, key=lambda h: _priority(shape, h))
        return [best], dict(best.output)
    if policy == "OUTPUT ORDER":
        ordered = sorted(hits, key=lambda h: _priority(shape, h))
        return ordered, [dict(h.output) for h in ordered]
    if shape.aggregation:
        return list(hits), _aggregate(shape, hits)
    return list(hits), [dict(h.output) for h in hits]  # COLLECT, RULE ORDER
