"""The monthly scoring model check in the browser (模型监测): risk management reads the checks on the models page and
one check's figures (with their XLSX), the portfolio dashboard shows the latest to those who read the models, the
notification leads to the check, and beat runs the job."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.jobs import scoring as scoring_jobs
from app.localtime import local_date
from app.models import Notification
from app.services.scoring import drift
from tests import factories
from tests.services.test_scoring_history import decided, observed

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


@pytest.fixture
def checked(people):
    """Last month checked: grade BB's defaults far above its 1% PD, grade A's none."""
    factories.deploy()
    summary = dict(factories.approved_case(people).summary)
    index = iter(range(1, 1000))
    for number in range(30):
        customer, at = decided(next(index), summary, 18, grade="BB", pd=0.01)
        if number < 6:
            observed(customer, local_date(at) + timedelta(days=100), days_past_due=95)
    for _ in range(25):
        decided(next(index), summary, 18, grade="A", pd=0.002)
    return drift.check()


def test_risk_reads_the_checks_and_one_checks_figures(app, login, checked):
    client = login("risk")
    page = client.get("/analytics/models", headers=ZH).get_data(as_text=True)
    assert 'id="monitoring"' in page and "月度监测" in page and "手工评分卡" in page
    assert f"/analytics/models/monitoring/{checked.id}" in page  # the month's row drills down to its check
    month = checked.month.strftime("%Y-%m")
    found = client.get(f"/analytics/models/monitoring/{checked.id}", headers=ZH)
    text = found.get_data(as_text=True)
    assert found.status_code == 200
    assert f"评分模型 {month} 月度监测" in text and "各等级实际违约率与其 PD 对比" in text
    assert "红灯" in text and "绿灯" in text and "无：评级使用本行手工评分卡" in text
    assert "风险管理部 2 人" in text
    english = client.get(f"/analytics/models/monitoring/{checked.id}", headers=EN).get_data(as_text=True)
    assert "Realised default rate per grade against its PD" in english
    assert "<td>BB</td>" in english and "<td>red</td>" in english and "<td>green</td>" in english

    sheet = client.get(f"/analytics/models/monitoring/{checked.id}?export=grades", headers=EN)
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Grade", "Cases followed", "Defaults", "Realised default rate")
    assert [r[:3] for r in rows[1:]] == [("A", 25, 0), ("BB", 30, 6)]
    trend = client.get("/analytics/models?export=drift", headers=EN)
    assert trend.status_code == 200
    assert list(load_workbook(io.BytesIO(trend.data)).active.iter_rows(values_only=True))[1][0] == month


def test_a_check_is_for_model_readers_only(app, login, checked):
    assert login("officer").get(f"/analytics/models/monitoring/{checked.id}").status_code == 403
    assert login("compliance").get(f"/analytics/models/monitoring/{checked.id}").status_code == 200
    assert login("risk").get("/analytics/models/monitoring/999999").status_code == 404


def test_the_dashboard_shows_the_latest_check_to_model_readers(app, login, checked):
    page = login("risk").get("/analytics/portfolio", headers=ZH).get_data(as_text=True)
    assert 'id="model-monitoring"' in page and "评分模型监测" in page
    assert "等级 BB 实际违约显著高于 PD" in page
    other = login("approver1").get("/analytics/portfolio", headers=ZH)
    assert other.status_code == 200 and 'id="model-monitoring"' not in other.get_data(as_text=True)


def test_the_notification_leads_to_the_check(app, login, people, checked):
    client = login("risk")
    note = db.session.query(Notification).filter_by(user_id=people.risk.id, kind="model_drift").one()
    listed = client.get("/notifications", headers=ZH).get_data(as_text=True)
    assert "模型监测告警" in listed and "等级 BB 的实际违约显著高于其 PD" in listed
    opened = client.post(f"/notifications/{note.id}/open")
    assert opened.headers["Location"].endswith(f"/analytics/models/monitoring/{checked.id}")


def test_beat_runs_the_check_and_a_second_run_does_nothing(app, people, jobs_here):
    schedule = app.extensions["celery"].conf.beat_schedule["check-model-drift"]
    assert schedule["task"] == scoring_jobs.check_drift.name
    first = scoring_jobs.check_drift.delay().get()
    assert first == drift.latest().id
    assert scoring_jobs.check_drift.delay().get() is None
