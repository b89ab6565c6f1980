"""Stress tests: a scenario's shocks checked, a run over a small book, and each figure against a direct
computation with the functions and tables that rate one customer."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event, select

from app.engine.dmn import evaluate_rows, load_dmn
from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.models import FinancialStatement, StressOutcome, StressRun
from app.models.base import utcnow
from app.risk.analysis import analyse_financials
from app.risk.ratios import compute_ratios
from app.risk.scorecard import DEFAULT_MODEL, score
from app.risk.statements import read_statement
from app.services.analytics.rights import Reach
from app.services.analytics.stress import stress_compute, stress_results, stress_runs, stress_scenarios
from tests import factories

RULES = Path(__file__).resolve().parents[2] / "rules"
SCENARIO = {
    "name": "房地产下行",
    "shocks": [{"industry": "real_estate", "sales_pct": -30, "rate_bp": 200}],
}


@pytest.mark.parametrize(
    ("shock", "field"),
    [
        ({"industry": "real_estate", "sales_pct": "NaN"}, "shocks.0.sales_pct"),
        ({"industry": "real_estate", "rate_bp": "Infinity"}, "shocks.0.rate_bp"),
        ({"industry": "real_estate", "collateral_pct": "1e300"}, "shocks.0.collateral_pct"),
        ({"industry": "real_estate", "ebit_pct": "-101"}, "shocks.0.ebit_pct"),
        ({"industry": "mining"}, "shocks.0.industry"),
    ],
)
def test_a_bad_shock_is_refused_naming_its_field(shock, field):
    with pytest.raises(InvalidInput) as refused:
        stress_scenarios.clean_shocks([shock])
    assert field in refused.value.errors


def test_an_industry_is_shocked_once_and_a_scenario_has_shocks():
    with pytest.raises(InvalidInput) as refused:
        stress_scenarios.clean_shocks([{"industry": "*"}, {"industry": "*"}])
    assert "shocks.1.industry" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        stress_scenarios.clean_shocks([])
    assert "shocks" in refused.value.errors


def test_an_industrys_own_shock_takes_the_place_of_every_industrys():
    industries = pd.Series(["real_estate", "services"])
    shocks = [
        {"industry": "*", "sales_pct": 0, "ebit_pct": 0, "rate_bp": 300, "collateral_pct": 0},
        {"industry": "real_estate", "sales_pct": -30, "ebit_pct": 0, "rate_bp": 200, "collateral_pct": 0},
    ]
    frame = stress_compute.shock_frame(industries, shocks)
    assert frame.rate_bp.tolist() == [200, 300] and frame.sales_pct.tolist() == [-30, 0]


def _customer(people, index: int, industry: str, officer, limit: int):
    customer = factories.book_customer(officer, index, industry=industry, loan_class="normal")
    for item in factories.statements():
        year = item["fiscal_year"]
        items = {k: v for k, v in item.items() if k != "fiscal_year"}
        db.session.add(FinancialStatement(customer_id=customer.id, fiscal_year=year, items=items))
    db.session.commit()
    factories.facility(customer, limit)
    return customer


@pytest.fixture
def book(deployed):
    people = factories.people()
    people.approver1.branch = "pudong"
    people.officer.branch = "pudong"
    db.session.commit()
    estate = _customer(people, 1, "real_estate", people.officer, 8_000_000)
    maker = _customer(people, 2, "manufacturing", people.officer, 5_000_000)
    elsewhere = _customer(people, 3, "real_estate", None, 3_000_000)  # no officer: in no branch
    return people, estate, maker, elsewhere


def _stressed(items: dict, sales_pct: float, rate_bp: float) -> dict:
    """The shock of stress_compute's docstring, written out for one statement."""
    out = dict(items)
    out["sales"] = items["sales"] * (1 + sales_pct / 100)
    out["ebit"] = items["ebit"] + items["sales"] * sales_pct / 100 * stress_compute.CONTRIBUTION_MARGIN
    debt = items["short_term_debt"] + items["long_term_debt"]
    out["interest_expense"] = max(0.0, items["interest_expense"] + debt * rate_bp / 10_000)
    change = (out["ebit"] - items["ebit"]) - (out["interest_expense"] - items["interest_expense"])
    out["net_income"] = items["net_income"] + change
    out["operating_cash_flow"] = items["operating_cash_flow"] + change
    assert change < 0 and -change <= items["current_assets"]  # this book's loss is paid from current assets
    for name in ("current_assets", "total_assets", "book_equity", "retained_earnings"):
        out[name] = items[name] + change
    out["cash"] = items["cash"] - min(-change, items["cash"])
    return out


