"""The champion scoring model in the credit application's rating: its PD feeds rules/credit_rating.dmn, the case
page and the memo name the version and its reasons, challengers are scored beside it in shadow for risk
management only, and a champion approved later leaves a rated case as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import current_app

from app.engine.dmn import decision_in_force
from app.extensions import db
from app.models import ScoringModel
from app.services.admin import demo_scoring_history
from app.services.cases import tasks
from app.services.scoring import rating, versions
from app.services.shared.rows import write
from tests import factories

ZH = {"Accept-Language": "zh-CN"}


def in_use(version: ScoringModel, status: str) -> None:
    """``version`` made champion or challenger as governance would (four-eyes is tested with governance)."""
    write(version, status=status)
    db.session.commit()


def rated_grade(pd: float, zone: str) -> str:
    table = decision_in_force(Path(current_app.config["RULES_DIR"]) / "credit_rating.dmn", "credit_rating")
    return table.evaluate({"pd": pd, "z_zone": zone}).single_output["grade"]


def decided(people, index: int = 1):
    """A credit application rated, approved on whatever route its grade takes, and signed off by compliance."""
    case = factories.case_at("approval", people.officer, index=index)
    levels = {1: people.approver1, 2: people.approver2, 3: people.approver3}
    while case.status == "running" and (
        ready := factories.ready_tasks(case.id, ("approval_signoff", "committee_vote"))
    ):
        for task in ready:
            who = task.assignee if task.task_spec == "committee_vote" else levels[task.required_level]
            tasks.complete(who, task.id, {"decision": "approve", "comment": "同意"})
        db.session.refresh(case)
    factories.compliance_sign_off(case, people.compliance)
    db.session.refresh(case)
    assert (case.status, case.outcome) == ("completed", "approved"), case.summary
    return case


@pytest.fixture
def models(people):
    factories.deploy()
    list(demo_scoring_history.load())
    champion = versions.train_from_history(name="企业历史评分卡")
    challenger = versions.train_from_history(algorithm="gbm", name="历史梯度提升树")
    in_use(champion, "champion")
    in_use(challenger, "challenger")
    return champion, challenger


def test_without_a_champion_the_hand_set_scorecard_rates(people, login):
    factories.deploy()
    case = factories.approved_case(people)
    found = case.summary["pd_model"]
    assert (found["source"], found["model_id"], found["shadow"]) == ("scorecard", None, [])
    assert case.summary["pd"] == case.summary["analysis"]["pd"]
    assert case.summary["score_points"] == case.summary["analysis"]["points"]
    page = login("officer").get(f"/cases/{case.id}", headers=ZH).get_data(as_text=True)
    assert "手工评分卡" in page


def test_the_champion_rates_a_new_case_and_challengers_are_scored_in_shadow(people, login, models):
    champion, challenger = models
    case = decided(people)
    data = case.summary
    found = data["pd_model"]
    assert (found["source"], found["model_id"], found["model"]) == (
        "champion",
        champion.id,
        "企业历史评分卡 v1",
    )
    assert data["pd"] == found["pd"] != data["analysis"]["pd"]
    assert data["grade"] == rated_grade(found["pd"], data["z_zone"])  # the master scale is still the table
    assert data["score_points"] == found["points"] != data["analysis"]["points"]  # the champion's own points
    assert found["reasons"] and all(r["points_lost"] > 0 for r in found["reasons"])
    observed = {
        "max_days_past_due_12m",
        "enforcement_records",
        "tax_arrears",
        "negative_news_12m",
    }  # a new customer
    assert all(bool(r.get("missing")) == (r["column"] in observed) for r in found["reasons"])
    assert [s["model_id"] for s in found["shadow"]] == [challenger.id] and 0 < found["shadow"][0]["pd"] < 1

    risk = login("risk").get(f"/cases/{case.id}", headers=ZH).get_data(as_text=True)
    assert "评分模型 企业历史评分卡 v1（冠军模型）" in risk and "历史梯度提升树 v1" in risk
    officer = login("officer").get(f"/cases/{case.id}", headers=ZH).get_data(as_text=True)
    assert (
        "评分模型 企业历史评分卡 v1（冠军模型）" in officer and "历史梯度提升树" not in officer
    )  # shadow: risk only
    memo = login("officer").get(f"/cases/{case.id}/memo", headers=ZH).get_data(as_text=True)
    assert "企业历史评分卡 v1" in memo and "主要影响因素" in memo

    successor = versions.train_from_history(name="企业历史评分卡")
    in_use(champion, "retired")
    in_use(successor, "champion")
    db.session.refresh(case)
    assert case.summary["pd_model"]["model_id"] == champion.id and case.summary["pd"] == found["pd"]
    memo = login("officer").get(f"/cases/{case.id}/memo", headers=ZH).get_data(as_text=True)
    assert "企业历史评分卡 v1" in memo and "企业历史评分卡 v2" not in memo
    again = factories.case_at("approval", people.officer, index=2)
    assert again.summary["pd_model"]["model"] == "企业历史评分卡 v2"


def test_a_champion_trained_on_other_columns_leaves_the_hand_set_scorecard(people, models):
    champion, _challenger = models
    in_use(champion, "retired")
    other = versions.train_from_file(
        "book.csv",
        b"x,defaulted\n" + b"".join(f"{i},{int(i % 7 == 0)}\n".encode() for i in range(200)),
        "defaulted",
        "1",
    )
    in_use(other, "champion")
    case = factories.case_at("approval", people.officer)
    assert case.summary["pd_model"]["source"] == "scorecard"


def test_a_model_that_cannot_score_never_stops_an_application(people, login, models):
    champion, challenger = models
    write(challenger, signature="0" * 64)  # its bytes refused by their signature (a key rotated, say)
    db.session.commit()
    case = factories.case_at("review", people.officer)
    found = case.summary["pd_model"]
    assert (found["source"], found["shadow"]) == ("champion", [])  # the challenger left out, the case goes on
    write(champion, signature="0" * 64)
    db.session.commit()
    case = factories.case_at("review", people.officer, index=2)
    found = case.summary["pd_model"]
    assert (found["source"], found["champion_failed"]) == ("scorecard", "企业历史评分卡 v1")
    assert case.summary["pd"] == case.summary["analysis"]["pd"]
    page = login("officer").get(f"/cases/{case.id}", headers=ZH).get_data(as_text=True)
    assert "冠军模型 企业历史评分卡 v1 未能对本案评分" in page


def test_a_champion_reading_case_columns_as_another_kind_does_not_rate(people, models):
    champion, _challenger = models
    in_use(champion, "retired")
    rows = b"".join(f"{i % 9},{i % 5},{int(i % 7 == 0)}\n".encode() for i in range(300))
    numeric = versions.train_from_file(
        "book.csv", b"industry,debt_to_asset,defaulted\n" + rows, "defaulted", "1"
    )
    assert numeric.features.get("industry") == "numeric"  # a file's industry codes, read as numbers
    in_use(numeric, "champion")
    case = factories.case_at("review", people.officer)
    assert (
        case.summary["pd_model"]["source"] == "scorecard"
        and "champion_failed" not in case.summary["pd_model"]
    )


@pytest.mark.parametrize(
    "analysis, facts",
    [
        (None, None),
        ({"pd": 0.01, "ratios": {"debt_to_asset": None}}, ["not", "a", "mapping"]),
        (
            {"pd": 0.01, "ratios": {"debt_to_asset": 0.5}},
            {"requested_amount": "1e400", "industry": "\x00" * 1000},
        ),
    ],
)
def test_odd_data_from_a_diagram_is_rated_not_raised(people, models, analysis, facts):
    found = rating.model_rating("91310000MA0000001X", analysis, facts)
    expected = "champion" if analysis and analysis["ratios"]["debt_to_asset"] is not None else "scorecard"
    assert found["source"] == expected and found["rated_at"].endswith("Z")
