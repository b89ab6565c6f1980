"""Altman Z-score models and their zones.

Inputs, from one :class:`~app.risk.statements.Statement`:

- x1 = (current_assets − current_liabilities) / total_assets   (working capital)
- x2 = retained_earnings / total_assets
- x3 = ebit / total_assets
- x4 = equity / total_liabilities, where equity is market_equity for "z" and
  book_equity for every other model
- x5 = sales / total_assets   (not used by Z'' or EM)

Zone convention: a score below the lower cut-off is "distress", above the upper
cut-off is "safe", and the grey zone is closed at both ends, so a score exactly equal
to either cut-off is "grey" (e.g. Z = 1.81 and Z = 2.99 are both grey).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from app.risk.errors import RiskInputError
from app.risk.statements import Statement

ZModelName = Literal["z", "z_prime", "z_double_prime", "em"]
Zone = Literal["distress", "grey", "safe"]

Z_MODEL_NAMES: tuple[str, ...] = get_args(ZModelName)


@dataclass(frozen=True)
class ZModel:
    """Coefficients and zone cut-offs of one Altman model."""

    title: str
    constant: float
    weights: dict[str, float]
    distress_below: float
    safe_above: float
    x4_equity: Literal["market_equity", "book_equity"]


# The one table of Altman numbers.
# Z: Altman (1968), public manufacturers. Z': Altman (1983), private firms.
# Z'': Altman (1995), non-manufacturers. EM: Z'' + 3.25, with the policy's own
# cut-offs 4.35 / 5.85 (Z'' cut-offs would be 1.10 / 2.60).
Z_MODELS: dict[str, ZModel] = {
    "z": ZModel(
        title="Altman Z (public manufacturers)",
        constant=0.0,
        weights={"x1": 1.2, "x2": 1.4, "x3": 3.3, "x4": 0.6, "x5": 1.0},
        distress_below=1.81,
        safe_above=2.99,
        x4_equity="market_equity",
    ),
    "z_prime": ZModel(
        title="Altman Z' (private firms)",
        constant=0.0,
        weights={"x1": 0.717, "x2": 0.847, "x3": 3.107, "x4": 0.420, "x5": 0.998},
        distress_below=1.23,
        safe_above=2.90,
        x4_equity="book_equity",
    ),
    "z_double_prime": ZModel(
        title="Altman Z'' (non-manufacturers)",
        constant=0.0,
        weights={"x1": 6.56, "x2": 3.26, "x3": 6.72, "x4": 1.05},
        distress_below=1.10,
        safe_above=2.60,
        x4_equity="book_equity",
    ),
    "em": ZModel(
        title="Altman EM score (emerging markets, Z'' + 3.25)",
        constant=3.25,
        weights={"x1": 6.56, "x2": 3.26, "x3": 6.72, "x4": 1.05},
        distress_below=4.35,
        safe_above=5.85,
        x4_equity="book_equity",
    ),
}


@dataclass(frozen=True)
class ZScoreResult:
    """A score, its zone, and the x-inputs it was computed from."""

    score: float
    zone: Zone
    inputs: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """``{"score": float, "zone": str, "inputs": {"x1": float, ...}}``."""
        return {"score": self.score, "zone": self.zone, "inputs": dict(self.inputs)}


def get_model(model: str) -> ZModel:
    """The :class:`ZModel` for a name in :data:`Z_MODEL_NAMES`, else RiskInputError("model")."""
    try:
        return Z_MODELS[model]
    except (KeyError, TypeError):
        expected = ", ".join(Z_MODEL_NAMES)
        raise RiskInputError("model", f"unknown Z-score model {model!r}; use one of {expected}") from None


def z_inputs(st: Statement, model: ZModelName) -> dict[str, float]:
    """x1..x5 (x1..x4 for Z'' and EM) as defined in the module docstring.

    Raises RiskInputError("market_equity") for "z" on an unlisted company and
    RiskInputError("total_liabilities") when liabilities are zero (x4 undefined).
    """
    spec = get_model(model)
    if st.total_assets <= 0:
        raise RiskInputError("total_assets", f"is {st.total_assets:g}, Z-score undefined")
    equity = st.market_equity if spec.x4_equity == "market_equity" else st.book_equity
    if equity is None:
        raise RiskInputError(
            "market_equity",
            f"is not available (company not listed); the {model!r} model needs it, "
            "use 'z_prime' for private firms",
        )
    if st.total_liabilities <= 0:
        raise RiskInputError(
            "total_liabilities", f"is {st.total_liabilities:g}, x4 (equity / liabilities) undefined"
        )
    inputs = {
        "x1": (st.current_assets - st.current_liabilities) / st.total_assets,
        "x2": st.retained_earnings / st.total_assets,
        "x3": st.ebit / st.total_assets,
        "x4": equity / st.total_liabilities,
        "x5": st.sales / st.total_assets,
    }
    return {name: inputs[name] for name in spec.weights}


def classify_zone(model: ZModelName, score: float) -> Zone:
    """distress if score < lower cut-off; safe if score > upper cut-off; otherwise grey.

    A score exactly at either cut-off is grey.
    """
    spec = get_model(model)
    if score < spec.distress_below:
        return "distress"
    if score > spec.safe_above:
        return "safe"
    return "grey"


def z_score(statement: Statement, model: ZModelName) -> ZScoreResult:
    """Altman score = constant + Σ weight_i · x_i, with weights and zones from :data:`Z_MODELS`.

    - z:              1.2·x1 + 1.4·x2 + 3.3·x3 + 0.6·x4 + 1.0·x5     (x4 on market equity)
    - z_prime:        0.717·x1 + 0.847·x2 + 3.107·x3 + 0.420·x4 + 0.998·x5
    - z_double_prime: 6.56·x1 + 3.26·x2 + 6.72·x3 + 1.05·x4
    - em:             3.25 + z_double_prime
    """
    spec = get_model(model)
    inputs = z_inputs(statement, model)
    score = spec.constant + sum(spec.weights[name] * value for name, value in inputs.items())
    return ZScoreResult(score=score, zone=classify_zone(model, score), inputs=inputs)