def test_a_run_rates_each_customer_as_the_analysis_would_and_adds_up(book, jobs_here):
    people, estate, maker, elsewhere = book
    scenario = stress_scenarios.create(people.risk, SCENARIO)
    run = stress_runs.request(people.risk, scenario.id)
    db.session.refresh(run)
    assert run.status == "done" and run.summary["customers"] == 3
    outcomes = {o.customer_id: o for o in db.session.scalars(select(StressOutcome))}
    rating = load_dmn((RULES / "credit_rating.dmn").read_text(), "credit_rating.dmn").decisions[
        "credit_rating"
    ]
    latest = factories.statements()[-1]
    items = {k: v for k, v in latest.items() if k != "fiscal_year"}
    analysis = analyse_financials(factories.statements(), "z_prime")
    for customer in (estate, maker, elsewhere):  # before the shock: what rates a customer
        found = outcomes[customer.id]
        assert math.isclose(found.pd_before, analysis["pd"], rel_tol=1e-9)
        grade = rating.evaluate({"pd": analysis["pd"], "z_zone": analysis["z_zone"]}).output["grade"]
        assert found.grade_before == grade
    assert outcomes[maker.id].pd_after == outcomes[maker.id].pd_before  # not shocked
    stressed = read_statement(_stressed(items, -30, 200) | {"fiscal_year": 2025})
    pd_after = score(DEFAULT_MODEL, compute_ratios(stressed)).pd
    assert math.isclose(outcomes[estate.id].pd_after, pd_after, rel_tol=1e-9)
    assert pd_after > analysis["pd"]
    assert outcomes[estate.id].ead == 8_000_000  # no utilization observed: the whole limit
    assert math.isclose(outcomes[estate.id].el_after, pd_after * stress_compute.UNSECURED_LGD * 8_000_000)
    el_after = sum(o.el_after for o in outcomes.values())
    assert math.isclose(run.summary["el_after"], el_after)
    real_estate = next(i for i in run.industries if i["industry"] == "real_estate")
    assert real_estate["customers"] == 2 and real_estate["ead"] == 11_000_000
    npl = sum(o.ead for o in outcomes.values() if o.class_after in stress_compute.NPL) / 16_000_000 * 100
    assert math.isclose(run.summary["npl_after"], npl)


def test_a_branch_reads_its_own_customers_figures_and_officers_are_refused(book, jobs_here):
    people, estate, maker, elsewhere = book
    run = stress_runs.request(people.risk, stress_scenarios.create(people.risk, SCENARIO).id)
    reach = stress_scenarios.check_reader(people.approver1)
    assert reach == Reach("pudong")
    found = stress_results.figures_of(run, reach)
    outcomes = [db.session.get(StressOutcome, (run.id, c.id)) for c in (estate, maker)]
    assert found["customers"] == 2
    assert math.isclose(found["el_before"], sum(o.el_before for o in outcomes))
    with pytest.raises(NotAuthorized):
        stress_scenarios.check_reader(people.officer)
    with pytest.raises(NotAuthorized):
        stress_runs.request(people.compliance, run.scenario_id)


def test_the_drill_down_lists_the_customers_behind_a_figure(book, jobs_here):
    people, estate, maker, elsewhere = book
    run = stress_runs.request(people.risk, stress_scenarios.create(people.risk, SCENARIO).id)
    _run, figure = stress_results.customers_figure(
        people.risk, run.id, stress_results.Drill(industry="real_estate")
    )
    assert {r["customer"] for r in figure.rows} == {estate.name, elsewhere.name}
    outcomes = list(db.session.scalars(select(StressOutcome).where(StressOutcome.run_id == run.id)))
    for drill, wanted in (
        (
            stress_results.Drill(grade=outcomes[0].grade_before),
            {o for o in outcomes if o.grade_before == outcomes[0].grade_before},
        ),
        (stress_results.Drill(loan_class="normal"), {o for o in outcomes if o.class_before == "normal"}),
        (
            stress_results.Drill(warning="current_ratio_below_one"),
            {o for o in outcomes if "current_ratio_below_one" in (o.new_warnings or "")},
        ),
    ):
        _run, figure = stress_results.customers_figure(people.risk, run.id, drill)
        assert len(figure.rows) == len(wanted)


