"""The figures of the monthly check of the scoring models in use (模型监测), each computed from its definition.

- **Score PSI**: the champion's PDs on the month's applications, put in the bins its training's deciles cut
  (``figures["psi"]["cuts"]``, kept with the version), against the training's shares in them
  (``metrics.psi``: < 0.1 stable, 0.1–0.25 watch, > 0.25 shifted; the thresholds the bank applies are a rule
  table's).
- **Realised default rate per grade** (back-test): over cases whose window after the decision has closed, for
  each grade of the master scale, the cases, their defaults and the realised rate beside the mean PD the rating
  gave them, with the one-sided binomial p-value — the chance of at least that many defaults among that many
  cases if each had defaulted with that mean PD. A small p-value says the grade's PD is too low; a rate below
  the PD is not flagged (the PD was prudent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from app.scoring import metrics

# what a measure's level can be, mildest first; a check's level is its measures' worst
LEVELS = ("too_few", "green", "amber", "red")


def worst(levels: Sequence[str]) -> str:
    return max(levels, key=LEVELS.index, default="too_few")


def score_psi(
    cuts: Sequence[float], train: Sequence[float], pds: Sequence[float]
) -> tuple[float | None, list[float]]:
    """The PSI of ``pds`` against the training's ``train`` shares over the bins ``cuts`` make, and the month's
    shares; no PSI of no PDs."""
    shares = metrics.shares_over(list(cuts), np.asarray(pds, dtype=float))
    if len(pds) == 0:
        return None, shares.round(6).tolist()
    return metrics.psi(np.asarray(train, dtype=float), shares), shares.round(6).tolist()


@dataclass(frozen=True)
class GradeOutcome:
    grade: str
    cases: int
    defaults: int
    realised: float  # defaults / cases
    predicted: float  # the mean PD the rating gave the grade's cases
    p_value: float  # P(defaults ≥ what was realised | each case defaults with ``predicted``)


def by_grade(
    grades: Sequence[str | None], pds: Sequence[float | None], bads: Sequence[int], order: Sequence[str]
) -> list[GradeOutcome]:
    """The back-test of each grade found, in the master scale's ``order`` (any other grade after, by name); a case
    without a grade or a PD is left out."""
    found: dict[str, tuple[list[float], list[int]]] = {}
    for grade, pd_, bad in zip(grades, pds, bads, strict=True):
        if not grade or pd_ is None or not np.isfinite(pd_):
            continue
        kept = found.setdefault(grade, ([], []))
        kept[0].append(min(max(float(pd_), 0.0), 1.0))
        kept[1].append(int(bad))
    rank = {grade: i for i, grade in enumerate(order)}
    out = []
    for grade in sorted(found, key=lambda g: (rank.get(g, len(rank)), g)):
        grade_pds, grade_bads = found[grade]
        cases, defaults = len(grade_bads), sum(grade_bads)
        predicted = float(np.mean(grade_pds))
        out.append(
            GradeOutcome(
                grade, cases, defaults, defaults / cases, predicted, _p_value(defaults, cases, predicted)
            )
        )
    return out


def _p_value(defaults: int, cases: int, predicted: float) -> float:
    if defaults == 0:
        return 1.0
    if predicted <= 0.0:
        return 0.0  # a default where none was expected at all
    return float(binomtest(defaults, cases, predicted, alternative="greater").pvalue)
