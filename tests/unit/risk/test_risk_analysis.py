from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from app.risk.analysis import analyse_financials
from app.risk.errors import RiskInputError

RawFactory = Callable[..., dict[str, Any]]


def _two_years(healthy: RawFactory, **latest: Any) -> list[dict[str, Any]]:
    # Given newest first on purpose: the function must sort by year.
    return [healthy(**latest), healthy(fiscal_year=2023, total_liabilities=700, net_income=30)]


def test_latest_year_drives_ratios_zscore_and_scorecard(healthy: RawFactory) -> None:
    result = analyse_financials(_two_years(healthy), "z")
    assert result["fiscal_year"] == 2024
    assert result["ratios"]["debt_to_asset"] == pytest.approx(0.6)
    assert result["ratios"]["current_ratio"] == pytest.approx(1.6)
    # Flat keys for DMN inputs.
    assert result["debt_ratio"] == pytest.approx(0.6)
    assert result["current_ratio"] == pytest.approx(1.6)
    # Z for 2024 = 2.387 (worked in test_risk_zscore).
    assert result["z_score"] == pytest.approx(2.387)
    assert result["z_zone"] == "grey"
    assert result["zscore"]["model"] == "z"
    assert result["zscore"]["fallback_from"] is None
    assert result["zscore"]["inputs"]["x5"] == pytest.approx(1.2)
    # Scorecard on 2024: debt 0.6, current 1.6, coverage 3.0, roa 0.045
    # logit = −3.4 + 3.0·0.6 − 0.6·1.6 − 0.15·3.0 − 8·0.045 = −3.4 + 1.8 − 0.96 − 0.45 − 0.36 = −3.37
    # PD = 1 / (1 + e^3.37) = 1 / (1 + 29.0785) = 0.033246
    # points = 487.1229 + 28.8539 · 3.37 = 487.1229 + 97.2377 = 584.3606
    assert result["pd"] == pytest.approx(0.033246, abs=1e-6)
    assert result["points"] == pytest.approx(584.3605, abs=1e-3)
    card = result["scorecard"]
    assert (card["pd"], card["points"]) == (result["pd"], result["points"])
    assert (card["model"], card["version"]) == ("corporate-logit", "2026.1")


def test_ratio_trend_is_keyed_by_year_oldest_first(healthy: RawFactory) -> None:
    result = analyse_financials(_two_years(healthy), "z_prime")
    assert list(result["ratio_trend"]) == ["2023", "2024"]
    # 2023: total_liabilities 700 / total_assets 1000; net_income 30 / 1000
    assert result["ratio_trend"]["2023"]["debt_to_asset"] == pytest.approx(0.7)
    assert result["ratio_trend"]["2023"]["roa"] == pytest.approx(0.03)
    assert result["ratio_trend"]["2024"] == result["ratios"]


def test_result_survives_a_json_round_trip(healthy: RawFactory) -> None:
    result = analyse_financials(_two_years(healthy, interest_expense=0), "em")
    assert result["ratios"]["interest_coverage"] is None
    assert result["scorecard"]["imputed"] == ["interest_coverage"]
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_z_without_market_equity_falls_back_to_z_prime(healthy: RawFactory) -> None:
    result = analyse_financials(_two_years(healthy, market_equity=None), "z")
    assert result["zscore"]["model"] == "z_prime"
    assert result["zscore"]["fallback_from"] == "z"
    # Z' for 2024 = 1.99183 (worked in test_risk_zscore).
    assert result["z_score"] == pytest.approx(1.99183)
    assert result["z_zone"] == "grey"


def test_no_z_model_can_run_on_zero_liabilities(healthy: RawFactory) -> None:
    debt_free = {"total_liabilities": 0, "current_liabilities": 0, "short_term_debt": 0, "long_term_debt": 0}
    result = analyse_financials(_two_years(healthy, **debt_free), "z_prime")
    assert result["z_score"] is None and result["z_zone"] is None
    assert result["zscore"]["unavailable"] == "total_liabilities: is 0, x4 (equity / liabilities) undefined"
    assert result["debt_ratio"] == 0.0


def test_needs_one_period(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        analyse_financials([], "z")
    assert str(caught.value) == "statements: at least one annual statement is required"


def test_one_period_is_analysed_alone(healthy: RawFactory) -> None:
    result = analyse_financials([healthy()], "z")
    assert result["fiscal_year"] == 2024 and list(result["ratio_trend"]) == ["2024"]
    assert result["ratio_trend"]["2024"] == result["ratios"] and result["pd"] == pytest.approx(
        0.033246, abs=1e-6
    )


def test_five_periods_trend_oldest_first(healthy: RawFactory) -> None:
    years = [
        healthy(fiscal_year=year, net_income=10 * (year - 2019)) for year in (2024, 2020, 2022, 2021, 2023)
    ]
    result = analyse_financials(years, "z")
    assert list(result["ratio_trend"]) == ["2020", "2021", "2022", "2023", "2024"]
    assert result["ratio_trend"]["2020"]["roa"] == pytest.approx(0.01)


def test_periods_must_be_distinct_years(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        analyse_financials([healthy(), healthy()], "z")
    assert str(caught.value) == "statements: fiscal year given more than once: 2024"


def test_bad_statement_names_field_and_position(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        analyse_financials([healthy(fiscal_year=2023), healthy(cash=-1)], "z")
    assert caught.value.field == "cash"
    assert caught.value.message == "is -1, must not be negative (statement 2)"


def test_unknown_z_model(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        analyse_financials(_two_years(healthy), "altman")
    assert caught.value.field == "model"


def test_statements_must_be_a_list(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        analyse_financials(healthy(), "z")  # type: ignore[arg-type]
    assert caught.value.field == "statements"
