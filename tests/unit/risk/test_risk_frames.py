"""The column-wise rating functions (``risk.frames``) equal, row by row, the functions that rate one customer."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from app.risk.analysis import _zscore_block
from app.risk.frames import ratio_frame, score_frame, z_frame
from app.risk.ratios import RATIO_NAMES, compute_ratios
from app.risk.scorecard import DEFAULT_MODEL, score
from app.risk.statements import LINE_ITEMS, Statement
from app.risk.zscore import Z_MODEL_NAMES

# Amounts in cents as statements hold them (a ratio of two such amounts is always finite)
amount = st.integers(min_value=-(10**11), max_value=10**12).map(lambda cents: cents / 100)
small = st.sampled_from([0.0, -0.0, 0.01, 1.0, -5.0])  # the edges a denominator meets


def _item(name: str):
    return st.one_of(amount, small) if name != "market_equity" else st.one_of(st.none(), amount)


statement = st.fixed_dictionaries({name: _item(name) for name in LINE_ITEMS})
books = st.lists(st.tuples(statement, st.sampled_from(Z_MODEL_NAMES)), min_size=1, max_size=25)


def _frame(rows):
    items = pd.DataFrame([r for r, _m in rows], columns=list(LINE_ITEMS)).astype(float)
    return items, pd.Series([m for _r, m in rows], index=items.index, dtype=object)


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _statement(raw) -> Statement:
    return Statement(fiscal_year=2025, **raw)


@settings(max_examples=100, deadline=None)
@given(books)
def test_ratios_scores_and_pd_equal_the_per_customer_functions(rows):
    items, models = _frame(rows)
    ratios = ratio_frame(items)
    z = z_frame(items, models)
    card = score_frame(DEFAULT_MODEL, ratios)
    for position, (raw, model) in enumerate(rows):
        one = compute_ratios(_statement(raw))
        for name in RATIO_NAMES:
            assert _same(ratios[name].iloc[position], one[name]), (name, raw)
        block = _zscore_block(_statement(raw), model)
        assert _same(z.z_score.iloc[position], block["score"]), (model, raw)
        assert z.z_zone.iloc[position] == block["zone"]
        expected = score(DEFAULT_MODEL, one)
        assert math.isclose(card.pd.iloc[position], expected.pd, rel_tol=1e-9, abs_tol=1e-15)
        assert math.isclose(card.points.iloc[position], expected.points, rel_tol=1e-9)


def test_a_private_firm_asked_for_z_falls_back_to_z_prime_as_the_analysis_does():
    raw = dict.fromkeys(LINE_ITEMS, 100.0) | {"market_equity": None, "total_liabilities": 50.0}
    items, models = _frame([(raw, "z")])
    found = z_frame(items, models).iloc[0]
    block = _zscore_block(_statement(raw), "z")
    assert found.z_model == block["model"] == "z_prime"
    assert found.z_score == block["score"] and found.z_zone == block["zone"]