def test_a_customer_with_no_grade_or_class_is_counted_in_the_migrations_and_drills_down(book, jobs_here):
    """A customer the run could not rate (no grade before: no statements to rate) is a row of its own in the grade
    matrix, not left out, and its drill-down lists it, in words; the same for a class missing from the frame."""
    people, estate, _maker, _elsewhere = book
    run = stress_runs.request(people.risk, stress_scenarios.create(people.risk, SCENARIO).id)
    db.session.execute(
        StressOutcome.__table__.update()
        .where(StressOutcome.run_id == run.id, StressOutcome.customer_id == estate.id)
        .values(grade_before=None)
    )
    db.session.commit()
    reach = Reach(branch=None)
    frame = stress_results.outcome_frame(run, reach)
    frame.loc[estate.id, "class_before"] = None
    found = stress_compute.summary(frame)
    for key, missing in (("grades", "unrated"), ("classes", "unclassified")):
        assert sum(sum(row.values()) for row in found[key].values()) == 3
        assert sum(found[key][missing].values()) == 1
    run.summary = {k: v for k, v in found.items() if k != "industries"}
    _summary, figures = stress_results.page_figures(run, reach)
    classes = next(f for f in figures if f.key == "class_migration")
    assert classes.rows[-1]["before"] == "未分类"
    grades = next(f for f in figures if f.key == "grade_migration")
    assert grades.rows[-1]["before"] == "未评级" and grades.rows[-1]["drill"] == {"grade": "unrated"}
    assert "unrated" in [c.key for c in grades.columns]
    _run, listed = stress_results.customers_figure(
        people.risk, run.id, stress_results.Drill.parse({"grade": "unrated"})
    )
    assert [(r["customer"], r["grade_before"]) for r in listed.rows] == [(estate.name, "未评级")]
    db.session.rollback()


def test_the_grade_cap_read_once_per_pair_is_the_tables_answer_on_every_row():
    tables = stress_compute.Tables.load(RULES)
    classes = pd.Series(["normal", "special_mention", None, "substandard", "special_mention", "loss"] * 3)
    grades = pd.Series(["A", "AA", "B", "BB", "CCC", None] * 3)
    capped = stress_compute._capped(grades, classes, tables)
    expected = evaluate_rows(
        tables.cap, pd.DataFrame({"loan_class": classes, "grade": grades}).astype(object)
    )
    assert capped.tolist() == expected["grade"].tolist()
    assert capped.tolist()[:2] == ["A", "BB"]


def test_the_page_reads_each_scenarios_last_run_only(deployed):
    people = factories.people()
    shocks = [{"industry": "*", "sales_pct": -10, "ebit_pct": 0, "rate_bp": 0, "collateral_pct": 0}]
    one = stress_scenarios.create(people.risk, {"name": "one", "shocks": shocks})
    two = stress_scenarios.create(people.risk, {"name": "two", "shocks": shocks})
    runs = [stress_runs.request(people.risk, s.id) for s in (one, one, one, two, two)]
    db.session.expunge_all()
    loaded: list[int] = []
    record = lambda run, _context: loaded.append(run.id)  # noqa: E731
    event.listen(StressRun, "load", record)
    try:
        last = stress_runs.last_runs()
    finally:
        event.remove(StressRun, "load", record)
    assert {k: r.id for k, r in last.items()} == {one.id: runs[2].id, two.id: runs[4].id}
    assert sorted(loaded) == [runs[2].id, runs[4].id]  # not every run kept, with its figures, on each view


def test_a_run_whose_worker_was_lost_is_queued_again_once_and_not_twice_while_it_runs(book, no_worker):
    people = book[0]
    run = stress_runs.request(people.risk, stress_scenarios.create(people.risk, SCENARIO).id)
    run.started_at = utcnow() - timedelta(
        hours=2
    )  # asked for long ago, taken a minute ago: still its worker's
    run.status, run.attempted_at, run.attempts = "running", utcnow() - timedelta(minutes=1), 1
    db.session.commit()
    assert stress_runs.run(run.id).status == "running"  # a second delivery computes nothing
    assert stress_runs.get(people.risk, run.id).status == "running"
    run.attempted_at = utcnow() - stress_runs.LOST_AFTER - timedelta(seconds=1)
    db.session.commit()
    assert stress_runs.get(people.risk, run.id).status == "queued"  # its worker lost: queued again
    done = stress_runs.run(run.id)
    assert (done.status, done.attempts) == ("done", 2) and done.summary["customers"] > 0
