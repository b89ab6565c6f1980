from __future__ import annotations

import math

import pytest

from app.risk.errors import RiskInputError
from app.risk.scorecard import DEFAULT_MODEL, ScorecardModel, score


def _one_feature_model(intercept: float) -> ScorecardModel:
    return ScorecardModel(name="t", version="1", intercept=intercept, coefficients={"x": 1.0})


def test_scale_constants() -> None:
    model = _one_feature_model(0.0)
    # factor = 20 / ln 2 = 20 / 0.693147 = 28.8539
    assert model.factor == pytest.approx(28.8539008)
    # offset = 600 − 28.8539 · ln 50 = 600 − 28.8539 · 3.912023 = 487.1229
    assert model.offset == pytest.approx(487.1228762)


def test_base_odds_score_base_score() -> None:
    # logit = −ln 50 → odds = e^ln50 = 50 (good:bad), PD = 1/51
    result = score(_one_feature_model(-math.log(50)), {"x": 0.0})
    assert result.pd == pytest.approx(1 / 51)
    assert result.points == pytest.approx(600.0)


def test_double_odds_add_pdo() -> None:
    # logit = −ln 100 → odds 100 = 2 · 50 → 600 + 20 = 620, PD = 1/101
    result = score(_one_feature_model(-math.log(100)), {"x": 0.0})
    assert result.pd == pytest.approx(1 / 101)
    assert result.points == pytest.approx(620.0)
    # Half the odds (25:1) lose pdo: 580. The feature moves the logit: −ln 100 + ln 4 = −ln 25.
    assert score(_one_feature_model(-math.log(100)), {"x": math.log(4)}).points == pytest.approx(580.0)


def test_default_model_worked_example() -> None:
    features = {"debt_to_asset": 0.5, "current_ratio": 1.5, "interest_coverage": 5.0, "roa": 0.05}
    result = score(DEFAULT_MODEL, features)
    # logit = −3.4 + 3.0·0.5 − 0.6·1.5 − 0.15·5 − 8·0.05 = −3.4 + 1.5 − 0.9 − 0.75 − 0.4 = −3.95
    # PD = 1 / (1 + e^3.95) = 1 / (1 + 51.9354) = 0.018891
    # points = 487.1229 + 28.8539 · 3.95 = 487.1229 + 113.9729 = 601.0958
    assert result.pd == pytest.approx(0.018891, abs=1e-6)
    assert result.points == pytest.approx(601.0958, abs=1e-4)
    assert result.contributions == pytest.approx(
        {"debt_to_asset": 1.5, "current_ratio": -0.9, "interest_coverage": -0.75, "roa": -0.4}
    )
    assert result.imputed == ()
    assert DEFAULT_MODEL.version == "2026.1"
    assert (DEFAULT_MODEL.base_score, DEFAULT_MODEL.base_odds, DEFAULT_MODEL.pdo) == (600.0, 50.0, 20.0)


def test_default_model_signs() -> None:
    c = DEFAULT_MODEL.coefficients
    assert c["debt_to_asset"] > 0
    assert c["current_ratio"] < 0 and c["interest_coverage"] < 0 and c["roa"] < 0
    assert set(c) == {"debt_to_asset", "current_ratio", "interest_coverage", "roa"}


def test_interest_coverage_is_capped_at_20() -> None:
    base = {"debt_to_asset": 0.5, "current_ratio": 1.5, "roa": 0.05}
    capped = score(DEFAULT_MODEL, {**base, "interest_coverage": 500.0})
    at_cap = score(DEFAULT_MODEL, {**base, "interest_coverage": 20.0})
    assert capped.inputs["interest_coverage"] == 20.0
    # −0.15 · 20 = −3.0
    assert capped.contributions["interest_coverage"] == pytest.approx(-3.0)
    assert capped.points == pytest.approx(at_cap.points)


def test_none_takes_the_conservative_fallback() -> None:
    features = {"debt_to_asset": 0.5, "current_ratio": 1.5, "interest_coverage": None, "roa": 0.05}
    result = score(DEFAULT_MODEL, features)
    assert result.imputed == ("interest_coverage",)
    assert result.inputs["interest_coverage"] == 1.0
    # logit = −3.95 + 0.75 (coverage 5 replaced) − 0.15 = −3.35; points = 487.1229 + 28.8539·3.35 = 487.1229 + 96.6606 = 583.7835
    assert result.points == pytest.approx(583.7835, abs=1e-4)
    # Never better than the same borrower with a modest defined coverage.
    assert result.points < score(DEFAULT_MODEL, {**features, "interest_coverage": 2.0}).points


def test_missing_feature_is_named() -> None:
    with pytest.raises(RiskInputError) as caught:
        score(DEFAULT_MODEL, {"debt_to_asset": 0.5, "current_ratio": 1.5, "roa": 0.05})
    assert caught.value.field == "interest_coverage"
    assert "missing" in caught.value.message


def test_none_without_fallback_is_an_error_not_zero() -> None:
    with pytest.raises(RiskInputError) as caught:
        score(_one_feature_model(0.0), {"x": None})
    assert caught.value.field == "x"
    assert "no fallback" in caught.value.message


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1.0", True])
def test_non_finite_feature(bad: object) -> None:
    with pytest.raises(RiskInputError) as caught:
        score(_one_feature_model(0.0), {"x": bad})  # type: ignore[dict-item]
    assert caught.value.field == "x"


def test_extreme_logits_do_not_overflow() -> None:
    bad = score(_one_feature_model(0.0), {"x": 1000.0})
    good = score(_one_feature_model(0.0), {"x": -1000.0})
    assert bad.pd == pytest.approx(1.0) and good.pd == pytest.approx(0.0)
    # points = 487.1229 ∓ 28.8539 · 1000
    assert bad.points == pytest.approx(487.1228762 - 28853.90082)
    assert good.points == pytest.approx(487.1228762 + 28853.90082)


@pytest.mark.parametrize("field, pdo, base_odds", [("pdo", 0.0, 50.0), ("base_odds", 20.0, -1.0)])
def test_model_scale_must_be_positive(field: str, pdo: float, base_odds: float) -> None:
    with pytest.raises(RiskInputError) as caught:
        ScorecardModel(name="t", version="1", intercept=0.0, coefficients={}, pdo=pdo, base_odds=base_odds)
    assert caught.value.field == field
