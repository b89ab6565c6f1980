"""Figures as a credit officer reads them (app.formatting): one function per kind, chosen by name for
decision inputs and outputs; and the Jinja filters take the page's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask, render_template_string

from app import formatting as f
from app.risk.ratios import RATIO_KINDS, RATIO_NAMES


@pytest.mark.parametrize(
    "value, text",
    [
        (0.014157904007357232, "1.42%"),
        (0.0002469753067182905, "0.025%"),
        (0.113, "11.30%"),
        (0.5, "50.00%"),
        (0.0, "0.00%"),
        (1e-9, "<0.0001%"),
        (Decimal("0.0395"), "3.95%"),
    ],
)
def test_a_probability_of_default_reads_as_a_percentage_with_sensible_digits(value, text):
    assert f.probability(value) == text


@pytest.mark.parametrize(
    "name, value, text",
    [
        ("debt_to_asset", 0.5612, "56.12%"),
        ("roa", -0.0104, "-1.04%"),
        ("roe", 0.125, "12.50%"),
        ("current_ratio", 1.3456, "1.35×"),
        ("quick_ratio", 0.9, "0.90×"),
        ("leverage", 1.5, "1.50×"),
        ("interest_coverage", 4.2, "4.20×"),
        ("dscr", 1.25, "1.25×"),
        ("interest_coverage", 12, "12.00×"),
        ("dscr", 0.6, "0.60×"),
    ],
)
def test_each_ratio_reads_as_its_kind(name, value, text):
    assert f.ratio(value, name) == text


def test_every_ratio_has_a_kind():
    assert set(RATIO_KINDS) == set(RATIO_NAMES) and set(RATIO_KINDS.values()) <= set(f.KIND_FORMATS)


@pytest.mark.parametrize(
    "name, value, locale, text",
    [
        ("proposed_limit", 5_000_000, "zh_CN", "5,000,000.00 元"),
        ("proposed_limit", 5e6, "en", "CNY 5,000,000.00"),
        ("total_assets", 400_000_000.4, "en", "CNY 400,000,000.40"),
        ("pd", 0.0141579, "en", "1.42%"),
        ("single_client_share", 0.15, "en", "15.00%"),
        ("pricing_margin_pct", 1.2, "en", "1.20%"),
        ("proposed_margin_pct", 4.125, "zh_CN", "4.125%"),
        ("utilization_pct", Decimal("95.50"), "en", "95.50%"),
        ("z_score", 2.38712, "en", "2.39"),
        ("score_points", 584.36, "en", "584"),
        ("approval_level", 2, "en", "2"),
        ("anything", 0.003960460438, "en", "0.00396"),
        ("listed", False, "zh_CN", "否"),
        ("listed", True, "en", "yes"),
        ("grade", "BBB", "en", "BBB"),
        ("x", None, "en", "—"),
    ],
)
def test_a_figure_reads_as_its_name_says(name, value, locale, text):
    assert f.figure(value, name, locale) == text


def test_collections_read_item_by_item():
    assert (
        f.figure({"pd": 0.0141, "proposed_limit": 5e6, "z_zone": "safe"}, None, "en")
        == "pd: 1.41%; proposed_limit: CNY 5,000,000.00; z_zone: safe"
    )
    assert (
        f.figure([{"warning_code": "dpd", "severity": "high"}], None, "en")
        == "warning_code: dpd; severity: high"
    )


def test_filters_take_the_page_language():
    app = Flask(__name__)
    f.register_filters(app.jinja_env)
    with app.app_context():
        page = render_template_string(
            "{{ a|money }} | {{ b|probability }} | {{ c|ratio('current_ratio') }} | "
            "{{ none|money }} | {{ d|figure('proposed_limit') }}",
            a=1234.5,
            b=0.0141,
            c=1.345,
            d=2e6,
            none=None,
            current_locale="en",
        )
    assert page == "CNY 1,234.50 | 1.41% | 1.34× | — | CNY 2,000,000.00"
