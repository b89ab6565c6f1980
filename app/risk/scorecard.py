"""Logit scorecard: probability of default (PD) and points on a PDO scale.

For a model with intercept b0 and coefficients b_i over features x_i:

    logit  = b0 + Σ b_i · x_i            (a positive coefficient raises the PD)
    PD     = 1 / (1 + exp(−logit))
    odds   = (1 − PD) / PD = exp(−logit)  (good : bad)
    factor = pdo / ln 2
    offset = base_score − factor · ln(base_odds)
    points = offset + factor · ln(odds) = offset − factor · logit

so that odds equal to base_odds score base_score, and each doubling of the odds adds
pdo points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.risk.errors import RiskInputError

NO_LIMIT: tuple[float, float] = (-math.inf, math.inf)


@dataclass(frozen=True)
class PointsScale:
    """The points scale (module docstring): ``base_score`` at odds ``base_odds`` good:bad, ``pdo`` points more
    per doubling of the odds. The hand-set scorecard and the learned ones (``app.scoring``) share it."""

    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self) -> None:
        if self.pdo <= 0:
            raise RiskInputError("pdo", f"is {self.pdo:g}, must be positive")
        if self.base_odds <= 0:
            raise RiskInputError("base_odds", f"is {self.base_odds:g}, must be positive")

    @property
    def factor(self) -> float:
        """factor = pdo / ln 2."""
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        """offset = base_score − factor · ln(base_odds)."""
        return self.base_score - self.factor * math.log(self.base_odds)


@dataclass(frozen=True)
class ScorecardModel:
    """A versioned logit scorecard.

    ``coefficients`` are over feature names (ratio names from
    :data:`app.risk.ratios.RATIO_NAMES`). ``bounds`` winsorizes a feature to
    [low, high] before use. ``fallbacks`` gives the value used when a feature is
    present but ``None`` (ratio undefined); a ``None`` feature without a fallback is
    an error, never a silent 0.
    """

    name: str
    version: str
    intercept: float
    coefficients: Mapping[str, float]
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    fallbacks: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        PointsScale(
            self.base_score, self.base_odds, self.pdo
        )  # refuses a pdo or base odds that is not positive

    @property
    def scale(self) -> PointsScale:
        return PointsScale(self.base_score, self.base_odds, self.pdo)

    @property
    def factor(self) -> float:
        return self.scale.factor

    @property
    def offset(self) -> float:
        return self.scale.offset


@dataclass(frozen=True)
class ScoreResult:
    """PD, points, and how each feature moved the logit.

    ``contributions[name]`` is b_i · x_i (logit units; positive raises the PD),
    ``inputs[name]`` the x_i actually used (after fallback and bounds), and
    ``imputed`` the features that were ``None`` and took their fallback value.
    """

    pd: float
    points: float
    contributions: dict[str, float]
    inputs: dict[str, float] = field(default_factory=dict)
    imputed: tuple[str, ...] = ()


def _sigmoid(logit: float) -> float:
    # Written in two branches so that exp() never overflows for extreme logits.
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    z = math.exp(logit)
    return z / (1.0 + z)


def _feature_value(
    model: ScorecardModel, name: str, features: Mapping[str, float | None]
) -> tuple[float, bool]:
    if name not in features:
        raise RiskInputError(name, f"is missing; scorecard {model.name} {model.version} needs it")
    value = features[name]
    imputed = False
    if value is None:
        if name not in model.fallbacks:
            raise RiskInputError(
                name, f"is n/a and scorecard {model.name} {model.version} has no fallback for it"
            )
        value = model.fallbacks[name]
        imputed = True
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RiskInputError(name, f"is not a finite number: {value!r}")
    low, high = model.bounds.get(name, NO_LIMIT)
    return min(max(float(value), low), high), imputed


def score(model: ScorecardModel, features: Mapping[str, float | None]) -> ScoreResult:
    """Score features with a model (formulas in the module docstring).

    Features beyond the model's coefficients are ignored. A feature the model needs
    that is absent raises RiskInputError naming it; one that is ``None`` takes the
    model's fallback value.
    """
    logit = model.intercept
    contributions: dict[str, float] = {}
    inputs: dict[str, float] = {}
    imputed: list[str] = []
    for name, coefficient in model.coefficients.items():
        value, was_imputed = _feature_value(model, name, features)
        inputs[name] = value
        contributions[name] = coefficient * value
        logit += contributions[name]
        if was_imputed:
            imputed.append(name)
    points = model.offset - model.factor * logit
    return ScoreResult(
        pd=_sigmoid(logit),
        points=points,
        contributions=contributions,
        inputs=inputs,
        imputed=tuple(imputed),
    )


# An illustrative policy model, not one fitted to the bank's history: its signs follow
# credit sense (more debt, more risk; more liquidity, coverage and profit, less risk) and
# its size puts a typical sound borrower near the base score, e.g. debt_to_asset 0.5,
# current_ratio 1.5, interest_coverage 5, roa 0.05 gives
# logit = −3.4 + 1.5 − 0.9 − 0.75 − 0.4 = −3.95, PD ≈ 1.9 %, about 601 points.
# It deliberately takes no Z-score input, so the two measures stay independent views.
# Fallbacks are conservative: an undefined ratio never scores better than a weak
# borrower with a defined one (e.g. no interest expense is treated as coverage 1.0,
# no current liabilities as a current ratio of 1.0).
DEFAULT_MODEL = ScorecardModel(
    name="corporate-logit",
    version="2026.1",
    intercept=-3.4,
    coefficients={
        "debt_to_asset": 3.0,
        "current_ratio": -0.6,
        "interest_coverage": -0.15,
        "roa": -8.0,
    },
    base_score=600.0,
    base_odds=50.0,
    pdo=20.0,
    bounds={
        "debt_to_asset": (0.0, 2.0),
        "current_ratio": (0.0, 5.0),
        "interest_coverage": (-5.0, 20.0),
        "roa": (-0.5, 0.5),
    },
    fallbacks={
        "debt_to_asset": 1.0,
        "current_ratio": 1.0,
        "interest_coverage": 1.0,
        "roa": 0.0,
    },
)
