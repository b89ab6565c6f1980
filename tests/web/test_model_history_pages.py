"""A scoring model trained on the system's own history, as risk management does it: the demo's past applications
(generated with a known relationship to default) give a model that finds it, through the training page's job,
the command line and the API; the version says what the builder read, used and left out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Facility, ProcessInstance, ScoringModel, ScoringTrainingRun
from app.services.admin import demo_scoring_history, users
from tests import factories

# The history is drawn back from now: which applications have matured, which defaults are recorded by today and the
# statements' years move with the day, and with them the bins a scorecard finds. The tests train on the history of
# one fixed morning.
TRAINED_AT = datetime(2026, 12, 7, 21, 0, tzinfo=UTC)


@pytest.fixture
def past(people, time_machine):
    time_machine.move_to(TRAINED_AT, tick=True)
    factories.deploy()
    lines = list(demo_scoring_history.load())
    assert lines and "past credit applications" in lines[0]
    assert list(demo_scoring_history.load()) == []  # loaded again: nothing added


def test_a_model_trained_in_the_browser_on_the_demo_history_finds_its_relationship(
    people, login, past, jobs_here
):
    client = login("risk")
    response = client.post("/analytics/models/train", data={"source": "history", "algorithm": "scorecard"})
    assert response.status_code == 302
    run = db.session.scalar(select(ScoringTrainingRun))
    assert (run.source, run.status) == ("history", "done"), run.problems
    shown_run = client.get(response.headers["Location"], headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert (
        "模型训练 · 系统历史数据" in shown_run and "违约按规则表 default_definition 的定义认定" in shown_run
    )
    version = db.session.get(ScoringModel, run.model_id)
    assert (version.source, version.name, version.target) == ("history", "history", "default_definition")
    assert version.figures["auc"] > 0.72  # health, industry, record and conduct decide default in the demo
    counts = version.params["history"]
    declined = db.session.scalar(select(func.count()).where(Facility.status == "rejected"))
    assert counts["excluded"]["declined"] == declined > 0 and counts["excluded"]["not_mature"] > 0
    applications = db.session.scalar(
        select(func.count())
        .select_from(Facility)
        .join(ProcessInstance, ProcessInstance.id == Facility.instance_id)
    )
    assert counts["cases"] == applications and version.n_train + version.n_validation == counts["used"]
    assert {"debt_to_asset", "credit_record", "max_days_past_due_12m"} <= set(version.features)
    page = client.get(f"/analytics/models/{version.id}", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert (
        f"读取已决策授信申请 {counts['cases']} 笔：采用 {counts['used']} 笔" in page
        and "系统历史数据" in page
    )
    # the case features by their titles, the app's codes in the reader's words, an open interval up to infinity
    assert (
        "分箱与分值：行业" in page and "分箱与分值：近 12 个月最长逾期天数" in page and "/ 房地产业" in page
    )
    assert "资产负债率 (<code>debt_to_asset</code>)" in page and "real_estate" not in page and ", ∞)" in page
    form = client.get("/analytics/models", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "基于本行历史数据训练" in form and 'name="source" value="history"' in form


def test_the_command_line_and_the_api_train_on_the_history(app, people, past, jobs_here):
    result = app.test_cli_runner().invoke(args=["models", "train", "--from-history", "--algorithm", "gbm"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output.strip().splitlines()[-1])
    assert (printed["source"], printed["algorithm"]) == ("history", "gbm") and printed["auc"] > 0.7
    assert printed["history"]["used"] == printed["n_train"] + printed["n_validation"]
    both = app.test_cli_runner().invoke(args=["models", "train", "--from-history", "--data", __file__])
    assert both.exit_code == 2 and "either --data" in both.output

    answer = app.test_client().post(
        "/api/v1/models/trainings",
        data={"source": "history", "name": "企业历史评分卡"},
        headers={"Authorization": f"Bearer {users.issue_token('risk')}"},
    )
    assert answer.status_code == 202 and answer.get_json()["source"] == "history"
    polled = (
        app.test_client()
        .get(answer.get_json()["progress"], headers={"Authorization": f"Bearer {users.issue_token('risk')}"})
        .get_json()
    )
    assert polled["status"] == "done", polled
    kept = db.session.get(ScoringModel, polled["model_id"])
    assert (kept.name, kept.source, kept.algorithm) == ("企业历史评分卡", "history", "scorecard")
