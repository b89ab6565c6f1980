from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.risk.errors import RiskInputError
from app.risk.statements import parse_statement
from app.risk.zscore import Z_MODEL_NAMES, Z_MODELS, classify_zone, z_score

RawFactory = Callable[..., dict[str, Any]]

# Healthy statement inputs:
#   x1 = (400 − 250) / 1000 = 0.15     x2 = 150 / 1000 = 0.15     x3 = 90 / 1000 = 0.09
#   x4 = 500 / 600 = 0.8333 (market, Z) or 400 / 600 = 0.6667 (book)   x5 = 1200 / 1000 = 1.2


def test_model_table_matches_the_design() -> None:
    assert Z_MODEL_NAMES == ("z", "z_prime", "z_double_prime", "em")
    z, zp, zpp, em = (Z_MODELS[name] for name in Z_MODEL_NAMES)
    assert z.weights == {"x1": 1.2, "x2": 1.4, "x3": 3.3, "x4": 0.6, "x5": 1.0}
    assert (z.distress_below, z.safe_above) == (1.81, 2.99)
    assert zp.weights == {"x1": 0.717, "x2": 0.847, "x3": 3.107, "x4": 0.420, "x5": 0.998}
    assert (zp.distress_below, zp.safe_above) == (1.23, 2.90)
    assert zpp.weights == {"x1": 6.56, "x2": 3.26, "x3": 6.72, "x4": 1.05}
    assert (zpp.distress_below, zpp.safe_above, zpp.constant) == (1.10, 2.60, 0.0)
    assert em.weights == zpp.weights
    assert (em.distress_below, em.safe_above, em.constant) == (4.35, 5.85, 3.25)


def test_z_healthy_is_grey(healthy: RawFactory) -> None:
    result = z_score(parse_statement(healthy()), "z")
    # 1.2·0.15 + 1.4·0.15 + 3.3·0.09 + 0.6·0.8333 + 1.0·1.2
    # = 0.18 + 0.21 + 0.297 + 0.5 + 1.2 = 2.387  (1.81 ≤ 2.387 ≤ 2.99 → grey)
    assert result.score == pytest.approx(2.387)
    assert result.zone == "grey"
    assert result.inputs == pytest.approx({"x1": 0.15, "x2": 0.15, "x3": 0.09, "x4": 5 / 6, "x5": 1.2})


def test_z_prime_healthy_is_grey(healthy: RawFactory) -> None:
    result = z_score(parse_statement(healthy()), "z_prime")
    # 0.717·0.15 + 0.847·0.15 + 3.107·0.09 + 0.420·0.6667 + 0.998·1.2
    # = 0.10755 + 0.12705 + 0.27963 + 0.28 + 1.1976 = 1.99183  (1.23 ≤ · ≤ 2.90 → grey)
    assert result.score == pytest.approx(1.99183)
    assert result.zone == "grey"
    assert result.inputs["x4"] == pytest.approx(2 / 3)


def test_z_double_prime_and_em_healthy_are_safe(healthy: RawFactory) -> None:
    st = parse_statement(healthy())
    zpp = z_score(st, "z_double_prime")
    # 6.56·0.15 + 3.26·0.15 + 6.72·0.09 + 1.05·0.6667 = 0.984 + 0.489 + 0.6048 + 0.7 = 2.7778 > 2.60
    assert zpp.score == pytest.approx(2.7778)
    assert zpp.zone == "safe"
    assert set(zpp.inputs) == {"x1", "x2", "x3", "x4"}
    em = z_score(st, "em")
    # 3.25 + 2.7778 = 6.0278 > 5.85
    assert em.score == pytest.approx(6.0278)
    assert em.zone == "safe"
    assert em.inputs == zpp.inputs


def test_weak_company_is_in_distress_on_every_model(weak: RawFactory) -> None:
    # x1 = (200 − 400)/1000 = −0.2, x2 = −100/1000 = −0.1, x3 = −20/1000 = −0.02,
    # x4 market = 50/900 = 0.05556, x4 book = 100/900 = 0.11111, x5 = 500/1000 = 0.5
    st = parse_statement(weak())
    # Z = −0.24 − 0.14 − 0.066 + 0.6·0.05556 + 0.5 = 0.087333
    assert z_score(st, "z").score == pytest.approx(0.0873333)
    # Z'' = −1.312 − 0.326 − 0.1344 + 1.05·0.11111 = −1.655733
    assert z_score(st, "z_double_prime").score == pytest.approx(-1.6557333)
    # EM = 3.25 − 1.655733 = 1.594267
    assert z_score(st, "em").score == pytest.approx(1.5942667)
    for model in Z_MODEL_NAMES:
        assert z_score(st, model).zone == "distress"  # type: ignore[arg-type]


def test_as_dict_shape(healthy: RawFactory) -> None:
    data = z_score(parse_statement(healthy()), "z_prime").as_dict()
    assert list(data) == ["score", "zone", "inputs"]
    assert data["zone"] == "grey"
    assert list(data["inputs"]) == ["x1", "x2", "x3", "x4", "x5"]


@pytest.mark.parametrize(
    "model, low, high",
    [("z", 1.81, 2.99), ("z_prime", 1.23, 2.90), ("z_double_prime", 1.10, 2.60), ("em", 4.35, 5.85)],
)
def test_zone_boundaries_are_grey_at_the_cut_offs(model: Any, low: float, high: float) -> None:
    assert classify_zone(model, low - 1e-9) == "distress"
    assert classify_zone(model, low) == "grey"
    assert classify_zone(model, (low + high) / 2) == "grey"
    assert classify_zone(model, high) == "grey"
    assert classify_zone(model, high + 1e-9) == "safe"


@pytest.mark.parametrize(
    "sales, zone", [(180.99, "distress"), (181, "grey"), (299, "grey"), (299.01, "safe")]
)
def test_z_score_exactly_at_cut_off_end_to_end(healthy: RawFactory, sales: float, zone: str) -> None:
    # x1 = x2 = x3 = x4 = 0 so Z = 1.0 · x5 = sales / 100: 181 → 1.81 and 299 → 2.99 exactly.
    raw = healthy(
        total_assets=100, current_assets=50, cash=10, inventory=10, receivables=10,
        total_liabilities=60, current_liabilities=50, short_term_debt=20, long_term_debt=10,
        market_equity=0, retained_earnings=0,
        ebit=0, sales=sales,
    )  # fmt: skip
    result = z_score(parse_statement(raw), "z")
    assert result.score == pytest.approx(sales / 100)
    assert result.zone == zone


def test_z_without_market_equity_names_the_field(healthy: RawFactory) -> None:
    st = parse_statement(healthy(market_equity=None))
    with pytest.raises(RiskInputError) as caught:
        z_score(st, "z")
    assert caught.value.field == "market_equity"
    assert "z_prime" in caught.value.message
    # Book-equity models do not need it.
    assert z_score(st, "z_prime").score == pytest.approx(1.99183)


def test_zero_liabilities_makes_x4_undefined(healthy: RawFactory) -> None:
    st = parse_statement(
        healthy(total_liabilities=0, current_liabilities=0, short_term_debt=0, long_term_debt=0)
    )
    with pytest.raises(RiskInputError) as caught:
        z_score(st, "z_prime")
    assert str(caught.value) == "total_liabilities: is 0, x4 (equity / liabilities) undefined"


def test_unknown_model(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        z_score(parse_statement(healthy()), "zz")  # type: ignore[arg-type]
    assert caught.value.field == "model"
    assert "z, z_prime, z_double_prime, em" in caught.value.message
