"""A customer's grade and five-category class never contradict each other: wherever a class or a grade is
recorded (an escalation's classification, a periodic review, an approved application) the class caps the
grade through rules/classification_grade_cap.dmn, and the change is kept with before and after."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.engine.dmn import load_dmn
from app.errors import InvalidInput
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, Customer, DecisionLog, HumanTask, ProcessInstance, RatingChange
from app.services.cases import cases, tasks
from app.services.design.testing import decision_tests
from app.services.monitoring import classification, portfolio, review_schedule, reviews
from tests.factories import intake, open_task, review, statements
from tests.web.test_pages import text_of
from tests.workflows.test_warning_escalation import approved_customer, observe, ready

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_the_cap_table_passes_its_own_cases():
    results = decision_tests.run(
        "classification_grade_cap.dmn",
        (RULES / "classification_grade_cap.dmn").read_text(encoding="utf-8"),
        (RULES / "classification_grade_cap.tests.json").read_text(encoding="utf-8"),
    )
    assert len(results) == 8 and all(r.ok for r in results), [r.message for r in results if not r.ok]


def substandard_after_a_control(people) -> Customer:
    """95 days past due → one escalation → freeze approved → classified 次级 (substandard)."""
    customer = approved_customer(people)
    assert customer.grade == "A"
    observe(people, customer, days_past_due="95")
    [case_id] = portfolio.scan(people.risk).started
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "逾期属实，客户停产。"},
    )
    tasks.complete(
        people.risk,
        ready(case_id, "risk_review").id,
        {"action": "freeze", "expected_loss_pct": 20, "review_comment": "冻结额度。"},
    )
    tasks.complete(people.approver2, ready(case_id, "approve_control").id, {"control_decision": "approve"})
    db.session.expire_all()
    return db.session.get(Customer, customer.id)


def test_a_customer_classified_substandard_after_a_control_no_longer_keeps_its_grade(
    deployed, people, client, login
):
    customer = substandard_after_a_control(people)
    assert (customer.loan_class, customer.grade) == ("substandard", "CCC")  # was A: capped, not contradicted
    [change] = db.session.scalars(
        select(RatingChange).where(
            RatingChange.customer_id == customer.id, RatingChange.reason == "escalation"
        )
    )
    assert (
        change.reason,
        change.grade_before,
        change.grade_after,
        change.class_before,
        change.class_after,
        change.capped_from,
    ) == ("escalation", "A", "CCC", None, "substandard", "A")
    assert change.rule_id == "Rule_classification_grade_cap_02" and change.instance_id is not None
    capped = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "customer.grade_capped"))
    assert (capped.payload["before"], capped.payload["after"], capped.payload["loan_class"]) == (
        "A",
        "CCC",
        "substandard",
    )
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = text_of(login("risk").get(f"/customers/{customer.id}"))
    history = page[page.index('id="rating-history"') :]
    assert "CCC" in history and "Substandard" in history and "capped" in history


def test_a_periodic_review_cannot_rate_a_substandard_customer_above_its_class(deployed, people):
    customer = substandard_after_a_control(people)
    customer.next_review_on = date.today()
    db.session.commit()
    [started] = reviews.start_due()
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,  # strong statements: the model says A or better
        {"statements": statements(health=1.3), "review_notes": "报表好转，但逾期未清。"},
    )
    for spec, who, data in (
        ("propose_change", people.risk, {"new_limit": 0, "change_comment": "次级：压降额度。"}),
        ("approve_review", people.approver3, {"review_decision": "approve"}),
    ):
        task = ready(started, spec)
        if task is not None:
            tasks.complete(who, task.id, data)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).grade in ("CCC", "C")
    reviewed = db.session.scalars(select(RatingChange).where(RatingChange.reason == "review")).all()
    assert all(r.grade_after in ("CCC", "C") for r in reviewed)


def test_a_periodic_review_caps_the_new_grade_before_a_change_is_proposed(deployed, people, client, login):
    customer = substandard_after_a_control(people)  # CCC, 次级
    customer.next_review_on = date.today()
    db.session.commit()
    [started] = reviews.start_due()
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,  # strong statements: the model says A or better
        {"statements": statements(health=1.3), "review_notes": "报表好转，但逾期未清。"},
    )
    case = db.session.get(ProcessInstance, started)
    db.session.refresh(case)
    assert case.summary["grade"] == "CCC" and case.summary["capped_from"] in ("AAA", "AA", "A")
    proposal = ready(started, "propose_change")  # the grade did not move; the live limit is above CCC's cap
    assert proposal is not None  # to bring it within CCC's cap, not to give "A" its limit
    logged = db.session.scalars(
        select(DecisionLog).where(
            DecisionLog.instance_id == started, DecisionLog.decision_id == "limit_proposal"
        )
    ).all()
    assert [d.inputs["grade"] for d in logged] == ["CCC"]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = text_of(login("risk").get(f"/cases/{started}"))
    assert f"rated {case.summary['capped_from']}; a customer classified Substandard holds CCC at best" in page


def limit_cap_for(data: dict, grade: str) -> float:
    """What the limit table gives the case's customer at ``grade``."""
    table = load_dmn((RULES / "limit_proposal.dmn").read_text(encoding="utf-8"), "limit_proposal.dmn")
    return table.decisions["limit_proposal"].evaluate({**data, "grade": grade}).output["limit_cap"]


