"""workflows/credit_application.bpmn driven through the engine adapter and services."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Customer, DecisionLog, Facility, HumanTask
from app.services.cases import tasks
from tests.factories import case_at, compliance_sign_off, open_task, review


def test_approve_path_records_an_active_facility(deployed, people):
    case = case_at("approval", people.officer)
    level = case.summary["approval_level"]
    approver = {1: people.approver1, 2: people.approver2, 3: people.approver3}[level]
    tasks.complete(
        approver, open_task(case.id, "approval_signoff").id, {"decision": "approve", "comment": "同意"}
    )
    assert (
        db.session.scalar(select(Facility).where(Facility.instance_id == case.id)) is None
    )  # compliance first
    compliance_sign_off(case, people.compliance)

    assert case.status == "completed" and case.outcome == "approved"
    facility = db.session.scalar(select(Facility).where(Facility.instance_id == case.id))
    assert facility.status == "active"
    assert facility.limit_amount == Decimal(str(case.summary["proposed_limit"]))
    assert facility.term_months == 12 and facility.grade == case.summary["grade"]
    customer = db.session.get(Customer, case.customer_id)
    assert customer.uscc == case.summary["uscc"] and customer.grade == case.summary["grade"]
    assert [s.fiscal_year for s in customer.statements] == [2024, 2025]


def test_every_business_rule_is_logged_with_inputs_and_matched_rule(deployed, people):
    case = case_at("approval", people.officer)
    logs = db.session.scalars(
        select(DecisionLog).where(DecisionLog.instance_id == case.id).order_by(DecisionLog.id)
    ).all()
    assert [d.decision_id for d in logs] == [
        "customer_segment",
        "credit_rating",
        "classification_grade_cap",
        "limit_proposal",
        "large_exposure",
        "classification_grade_cap",
        "approval_sla",
        "approval_authority",
    ]
    segment = logs[0]
    assert segment.inputs["industry"] == "manufacturing" and segment.inputs["size"] == "medium"
    assert segment.outputs == {"segment": "mid_corporate", "z_model": "z_prime"}
    assert len(segment.matched_rules) == 1
    rating = logs[1]
    assert rating.outputs["grade"] == case.summary["grade"]
    events = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.instance_id == case.id, AuditEvent.event_type == "engine.decision_evaluated")
    )
    assert events == 8
    assert logs[4].outputs == {"single_client_share": 0.15, "group_share": 0.2, "guaranteed_share": 1.0}


def test_return_loops_back_to_the_officer_with_the_comment(deployed, people):
    case = case_at("approval", people.officer)
    approver = people.approver3
    tasks.complete(
        approver,
        open_task(case.id, "approval_signoff").id,
        {"decision": "return", "comment": "请补充担保", "fields_to_fix": ["proposed_controls"]},
    )
    again = open_task(case.id, "review_proposal")
    assert again.lane == "officer"
    view = tasks.open_task(people.officer, again.id)
    assert view.data["approver_comment"] == "请补充担保" and view.data["returned_fields"] == [
        "proposed_controls"
    ]
    tasks.complete(
        people.officer,
        again.id,
        {
            "proposed_limit": 1_000_000,
            "proposed_term_months": 12,
            "proposed_margin_pct": 1.5,
            "officer_opinion": "已补充保证人",
        },
    )
    signoff = open_task(case.id, "approval_signoff")
    assert signoff.id != again.id
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(HumanTask)
            .where(HumanTask.instance_id == case.id, HumanTask.task_spec == "approval_signoff")
        )
        == 2
    )


def test_reject_path_records_a_rejected_facility(deployed, people):
    case = case_at("approval", people.officer)
    tasks.complete(
        people.approver3,
        open_task(case.id, "approval_signoff").id,
        {"decision": "reject", "comment": "风险过高"},
    )
    db.session.refresh(case)
    assert case.outcome == "rejected"
    facility = db.session.scalar(select(Facility).where(Facility.instance_id == case.id))
    assert facility.status == "rejected" and facility.limit_amount == 0


def test_serious_delinquency_is_restricted_and_declined(deployed, people):
    case = case_at("review", people.officer, credit_record="serious_delinquency")
    assert case.summary["segment"] == "restricted"
    assert case.summary["limit_cap"] == 0
    assert case.summary["proposed_limit"] == 0


def test_a_case_in_progress_never_overwrites_an_existing_customer(deployed, people):
    first = case_at("approval", people.officer, customer_name="真名有限公司")
    tasks.complete(
        people.approver3,
        open_task(first.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    compliance_sign_off(first, people.compliance)
    customer = db.session.get(Customer, first.customer_id)
    approved = (customer.name, customer.credit_record, customer.grade)

    # Another officer opens a case for the same company and enters different master data.
    second = case_at(
        "review", people.officer2, customer_name="别的名字有限公司", credit_record="minor_delinquency"
    )
    assert second.customer_id == first.customer_id
    db.session.refresh(customer)
    assert (customer.name, customer.credit_record, customer.grade) == approved

    # Only its approval changes the record, audited with before and after.
    tasks.complete(people.officer2, open_task(second.id, "review_proposal").id, review(second))
    tasks.complete(
        people.approver3,
        open_task(second.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    db.session.refresh(customer)
    assert customer.name == "真名有限公司"  # approved by credit, not yet signed off by compliance
    compliance_sign_off(second, people.compliance)
    db.session.refresh(customer)
    assert customer.name == "别的名字有限公司" and customer.credit_record == "minor_delinquency"
    change = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.event_type == "customer.updated", AuditEvent.instance_id == second.id
        )
    )
    assert change.payload["before"]["name"] == "真名有限公司"


def test_a_return_comment_does_not_carry_over_to_the_next_sign_off(deployed, people):
    case = case_at("approval", people.officer)
    tasks.complete(
        people.approver3,
        open_task(case.id, "approval_signoff").id,
        {"decision": "return", "comment": "请降低额度", "fields_to_fix": ["proposed_limit"]},
    )
    again = open_task(case.id, "review_proposal")
    tasks.complete(people.officer, again.id, review(case, proposed_limit=1_000_000))
    signoff = open_task(case.id, "approval_signoff")
    shown = tasks.open_task(people.approver3, signoff.id).data
    assert shown.get("comment") is None and shown.get("decision") is None
    assert shown["approver_comment"] == "请降低额度"
    tasks.complete(people.approver3, signoff.id, {"decision": "approve"})
    compliance_sign_off(case, people.compliance)
    assert case.outcome == "approved" and case.summary.get("comment") is None
