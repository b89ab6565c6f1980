"""The monthly check of the scoring models in use (模型监测): each grade's realised default rate over the decisions
whose window closed, the champion's PSI on the month's applications, each judged by rules/model_drift.dmn, model
risk told once when a measure says so, and a month checked once per champion."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from scipy.stats import binom
from sqlalchemy import func, select, update

from app.extensions import db
from app.localtime import local_date, local_today, to_utc
from app.models import Notification, ProcessInstance, ScoringDriftCheck
from app.scoring import metrics
from app.services.admin import demo_scoring_history
from app.services.customers.facilities.facility_terms import add_months
from app.services.notifications import messages
from app.services.scoring import drift, versions
from app.services.shared.rows import write
from tests import factories
from tests.services.test_scoring_history import decided, observed


def last_month() -> date:
    """The month before the one the test runs in (not the one it was collected in)."""
    return drift.previous_month(local_today())


@pytest.fixture
def summary(people):
    factories.deploy()
    return dict(factories.approved_case(people).summary)


def told() -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == "model_drift")))


def test_each_grades_realised_default_rate_is_judged_against_its_pd(app, people, summary):
    index = iter(range(1, 1000))
    for number in range(30):  # BB at 1%, 6 defaults in 30: far more than a 1% PD explains
        customer, at = decided(next(index), summary, 18, grade="BB", pd=0.01)
        if number < 6:
            observed(customer, local_date(at) + timedelta(days=100), days_past_due=95)
    for _ in range(25):  # A at 0.2%, none
        decided(next(index), summary, 18, grade="A", pd=0.002)
    decided(next(index), summary, 6, grade="BB", pd=0.01)  # its window is still open: not in the back-test
    decided(next(index), summary, 30, grade="BB", pd=0.01)  # before the year read
    decided(next(index), summary, 18, grade="BB", pd=0.01, status="rejected")  # declined: nothing lent

    found = drift.check()

    assert (found.month, found.subject, found.model_id) == (last_month(), drift.HAND_SET, None)
    by_grade = {g["grade"]: g for g in found.grades}
    assert list(by_grade) == ["A", "BB"]
    bb = by_grade["BB"]
    assert (bb["cases"], bb["defaults"], bb["realised"]) == (30, 6, 0.2)
    assert bb["p_value"] == pytest.approx(binom.sf(5, 30, 0.01))
    assert (bb["level"], bb["tell"]) == ("red", True)
    assert (by_grade["A"]["cases"], by_grade["A"]["level"]) == (25, "green")
    assert found.cohort["used"] == 55 and found.cohort["excluded"]["declined"] == 1
    assert found.cohort["decided_before"] == add_months(local_today().replace(day=1), -12).isoformat()
    assert (found.psi, found.psi_level, found.level) == (None, "too_few", "red")
    # every active person in risk management is told, once; nobody else
    risk = {people.risk.id, people.cro.id}
    assert {n.user_id for n in told()} == risk and found.notified == len(told()) == 2
    note = told()[0]
    assert messages.place(note) == f"/analytics/models/monitoring/{found.id}"
    assert "BB" in messages.message(note, "zh_CN") and "评分模型" in messages.message(note, "zh_CN")
    assert "grade(s) BB" in messages.message(note, "en")

    # a month is checked once for the champion in force: the beat's next run does nothing
    assert drift.check() is None
    assert db.session.scalar(select(func.count()).select_from(ScoringDriftCheck)) == 1 and len(told()) == 2


def test_a_grade_whose_defaults_agree_with_its_pd_tells_no_one(app, people, summary):
    index = iter(range(1, 1000))
    for number in range(40):
        customer, at = decided(next(index), summary, 18, grade="B", pd=0.03)
        if number < 1:
            observed(customer, local_date(at) + timedelta(days=100), days_past_due=95)
    found = drift.check()
    assert [(g["grade"], g["level"]) for g in found.grades] == [("B", "green")]
    assert (found.level, found.notified, told()) == ("green", 0, [])


def _quarter_cases(declined: bool | None = None) -> list[int]:
    """The credit applications decided (and so rated) in the quarter to the end of last month (the declined ones,
    or the others, when asked)."""
    start = to_utc(datetime.combine(add_months(last_month(), -2), time()))
    end = to_utc(datetime.combine(add_months(last_month(), 1), time()))
    query = select(ProcessInstance.id).where(
        ProcessInstance.process_id == "credit_application",
        ProcessInstance.completed_at >= start,
        ProcessInstance.completed_at < end,
    )
    if declined is not None:
        query = query.where((ProcessInstance.outcome == "rejected") == declined)
    return list(db.session.scalars(query))


@pytest.fixture
def champion(people):
    factories.deploy()
    list(demo_scoring_history.load())
    version = versions.train_from_history(name="企业历史评分卡")
    write(version, status="champion")
    db.session.commit()
    return version


def test_the_champions_pd_on_the_months_applications_against_its_training(app, people, champion):
    found = drift.check()
    assert (found.subject, found.model_id, found.model_label) == (
        f"model:{champion.id}",
        champion.id,
        "企业历史评分卡 v1",
    )
    # the demo's past applications decided in the quarter to last month's end (each rated as it was decided), scored
    # by the champion
    # declined ones left out, as the training leaves them out
    assert found.applications == len(_quarter_cases(declined=False)) >= 100
    assert found.psi_shares["left_out"] == {"declined": len(_quarter_cases(declined=True)), "in_default": 0}
    assert found.psi_shares["rated_from"] == add_months(last_month(), -2).isoformat()
    assert found.psi_shares["state"] == "scored"
    shares = found.psi_shares
    assert shares["cuts"] == champion.figures["psi"]["cuts"] and sum(shares["month"]) == pytest.approx(
        1, abs=1e-5
    )
    assert found.psi == pytest.approx(metrics.psi(shares["train"], shares["month"]), abs=1e-5)
    assert found.psi < 0.25 and found.psi_level in ("green", "amber")  # the same population as the training's
    # the back-test reads the year of decisions whose window has closed, as they were rated
    assert sum(g["cases"] for g in found.grades) == found.cohort["used"] > 500 and found.cohort["no_pd"] == 0
    assert found.cohort["rated_by"] == {"hand_set": found.cohort["used"]}


def test_a_shifted_population_is_red_and_tells_model_risk(app, people, champion):
    for case_id in _quarter_cases(
        declined=False
    ):  # the quarter's applicants, all far weaker than the training's
        case = db.session.get(ProcessInstance, case_id)
        analysis = {**case.summary["analysis"]}
        analysis["ratios"] = {name: None for name in analysis["ratios"]}
        facts = {
            **case.summary,
            "analysis": analysis,
            "credit_record": "serious_delinquency",
            "z_score": -3.0,
        }
        db.session.execute(update(ProcessInstance).where(ProcessInstance.id == case_id).values(summary=facts))
    db.session.commit()
    found = drift.check()
    assert found.psi > 0.25 and (found.psi_level, found.level) == ("red", "red")
    note = next(n for n in told() if n.user_id == people.risk.id)
    assert note.params["psi"] == round(found.psi, 4)
    assert "PSI" in messages.message(note, "en") and "企业历史评分卡 v1" in messages.message(note, "zh_CN")


def test_a_champion_approved_since_is_checked_again_for_the_month(app, people, champion):
    first = drift.check()
    short = [g["grade"] for g in first.grades if g["tell"]]
    assert short and first.notified == 2  # the demo's hand-set PDs fall short in the weaker grades
    write(champion, status="retired")
    db.session.commit()
    second = drift.check()
    assert (first.subject, second.subject) == (f"model:{champion.id}", drift.HAND_SET)
    assert second.psi is None and second.applications == 0
    # the same grades' back-test is not told of twice in a month
    assert [g["grade"] for g in second.grades if g["tell"]] == short
    assert second.notified == 0 and len(told()) == 2
    # the month's latest check stands for it in the list
    assert drift.latest().id == second.id and [c.id for c in drift.recent()] == [second.id]


def test_a_month_named_is_checked_as_of_its_end(app, people, summary):
    customer, at = decided(1, summary, 18, grade="BB", pd=0.01)
    observed(customer, local_date(at) + timedelta(days=100), days_past_due=95)
    month = add_months(last_month(), -7)
    found = drift.check(month, notify=False)
    assert found.month == month and found.grades == []  # decided 18 months ago: not in the year read then
    assert date.fromisoformat(found.cohort["decided_before"]) == add_months(month, -11)
    assert found.cohort["used"] == 0 and found.telling == "nothing"


def test_a_month_not_due_is_refused(app, people, summary, monkeypatch):
    """Checked before its grace is over, a month would miss for good what is recorded late for it."""
    monkeypatch.setitem(app.config, "MODEL_DRIFT_GRACE_DAYS", 40)
    assert drift.due_month() < last_month()
    with pytest.raises(drift.NotDue, match="is due on"):
        drift.check(last_month())
    with pytest.raises(drift.NotDue):
        drift.check(local_today())
    assert db.session.scalar(select(func.count()).select_from(ScoringDriftCheck)) == 0


def test_the_rule_table_not_the_code_says_who_is_told(app, people, summary, rules_copy):
    table = rules_copy / "model_drift.dmn"
    text = table.read_text(encoding="utf-8")
    told_red = '<outputEntry id="Rule_model_drift_06_out2"><text>true</text></outputEntry>'
    assert told_red in text
    table.write_text(text.replace(told_red, told_red.replace("true", "false")), encoding="utf-8")
    index = iter(range(1, 1000))
    for number in range(30):
        customer, at = decided(next(index), summary, 18, grade="BB", pd=0.01)
        if number < 6:
            observed(customer, local_date(at) + timedelta(days=100), days_past_due=95)
    found = drift.check()
    assert (found.grades[0]["level"], found.level) == ("red", "red")
    assert (found.notified, told()) == (0, [])


def test_the_demo_checks_the_last_half_year_and_tells_of_the_latest_only(app, people):
    factories.deploy()
    list(demo_scoring_history.load())
    assert list(demo_scoring_history.checks()) == ["scoring model checks: 6 month(s) checked (模型监测)"]
    checks = drift.recent()
    assert [c.month for c in checks] == [add_months(last_month(), -back) for back in range(6)]
    assert [c.telling for c in checks] == ["told"] + ["quiet"] * 5
    assert {n.params["month"] for n in told()} == {f"{last_month():%Y-%m}"}
    assert list(demo_scoring_history.checks()) == []  # loaded again: nothing more


def test_a_second_worker_that_loses_the_race_makes_nothing(app, people, summary, monkeypatch):
    assert drift.check() is not None
    monkeypatch.setattr(
        drift, "_checked", lambda month, subject: False
    )  # it looked before the first one wrote
    assert drift.check() is None
    assert db.session.scalar(select(func.count()).select_from(ScoringDriftCheck)) == 1


def test_a_champion_that_cannot_score_is_told_of_and_the_back_test_kept(app, people, champion):
    write(champion, signature="0" * 64)  # its stored bytes refused by their signature (a key rotated, say)
    db.session.commit()
    found = drift.check()
    assert (found.psi, found.psi_shares["state"], found.psi_level, found.level) == (
        None,
        "failed",
        "red",
        "red",
    )
    assert found.cohort["used"] > 500 and found.grades
    note = next(n for n in told() if n.user_id == people.risk.id)
    assert "could not score" in messages.message(note, "en") and "无法" in messages.message(note, "zh_CN")


def test_a_champion_of_a_files_columns_has_no_psi_and_says_why(app, people):
    from app.scoring import synthetic

    factories.deploy()
    book = synthetic.book(600, seed=4).to_csv(index=False).encode()
    version = versions.train_from_file("book.csv", book, "defaulted", "1")
    write(version, status="champion")
    db.session.commit()
    found = drift.check()
    assert (found.model_id, found.psi, found.psi_shares["state"]) == (version.id, None, "other_columns")
    assert found.psi_level == "too_few" and told() == []


def test_each_case_is_back_tested_in_the_grade_its_pd_falls_in(app, people, summary):
    """An override or a cap moves the grade, not the PD: the PD's own band is what is tested."""
    index = iter(range(1, 1000))
    for number in range(20):  # overridden to CCC, PD 0.3% (BBB's band): 2 defaults are not CCC's failure
        customer, at = decided(next(index), summary, 18, grade="CCC", pd=0.003)
        if number < 2:
            observed(customer, local_date(at) + timedelta(days=100), days_past_due=95)
    found = drift.check()
    assert [(g["grade"], g["cases"], g["defaults"]) for g in found.grades] == [("BBB", 20, 2)]