def test_a_substandard_customer_applying_is_capped_before_the_limit_and_the_decision(
    deployed, people, client, login
):
    customer = approved_customer(people)
    customer.loan_class = "substandard"  # 次级: CCC at best
    db.session.commit()
    case = cases.start_case(people.officer, "credit_application")
    tasks.complete(people.officer, open_task(case.id, "application_intake").id, intake(1))
    tasks.complete(
        people.officer, open_task(case.id, "financial_statements").id, {"statements": statements(health=1.4)}
    )  # the model rates these AA
    db.session.refresh(case)
    proposal = case.summary
    assert (proposal["grade"], proposal["capped_from"], proposal["loan_class"]) == (
        "CCC",
        "AA",
        "substandard",
    )
    assert proposal["model_grade"] == "CCC"  # what the officer's review starts from
    assert proposal["limit_cap"] == limit_cap_for(proposal, "CCC") < limit_cap_for(proposal, "AA")
    logged = {
        d.decision_id: d
        for d in db.session.scalars(select(DecisionLog).where(DecisionLog.instance_id == case.id))
    }
    assert logged["classification_grade_cap"].outputs == {"grade": "CCC", "capped_from": "AA"}
    # the officer may not adjust the grade above what the class allows; the proposal goes on capped
    proposal_task = open_task(case.id, "review_proposal")
    limit = min(proposal["limit_cap"], 5_000_000)
    with force_locale("en"), pytest.raises(InvalidInput) as refused:
        tasks.complete(
            people.officer,
            proposal_task.id,
            review(case, proposed_limit=limit, grade_override="AA", override_reason="客户自称经营好转。"),
            locale="en",
        )
    assert refused.value.errors == {"grade_override": "at best CCC for a customer classified Substandard"}
    tasks.complete(people.officer, proposal_task.id, review(case, proposed_limit=limit))
    db.session.refresh(case)
    decided_on = case.summary
    assert (decided_on["grade"], decided_on["capped_from"], decided_on.get("rating_override")) == (
        "CCC",
        "AA",
        None,
    )
    approval = db.session.scalar(
        select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.state == "ready")
    )
    assert approval.lane in ("approver", "committee")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    approver = (
        approval.assignee.username
        if approval.assignee
        else next(
            u.username
            for u in (people.approver1, people.approver2, people.approver3)
            if u.authority_level >= (approval.required_level or 0)
        )
    )
    page = text_of(login(approver).get(f"/tasks/{approval.id}"))
    decided = page[page.index('id="decided-on"') :]
    assert "<strong>CCC</strong>" in decided
    assert "rated AA; a customer classified Substandard holds CCC at best" in decided
    memo = text_of(client.get(f"/cases/{case.id}/memo"))
    assert "rated AA; a customer classified Substandard holds CCC at best" in memo
    why = memo[memo.index("Why this grade") :]
    assert "PD" in why.split("</p>")[0] and "Substandard: no better than CCC" in why.split("</p>")[0]


