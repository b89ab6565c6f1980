"""The portfolio dashboard's figures (风险管理驾驶舱), each checked against a direct computation over the test book
(``tests/services/portfolio_book``): exposure and quality, migration matrices and the NPL trend, concentration
against the limits table, warnings over time; the customers behind a figure; who reads which part."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import InvalidInput, NotAuthorized
from app.localtime import local_today
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard import (
    portfolio,
    portfolio_concentration,
    portfolio_customers,
    portfolio_exposure,
    portfolio_migration,
    portfolio_warnings,
)
from app.services.analytics.portfolio_dashboard.portfolio_book import Sums, end_of
from app.services.analytics.rights import Reach
from app.services.design.testing import decision_tests
from tests.services.portfolio_book import (
    CHANGES,
    MILLION,
    SPECS,
    T0,
    WARNINGS,
    build,
    limit_of,
    state_at,
    used_of,
    whole_period,
)

ROOT = Path(__file__).resolve().parents[2]
BANK = Reach(None)
NPL = ("substandard", "doubtful", "loss")


@pytest.fixture
def book(deployed, people):
    return build(people)


def _rows(figure, key="label"):
    return {row[key]: row for row in figure.rows}


def test_exposure_by_industry_branch_and_product_is_the_sum_of_the_facilities(book):
    filters = whole_period()
    for dimension, value_of in (
        ("industry", lambda s: s[3]),
        ("branch", lambda s: s[0]),
        ("segment", lambda s: s[4]),
    ):
        figure = portfolio_exposure.by(Sums(BANK, filters), dimension)
        got = {row["value"]: (row["customers"], row["limit"], row["used"]) for row in figure.rows}
        expected = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
        for spec in SPECS:
            entry = expected[value_of(spec)]
            entry[0] += 1
            entry[1] += limit_of(spec)
            entry[2] += used_of(spec)
        assert got == {
            k: (c, lim.quantize(Decimal("0.01")), u.quantize(Decimal("0.01")))
            for k, (c, lim, u) in expected.items()
        }
    products = _rows(portfolio_exposure.by(Sums(BANK, filters), "product"), "value")
    term = sum(limit for spec in SPECS for limit, months in spec[6] if months > 12) * MILLION
    assert products["term_loan"]["limit"] == Decimal(term)
    assert products["term_loan"]["customers"] == 2  # the first two hold a 24- and a 36-month facility


def test_the_npl_ratio_is_substandard_doubtful_and_loss_over_all_live_limits(book):
    figure = portfolio_exposure.quality(Sums(BANK, whole_period()))
    total = sum(limit_of(s) for s in SPECS)
    npl = sum(limit_of(s) for s in SPECS if s[2] in NPL)
    mention = sum(limit_of(s) for s in SPECS if s[2] == "special_mention")
    special, bad = figure.rows
    assert bad["share"] == (npl * 100 / total).quantize(Decimal("0.01"))
    assert bad["customers"] == 2 and special["customers"] == 1
    assert special["share"] == (mention * 100 / total).quantize(Decimal("0.01"))
    assert figure.total["limit"] == total


def test_a_branch_approver_reads_their_branch_only_and_an_officer_none(book, people):
    reach = portfolio.rights.portfolio_reach(book.sh_approver)
    assert reach == Reach("shanghai")
    figure = portfolio_exposure.by(Sums(reach, whole_period()), "branch")
    assert [row["value"] for row in figure.rows] == ["shanghai"]
    assert figure.total["limit"] == sum(limit_of(s) for s in SPECS if s[0] == "shanghai")
    with pytest.raises(NotAuthorized):
        portfolio.dashboard(people.officer, whole_period())


def test_the_migration_matrices_count_each_customer_from_its_state_then_to_its_state_now(book):
    filters = Filters(date(2025, 3, 1), local_today())
    history = portfolio_migration.History(BANK, filters)
    start, end = end_of(filters.date_from), end_of(filters.date_to)
    for field, which in (("grade", 0), ("loan_class", 1)):
        expected = Counter()
        amounts = defaultdict(Decimal)
        for index, spec in enumerate(SPECS):
            before = state_at(index, start, which) or "none"
            after = state_at(index, end, which) or "none"
            if before == after == "none":
                continue
            expected[(before, after)] += 1
            amounts[(before, after)] += limit_of(spec)
        counts = portfolio_migration.matrix(history, filters, field, "count")
        money = portfolio_migration.matrix(history, filters, field, "amount")
        got = {
            (row["drill"]["before"], col.key): row[col.key]
            for row in counts.rows
            for col in counts.columns[1:-1]
            if row[col.key]
        }
        assert got == dict(expected)
        got_amounts = {
            (row["drill"]["before"], col.key): row[col.key]
            for row in money.rows
            for col in money.columns[1:-1]
            if row[col.key]
        }
        assert got_amounts == dict(amounts)
    # by hand: customer 5 (index 4) went special mention → doubtful, customer 4 (index 3) special → substandard
    rows = {
        r["drill"]["before"]: r
        for r in portfolio_migration.matrix(history, filters, "loan_class", "count").rows
    }
    assert (rows["special_mention"]["doubtful"], rows["special_mention"]["substandard"]) == (1, 1)


def test_the_npl_trend_reads_each_month_end_from_the_history(book):
    filters = Filters(date(2025, 1, 1), date(2026, 9, 30))
    figure = portfolio_migration.npl_trend(portfolio_migration.History(BANK, filters), filters)
    assert len(figure.rows) == 21
    for row in figure.rows:
        instant = end_of(date.fromisoformat(row["label"]))
        classes = {i: state_at(i, instant, 1) for i in range(len(SPECS))}
        npl = [i for i, c in classes.items() if c in NPL]
        book_limits = sum(limit_of(spec) for spec in SPECS)  # the whole book, classified or not (as today's)
        expected = (
            (sum(limit_of(SPECS[i]) for i in npl) * 100 / book_limits).quantize(Decimal("0.01"))
            if book_limits
            else None
        )
        assert row["npl_ratio"] == expected, row["label"]
        assert row["npl_customers"] == len(npl)


def test_the_npl_trend_of_a_period_of_centuries_shows_its_last_ten_years(book):
    filters = Filters(date(1900, 1, 1), date(2999, 12, 31))  # what the filters accept: 13,200 month ends
    figure = portfolio_migration.npl_trend(portfolio_migration.History(BANK, filters), filters)
    assert len(figure.rows) == portfolio_migration.TREND_MONTHS == 120
    assert figure.rows[-1]["label"] == "2999-12-31" and figure.rows[0]["label"] == "2990-01-31"
    assert "120" in figure.note


def test_concentration_largest_customers_hhi_and_the_breached_limits(book):
    filters = whole_period()
    largest = portfolio_concentration.largest(portfolio_concentration.read_largest(BANK, filters, "customer"))
    limits = sorted((limit_of(s) for s in SPECS), reverse=True)
    assert [row["limit"] for row in largest.rows] == limits
    capital = Decimal("50000000000")
    assert largest.rows[0]["capital_share"] == (limits[0] * 100 / capital).quantize(Decimal("0.01"))
    groups = _rows(
        portfolio_concentration.largest(portfolio_concentration.read_largest(BANK, filters, "group"))
    )
    assert groups["华润系"]["limit"] == limit_of(SPECS[0]) + limit_of(SPECS[1])
    figure, hhi = portfolio_concentration.against_limits(Sums(BANK, filters), "industry")
    total = sum(limit_of(s) for s in SPECS)
    by_industry = defaultdict(Decimal)
    for spec in SPECS:
        by_industry[spec[3]] += limit_of(spec)
    shares = {k: (v * 100 / total).quantize(Decimal("0.01")) for k, v in by_industry.items()}
    assert hhi == sum(s**2 for s in shares.values())
    status = {row["drill"]["industry"]: "breach" if row["breached"] else "within" for row in figure.rows}
    maxima = {"real_estate": 15, "construction": 20}
    assert status == {k: "breach" if s > maxima.get(k, 30) else "within" for k, s in shares.items()}
    assert status["real_estate"] == "breach"  # 370 of 975 (millions): 37.95% against 15%


def test_would_breach_asks_whether_the_amount_takes_the_industry_or_region_over(book):
    total = sum(limit_of(s) for s in SPECS)
    technology = limit_of(SPECS[5])
    # technology may take 30%: (100 + x) / (975 + x) <= 0.3 holds up to x = 275 (millions)
    assert portfolio_concentration.would_breach("technology", None, 270 * MILLION) is False
    assert portfolio_concentration.would_breach("technology", None, 280 * MILLION) is True
    assert (technology + 275 * MILLION) * 10 == (total + 275 * MILLION) * 3
    # shanghai holds 205 of 975: far inside 50% on its own; a large proposal takes it over
    assert portfolio_concentration.would_breach(None, "shanghai", 10 * MILLION) is False
    assert portfolio_concentration.would_breach(None, "shanghai", 600 * MILLION) is True
    assert portfolio_concentration.would_breach("technology", "shanghai", 0) is False


def test_the_limits_table_passes_its_own_cases():
    results = decision_tests.run(
        "concentration_limits.dmn",
        (ROOT / "rules" / "concentration_limits.dmn").read_text(encoding="utf-8"),
        (ROOT / "rules" / "concentration_limits.tests.json").read_text(encoding="utf-8"),
    )
    assert results and all(r.ok for r in results), [r.message for r in results if not r.ok]


def test_warnings_by_signal_time_to_close_and_the_noisy_rule_named(book):
    filters = whole_period()
    frame = portfolio_warnings.read(BANK, filters)
    by_signal = {row["code"]: row for row in portfolio_warnings.by_signal(frame).rows}
    assert {k: v["total"] for k, v in by_signal.items()} == Counter(w[1] for w in WARNINGS)
    assert by_signal["past_due"]["high"] == 2
    closing = portfolio_warnings.closing(frame)
    rules = {row["label"]: row for row in closing.rows}
    assert rules["Rule_warning_rules_06"]["false_alarm_rate"] == Decimal("100.00")
    assert rules["Rule_warning_rules_06"]["mean_days"] == Decimal("4.0")
    assert rules["Rule_warning_rules_07"]["mean_days"] == Decimal("15.0")
    assert rules["Rule_warning_rules_07"]["false_alarm_rate"] == Decimal("0.00")
    assert "Rule_warning_rules_06" in closing.note and "Rule_warning_rules_07" not in closing.note
    months = {row["label"]: row for row in portfolio_warnings.by_month(frame, filters).rows}
    assert sum(row["closed"] for row in months.values()) == sum(1 for w in WARNINGS if w[5] is not None)
    assert months[(T0 + timedelta(days=390)).strftime("%Y-%m")]["high"] >= 1


def test_the_customers_behind_a_figure_are_the_ones_it_counts(book):
    filters = whole_period()
    risk_like = book.sh_approver
    sums = Sums(Reach("shanghai"), filters)
    for dimension in ("grade", "segment", "product"):
        for row in portfolio_exposure.by(sums, dimension).rows:
            # the page passes a segment as its filter (Filters.parse reads it), the others as drill arguments
            narrowed = Filters(filters.date_from, filters.date_to, segment=row["drill"].get("segment"))
            listing = portfolio_customers.customers(risk_like, narrowed, row["drill"])
            assert listing.total == row["customers"], (dimension, row["value"])
    npl = portfolio_customers.customers(risk_like, filters, {"loan_class": "npl"})
    assert sorted(r["name"] for r in npl.rows) == sorted(
        c.name for c, s in zip(book.customers, SPECS, strict=True) if s[2] in NPL
    )
    moved = portfolio_customers.customers(
        risk_like,
        Filters(date(2025, 3, 1), local_today()),
        {"moved": "loan_class", "before": "special_mention"},
    )
    assert {r["name"] for r in moved.rows} == {book.customers[3].name, book.customers[4].name}
    with pytest.raises(InvalidInput) as refused:
        portfolio_customers.customers(risk_like, filters, {"grade": "ZZ", "before": "A"})
    assert set(refused.value.errors) == {"grade", "moved"}


def test_the_dashboard_holds_every_section(book, people):
    page = portfolio.dashboard(people.risk, whole_period())
    assert [s.key for s in page.sections] == list(portfolio.SECTIONS)
    keys = {f.key for f in page.figures}
    assert {
        "quality",
        "npl_trend",
        "exposure_grade",
        "migration_grade_count",
        "largest_customers",
        "hhi",
    } <= keys
    assert {"limits_industry", "limits_branch", "warnings_by_signal", "warnings_closing"} <= keys
    assert page.whole_bank and len(CHANGES) == 12
    assert isinstance(page.as_of, datetime)
