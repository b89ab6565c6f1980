"""A person's KPI score (考核得分) by the bank's own scorecard, ``rules/kpi_scorecard.dmn``.

The table gives, for a role and one of its figures, the ``weight`` (points out of 100), the ``target``, whether a
``higher`` or a ``lower`` figure is better (``direction``) and the attainment cap (``cap_pct``, in % of the
target). For each figure:

- attainment = actual / target when higher is better; target / actual when lower is better (a lower figure at
  zero, or at or under a target of zero, attains the cap; over a target of zero attains nothing);
- capped at ``cap_pct`` %; points = weight × attainment.

The score = Σ points / Σ weights of the figures the period gives a basis for × 100 (100: every target met; up
to the cap above it): a figure without a basis (no decision to rate, no task with a time limit) is left out and
the others count for more, never scored as zero; a period without any work of the person's is not scored.
The table is evaluated through the DMN engine, all of a role's figures in one frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
from flask import current_app

from app.engine.dmn import Decision, compile_decision, decision_in_force
from app.language import N_

SCORECARD_FILE, SCORECARD = "kpi_scorecard.dmn", "kpi_scorecard"
DIRECTIONS = (N_("higher"), N_("lower"))  # the table's ``direction``, named on the person's page


def scorecard() -> Decision:
    """The scorecard table in force, parsed once per change of the file."""
    return decision_in_force(Path(current_app.config["RULES_DIR"]) / SCORECARD_FILE, SCORECARD)


@dataclass(frozen=True)
class Weight:
    metric: str
    weight: Decimal
    target: Decimal
    direction: str  # higher | lower
    cap_pct: Decimal
    rule: str | None


@dataclass(frozen=True)
class Line:
    """One figure's part of the score."""

    weight: Weight
    actual: Decimal | None
    attainment: Decimal | None  # in %, capped; None: no basis this period
    points: Decimal | None


@dataclass(frozen=True)
class Score:
    lines: tuple[Line, ...]
    total: Decimal | None  # out of 100; None when no figure had a basis


def weights_of(role: str, metrics: list[str]) -> list[Weight]:
    """The table's row for each of ``metrics`` of ``role`` (only those it weighs above zero)."""
    frame = pd.DataFrame({"role": [role] * len(metrics), "metric": metrics})
    found = compile_decision(scorecard()).evaluate(frame)
    out = []
    for position, row in found.iterrows():
        weight = _decimal(row.get("weight"))
        if weight is None or weight <= 0:
            continue
        out.append(
            Weight(
                metric=metrics[int(position)],
                weight=weight,
                target=_decimal(row.get("target")) or Decimal(0),
                direction=str(row.get("direction") or "higher"),
                cap_pct=_decimal(row.get("cap_pct")) or Decimal(100),
                rule=row.get("rule_id"),
            )
        )
    return out


def attainment(w: Weight, actual: Decimal | None) -> Decimal | None:
    """``actual`` against the target, in % and capped (see the module's rule); None without an actual."""
    if actual is None:
        return None
    if w.direction == "lower":
        if actual <= 0 or (w.target <= 0 and actual <= w.target):
            raw = w.cap_pct
        elif w.target <= 0:
            raw = Decimal(0)
        else:
            raw = w.target / actual * 100
    else:
        raw = w.cap_pct if w.target <= 0 else actual / w.target * 100
    return min(raw, w.cap_pct).quantize(Decimal("0.1"))


def score(
    role: str,
    actuals: Mapping[str, Decimal | int | float | None],
    *,
    active: bool = True,
    weights: list[Weight] | None = None,
) -> Score:
    """The score of a person of ``role`` whose figures are ``actuals`` (metric → value, None: no basis). A
    period without any work of theirs (``active`` False) is not scored: its lines are shown, its total is None
    (a quiet portfolio alone earns nothing)."""
    lines = []
    for w in weights if weights is not None else weights_of(role, list(actuals)):
        if w.metric not in actuals:
            continue
        actual = _decimal(actuals[w.metric])
        reached = attainment(w, actual)
        points = None if reached is None else (w.weight * reached / 100).quantize(Decimal("0.01"))
        lines.append(Line(w, actual, reached, points))
    counted = [line for line in lines if line.points is not None]
    weight = sum((line.weight.weight for line in counted), Decimal(0))
    total = None
    if weight and active:
        total = (sum((line.points or Decimal(0) for line in counted), Decimal(0)) * 100 / weight).quantize(
            Decimal("0.1")
        )
    return Score(tuple(lines), total)


def _decimal(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return Decimal(str(value))