def test_a_customer_classified_substandard_is_reviewed_sooner_as_the_frequency_table_says(deployed, people):
    customer = approved_customer(people)
    yearly = local_today() + timedelta(days=365)
    customer.next_review_on = yearly  # grade A, normal: the yearly review
    db.session.commit()
    observe(people, customer, days_past_due="95")
    [case_id] = portfolio.scan(people.risk).started
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "逾期属实，客户停产。"},
    )
    tasks.complete(
        people.risk,
        ready(case_id, "risk_review").id,
        {"action": "freeze", "expected_loss_pct": 20, "review_comment": "冻结额度。"},
    )
    tasks.complete(people.approver2, ready(case_id, "approve_control").id, {"control_decision": "approve"})
    db.session.expire_all()
    customer = db.session.get(Customer, customer.id)
    monthly = local_today() + timedelta(days=round(365 / 12))  # 次级: monthly (review_frequency.dmn)
    assert customer.loan_class == "substandard" and customer.next_review_on == monthly
    moved = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event_type == "customer.review_rescheduled")
    )
    assert (moved.payload["before"], moved.payload["after"], moved.payload["loan_class"]) == (
        yearly.isoformat(),
        monthly.isoformat(),
        "substandard",
    )
    assert moved.payload["rule"] == "Rule_review_frequency_01" and moved.instance_id == case_id
    [started] = reviews.start_due(today=monthly)  # and the scheduler starts it then
    assert db.session.get(Customer, customer.id).next_review_on == monthly and started


def test_a_review_finishing_after_a_reclassification_keeps_the_sooner_date(deployed, people):
    customer = approved_customer(people)
    customer.next_review_on = date.today()
    db.session.commit()
    [started] = reviews.start_due()  # read class normal at its start: its own next date would be a year on
    customer = db.session.get(Customer, customer.id)
    customer.loan_class = "special_mention"  # an escalation classified it 关注 meanwhile (BB at best)
    db.session.commit()
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,
        {"statements": statements(health=1.3), "review_notes": "经营正常。"},
    )
    for spec, who, data in (
        ("propose_change", people.risk, {"new_limit": 0, "change_comment": "关注类，压降。"}),
        ("approve_review", people.approver3, {"review_decision": "approve"}),
    ):
        task = ready(started, spec)
        if task is not None:
            tasks.complete(who, task.id, data)
    db.session.expire_all()
    quarterly = local_today() + timedelta(days=round(3 * 365 / 12))  # 关注: quarterly
    assert db.session.get(Customer, customer.id).next_review_on == quarterly


def test_a_table_deployed_again_is_in_force_for_the_cap_and_the_review_date(rules_copy):
    """A deployment writes its tables back to rules/: the next cap and the next review date read the new rule."""
    start, cap_file, frequency_file = (
        date(2026, 3, 2),
        rules_copy / classification.CAP_FILE,
        rules_copy / review_schedule.FREQUENCY_FILE,
    )
    assert classification.cap("substandard", "AA") == ("CCC", "Rule_classification_grade_cap_02")
    assert review_schedule.due_after(start, "AA", "substandard") == (
        date(2026, 4, 1),
        "Rule_review_frequency_01",
    )
    cap_text = cap_file.read_text(encoding="utf-8")
    cap_file.write_text(
        cap_text.replace(
            '<outputEntry id="Rule_classification_grade_cap_02_out1">\n          <text>"CCC"</text>',
            '<outputEntry id="Rule_classification_grade_cap_02_out1">\n          <text>"B"</text>',
        ),
        encoding="utf-8",
    )
    frequency_text = frequency_file.read_text(encoding="utf-8")
    frequency_file.write_text(
        frequency_text.replace(
            '<outputEntry id="Rule_review_frequency_01_out1">\n          <text>1</text>',
            '<outputEntry id="Rule_review_frequency_01_out1">\n          <text>2</text>',
        ),
        encoding="utf-8",
    )
    assert (
        cap_file.read_text(encoding="utf-8") != cap_text
        and frequency_file.read_text(encoding="utf-8") != frequency_text
    )
    assert classification.cap("substandard", "AA") == ("B", "Rule_classification_grade_cap_02")
    assert review_schedule.due_after(start, "AA", "substandard") == (
        date(2026, 5, 2),
        "Rule_review_frequency_01",
    )
