"""Case analyses (workflows/case_analysis.bpmn): started once per event — a class into 次级 or worse, a warning
closed after a risk control — or by a risk manager by hand (a success case); recorded by a risk manager, returned
or approved into the library by compliance, never by the analyst (四眼原则)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, InvalidInput, NotAuthorized, SegregationOfDutiesViolation
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, CaseAnalysis, EarlyWarning, ProcessInstance, UserGroup
from app.services.analytics.case_library import start
from app.services.cases import tasks
from app.services.design.testing import process_tests
from app.services.monitoring import portfolio
from tests.services.test_process_tests import ROOT, candidate
from tests.workflows.test_warning_escalation import approved_customer, escalation, observe, ready

RECORD = {
    "title": "担保圈出险前贷款资金转入关联企业",
    "root_causes": ["guarantee_circle", "use_of_funds"],
    "missed_signals": "首次贷后检查已发现部分资金转入关联企业。",
    "lessons": "首次检查发现挪用应立即启动预警并收回。",
    "recommendation": "资金用途不符即触发重大预警。",
    "tags": "担保圈，制造业; 民营",
    "case_outcome": "loss",
}


def controlled(people, expected_loss_pct: float) -> tuple[int, ProcessInstance]:
    """A customer past due whose escalation froze its facility, the risk manager estimating ``expected_loss_pct``."""
    customer = approved_customer(people)
    observe(people, customer, days_past_due="45")
    [warning_id] = portfolio.scan(people.risk).raised
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "逾期属实。"},
    )
    tasks.complete(
        people.risk,
        ready(case.id, "risk_review").id,
        {"action": "freeze", "expected_loss_pct": expected_loss_pct, "review_comment": "冻结额度。"},
    )
    tasks.complete(people.approver2, ready(case.id, "approve_control").id, {"control_decision": "approve"})
    return customer.id, case


def analyses() -> list[CaseAnalysis]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseAnalysis).order_by(CaseAnalysis.id)))


def test_the_shipped_process_tests_pass():
    results = process_tests.run_dir([candidate("case_analysis")], ROOT / "workflows")
    assert [r.name for r in results if not r.ok] == []
    assert len(results) == 2


def test_a_default_starts_one_analysis_that_is_recorded_returned_and_approved(deployed, people, jobs_here):
    customer_id, control = controlled(people, 25)  # 预期损失 25%: 次级
    [analysis] = analyses()  # the default's analysis covers the control: one, not two
    assert (analysis.customer_id, analysis.trigger_kind, analysis.status) == (customer_id, "default", "open")
    assert analysis.default_on == local_today() and analysis.industry == "manufacturing"
    case = db.session.get(ProcessInstance, analysis.instance_id)
    assert case.reference.startswith("CL-") and case.started_by_id is None
    assert start.start_for_event(analysis.trigger_kind, analysis.trigger_ref) is None  # once per event
    assert start.start_for_event("control", f"escalation:{control.id}") is None

    task = ready(case.id, "record_analysis")
    assert task.lane == "risk_manager" and task.assignee_id is None
    with pytest.raises(NotAuthorized):
        tasks.complete(people.officer, task.id, RECORD)
    tasks.complete(people.risk, task.id, RECORD)
    [analysis] = analyses()
    assert analysis.status == "in_review" and analysis.analyst_id == people.risk.id
    assert analysis.tags == ["担保圈", "制造业", "民营"] and analysis.outcome == "loss"
    review = ready(case.id, "review_analysis")
    with pytest.raises(NotAuthorized):
        tasks.complete(people.risk, review.id, {"review_decision": "approve"})  # not in compliance: four eyes
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(people.compliance, review.id, {"review_decision": "return"})
    assert "review_comment" in refused.value.errors
    tasks.complete(
        people.compliance, review.id, {"review_decision": "return", "review_comment": "请补充信号。"}
    )
    assert analyses()[0].status == "returned"
    again = ready(case.id, "record_analysis")
    tasks.complete(people.risk, again.id, {**RECORD, "missed_signals": "两期报表均显示存货激增。"})
    tasks.complete(people.compliance, ready(case.id, "review_analysis").id, {"review_decision": "approve"})
    [analysis] = analyses()
    assert (analysis.status, analysis.reviewer_id) == ("approved", people.compliance.id)
    assert analysis.approved_at is not None and analysis.missed_signals == "两期报表均显示存货激增。"
    trail = set(db.session.scalars(select(AuditEvent.event_type).where(AuditEvent.instance_id == case.id)))
    assert {
        "case_analysis.started",
        "case_analysis.submitted",
        "case_analysis.returned",
        "case_analysis.approved",
    } <= trail


def test_a_control_without_a_default_starts_a_control_analysis(deployed, people, jobs_here):
    customer_id, control = controlled(people, 5)  # 关注: not a default
    [analysis] = analyses()
    assert (analysis.trigger_kind, analysis.trigger_ref) == ("control", f"escalation:{control.id}")
    assert analysis.default_on is None


def test_the_analyst_never_approves_their_own_analysis_whatever_their_groups(deployed, people, jobs_here):
    controlled(people, 25)
    [analysis] = analyses()
    db.session.add(UserGroup(user_id=people.risk.id, group_code="compliance"))
    db.session.commit()
    db.session.refresh(people.risk)
    assert "compliance" in people.risk.group_codes
    tasks.complete(people.risk, ready(analysis.instance_id, "record_analysis").id, RECORD)
    with pytest.raises(SegregationOfDutiesViolation):
        tasks.complete(
            people.risk, ready(analysis.instance_id, "review_analysis").id, {"review_decision": "approve"}
        )
    assert analyses()[0].status == "in_review"


def test_a_risk_manager_starts_a_success_case_from_a_closed_warning_once(deployed, people, jobs_here):
    customer = approved_customer(people)
    observe(people, customer, tax_arrears="800")
    [warning_id] = portfolio.scan(people.risk).raised
    with pytest.raises(InvalidInput) as still_open:
        start.start_by_hand(people.risk, customer.id, {"warning_id": warning_id})
    assert "warning_id" in still_open.value.errors
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "欠税已补缴。"},
    )
    with pytest.raises(NotAuthorized):
        start.start_by_hand(people.officer, customer.id, {"warning_id": warning_id})
    started = start.start_by_hand(people.risk, customer.id, {"warning_id": warning_id})
    [analysis] = analyses()
    assert (analysis.trigger_kind, analysis.trigger_ref) == ("success", f"warning:{warning_id}")
    assert ready(started.id, "record_analysis").assignee_id == people.risk.id  # held by who started it
    with pytest.raises(Conflict):
        start.start_by_hand(people.risk, customer.id, {"warning_id": warning_id})
    start.start_by_hand(people.risk, customer.id, {"kind": "manual"})
    with pytest.raises(Conflict):
        start.start_by_hand(people.risk, customer.id, {"kind": "success"})  # one by hand at a time


def test_no_one_who_wrote_any_revision_of_the_analysis_reviews_it(deployed, people, jobs_here):
    """risk writes, compliance returns it, cro (another risk manager) revises: risk, though in compliance too,
    is still one of its writers and may not approve it."""
    controlled(people, 25)
    [analysis] = analyses()
    db.session.add(UserGroup(user_id=people.risk.id, group_code="compliance"))
    db.session.commit()
    db.session.refresh(people.risk)
    tasks.complete(people.risk, ready(analysis.instance_id, "record_analysis").id, RECORD)
    tasks.complete(
        people.compliance,
        ready(analysis.instance_id, "review_analysis").id,
        {"review_decision": "return", "review_comment": "请补充信号。"},
    )
    tasks.complete(people.cro, ready(analysis.instance_id, "record_analysis").id, RECORD)
    assert analyses()[0].analyst_id == people.cro.id
    with pytest.raises(SegregationOfDutiesViolation):
        tasks.complete(
            people.risk, ready(analysis.instance_id, "review_analysis").id, {"review_decision": "approve"}
        )
    assert analyses()[0].status == "in_review"


def test_two_analyses_by_hand_started_at_the_same_moment_are_one(deployed, people, jobs_here, monkeypatch):
    """Both requests read no analysis under way (the second as if before the first committed): the database
    refuses the second, and nothing of it is kept."""
    customer = approved_customer(people)
    first = start.start_by_hand(people.risk, customer.id, {"kind": "manual"})
    monkeypatch.setattr(start, "hand_started_under_way", lambda customer_id: None)
    monkeypatch.setattr(start, "_next_hand_ref", lambda customer_id: f"hand:{customer_id}:1")
    before = db.session.scalar(select(func.count()).select_from(ProcessInstance))
    with pytest.raises(Conflict):
        start.start_by_hand(people.cro, customer.id, {"kind": "manual"})
    db.session.rollback()
    [analysis] = analyses()
    assert analysis.instance_id == first.id and analysis.trigger_ref == f"hand:{customer.id}:1"
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == before
    monkeypatch.undo()
    with pytest.raises(Conflict):  # under way: the next is refused by the check, as before
        start.start_by_hand(people.risk, customer.id, {"kind": "success"})
