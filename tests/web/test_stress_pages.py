"""The stress test pages: a risk manager keeps a scenario and runs it, the figures render in both languages with
their tables and XLSX exports, a figure drills down to its customers; refusals are 403 and bad input 422 naming
the field."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import StressRun, StressScenario
from tests.services.test_stress import _customer


@pytest.fixture
def ran(as_user, people, jobs_here):
    _customer(people, 1, "real_estate", people.officer, 8_000_000)
    _customer(people, 2, "manufacturing", people.officer, 5_000_000)
    risk = as_user("risk")
    form = {
        "name": "房地产下行",
        "description": "",
        "industry_0": "real_estate",
        "sales_pct_0": "-30",
        "rate_bp_0": "200",
    }
    assert risk.post("/analytics/stress/scenarios/new", data=form).status_code == 302
    scenario = db.session.query(StressScenario).one()
    assert risk.post(f"/analytics/stress/scenarios/{scenario.id}/run").status_code == 302
    run = db.session.query(StressRun).one()
    assert run.status == "done"
    return risk, run


def _sheet(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return [list(r) for r in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]


def test_the_run_shows_its_figures_exports_them_and_drills_down(ran):
    risk, run = ran
    page = risk.get("/analytics/stress").get_data(as_text=True)
    for words in (
        "Stress tests",
        "房地产下行",
        "Expected loss by industry",
        "NPL ratio",
        "Grade migration",
        "Five-category migration",
        "Real estate",
        "data-figure",
    ):
        assert words in page, words
    rows = _sheet(risk.get(f"/analytics/stress?run={run.id}&export=expected_loss"))
    assert rows[0][0] == "Industry" and len(rows) == 1 + 2 + 1  # titles, two industries, the total
    assert rows[-1][1] == 2 and rows[-1][2] == 13_000_000
    drill = risk.get(f"/analytics/stress/runs/{run.id}/customers?industry=real_estate")
    assert drill.status_code == 200 and "客户0001有限公司" in drill.get_data(as_text=True)
    listed = _sheet(
        risk.get(f"/analytics/stress/runs/{run.id}/customers?industry=real_estate&export=customers")
    )
    assert [r[0] for r in listed[1:]] == ["客户0001有限公司"]


def test_the_page_reads_in_chinese(ran, as_user):
    page = as_user("compliance", "zh").get("/analytics/stress").get_data(as_text=True)
    for words in ("压力测试", "房地产下行", "房地产业", "正常"):
        assert words in page, words


def test_who_may_not_is_refused_and_bad_input_is_named(ran, as_user):
    risk, run = ran
    assert as_user("officer").get("/analytics/stress").status_code == 403
    approver = as_user("approver1")
    assert approver.get("/analytics/stress").status_code == 200
    assert approver.get("/analytics/stress/scenarios/new").status_code == 403
    assert approver.post(f"/analytics/stress/scenarios/{run.scenario_id}/run").status_code == 403
    bad = risk.get("/analytics/stress?run=abc")
    assert bad.status_code == 422 and "run" in bad.get_data(as_text=True)
    bad = risk.get(f"/analytics/stress/runs/{run.id}/customers?industry=mining")
    assert bad.status_code == 422 and "industry" in bad.get_data(as_text=True)
    refused = risk.post(
        "/analytics/stress/scenarios/new",
        data={"name": "x", "industry_0": "*", "rate_bp_0": "Infinity", "sales_pct_0": "NaN"},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "shocks.0.rate_bp" in text and "shocks.0.sales_pct" in text


def test_a_scenario_is_edited_and_its_past_run_keeps_the_shocks_it_ran_with(ran):
    risk, run = ran
    form = risk.get(f"/analytics/stress/scenarios/{run.scenario_id}/edit").get_data(as_text=True)
    assert 'value="-30"' in form and 'value="200"' in form
    changed = {
        "name": "房地产深度下行",
        "industry_0": "real_estate",
        "sales_pct_0": "-50",
        "industry_1": "*",
        "rate_bp_1": "100",
    }
    assert risk.post(f"/analytics/stress/scenarios/{run.scenario_id}/edit", data=changed).status_code == 302
    scenario = db.session.get(StressScenario, run.scenario_id)
    assert scenario.name == "房地产深度下行" and [s["industry"] for s in scenario.shocks] == [
        "real_estate",
        "*",
    ]
    assert db.session.get(StressRun, run.id).shocks[0]["sales_pct"] == -30