def test_odd_case_data_is_left_out_not_a_failed_check(app, people, summary):
    index = iter(range(1, 1000))
    decided(next(index), summary, 18, pd=10**400)  # a whole number past float range
    decided(next(index), summary, 18, pd=True)
    decided(next(index), summary, 18, pd=-0.5)
    decided(next(index), summary, 18, pd="0.01")
    decided(next(index), summary, 18, pd=0.01, pd_model={"rated_at": "0001-01-01T00:00:00+08:00"})
    decided(next(index), summary, 18, pd=0.01, grade=["BB"], pd_model="x")
    found = drift.check()
    assert found.cohort["used"] == 6 and found.cohort["no_pd"] == 4
    assert [(g["grade"], g["cases"]) for g in found.grades] == [("BB", 2)]


def test_a_past_month_reads_the_history_as_it_stood_when_its_check_was_due(app, people, summary, monkeypatch):
    monkeypatch.setitem(app.config, "MODEL_DRIFT_GRACE_DAYS", 10)
    month = add_months(last_month(), -3)
    due = to_utc(datetime.combine(add_months(month, 1), time())) + timedelta(days=10)
    on_time, at = decided(1, summary, 18 + 3, grade="BB", pd=0.01)
    observed(on_time, local_date(at) + timedelta(days=100), due - timedelta(hours=1), days_past_due=95)
    late, at = decided(2, summary, 18 + 3, grade="BB", pd=0.01)
    observed(late, local_date(at) + timedelta(days=100), due + timedelta(hours=1), days_past_due=95)
    found = drift.check(month)
    assert [(g["grade"], g["cases"], g["defaults"]) for g in found.grades] == [("BB", 2, 1)]
    # beat checks a month once its grace is over
    assert drift.due_month(date(2026, 12, 10)) == date(2026, 10, 1)
    assert drift.due_month(date(2026, 12, 11)) == date(2026, 11, 1)


def test_the_psi_leaves_out_who_the_training_leaves_out_as_known_when_due(app, people, champion, monkeypatch):
    monkeypatch.setitem(app.config, "MODEL_DRIFT_GRACE_DAYS", 5)
    month = add_months(last_month(), -1)
    start = to_utc(datetime.combine(add_months(month, -2), time()))
    end = to_utc(datetime.combine(add_months(month, 1), time()))
    due = end + timedelta(days=5)
    cases = list(
        db.session.scalars(
            select(ProcessInstance)
            .where(
                ProcessInstance.process_id == "credit_application",
                ProcessInstance.outcome == "approved",
                ProcessInstance.completed_at >= start,
                ProcessInstance.completed_at < end,
            )
            .order_by(ProcessInstance.id)
        )
    )
    in_default, declined_late = cases[0], cases[1]
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == in_default.id)
        .values(summary={**in_default.summary, "loan_class": "substandard"})
    )
    db.session.execute(  # declined after the check was due: it was still running then
        update(ProcessInstance)
        .where(ProcessInstance.id == declined_late.id)
        .values(
            outcome="rejected",
            completed_at=due + timedelta(days=1),
            summary={
                **declined_late.summary,
                "pd_model": {"rated_at": declined_late.completed_at.isoformat() + "Z"},
            },
        )
    )
    db.session.commit()
    found = drift.check(month)
    assert found.psi_shares["left_out"]["in_default"] == 1
    assert found.applications == len(cases) - 1  # the one declined after the check was due is still in
    declined = db.session.scalar(
        select(func.count()).where(
            ProcessInstance.process_id == "credit_application",
            ProcessInstance.outcome == "rejected",
            ProcessInstance.completed_at >= start,
            ProcessInstance.completed_at < end,
        )
    )
    assert found.psi_shares["left_out"]["declined"] == declined
