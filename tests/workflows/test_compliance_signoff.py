"""Compliance sign-off (workflows/compliance_signoff.bpmn, a call activity of the application):
a limit becomes active only after it, and a return reopens the officer's task with the findings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.models import Facility
from app.services.cases import tasks
from tests.factories import COMPLIANT, case_routed, compliance_sign_off, open_task, review, snapshot

APPROVE = {"decision": "approve", "comment": "同意"}


def approved_by_credit(people):
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, APPROVE)
    db.session.refresh(case)
    return case


def facilities(instance_id: int) -> list[Facility]:
    return list(db.session.scalars(select(Facility).where(Facility.instance_id == instance_id)))


def test_an_approved_credit_waits_for_compliance_and_only_then_is_active(deployed, people):
    case = approved_by_credit(people)
    assert (case.status, case.outcome) == ("running", None)
    checklist = open_task(case.id, "compliance_checklist")
    assert checklist.lane == "compliance"
    assert facilities(case.id) == []  # no limit before compliance signs off
    with pytest.raises(NotAuthorized):
        tasks.complete(people.officer, checklist.id, COMPLIANT)
    compliance_sign_off(case, people.compliance)
    assert (case.status, case.outcome) == ("completed", "approved")
    [facility] = facilities(case.id)
    assert facility.status == "active" and facility.limit_amount == case.summary["proposed_limit"]
    assert case.summary["compliance_result"] == "signed_off"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"kyc_complete": False}, "kyc_complete"),
        ({"sanctions_screening": "match"}, "sanctions_screening"),
        ({"documents_evidence": ""}, "documents_evidence"),
    ],
)
def test_a_sign_off_with_a_failed_check_is_refused_naming_it(deployed, people, override, field):
    case = approved_by_credit(people)
    checklist = open_task(case.id, "compliance_checklist")
    before = snapshot(case.id)
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(people.compliance, checklist.id, {**COMPLIANT, **override})
    assert field in caught.value.errors
    assert snapshot(case.id) == before


def test_a_return_reopens_the_officers_task_with_the_findings_and_the_case_goes_round_again(deployed, people):
    case = approved_by_credit(people)
    with pytest.raises(InvalidInput) as caught:  # a return needs findings
        tasks.complete(
            people.compliance,
            open_task(case.id, "compliance_checklist").id,
            {"compliance_decision": "return"},
        )
    assert list(caught.value.errors) == ["compliance_findings"]
    tasks.complete(
        people.compliance,
        open_task(case.id, "compliance_checklist").id,
        {"compliance_decision": "return", "compliance_findings": "缺少担保合同原件"},
    )
    db.session.refresh(case)
    assert case.status == "running" and facilities(case.id) == []
    again = open_task(case.id, "review_proposal")
    shown = tasks.open_task(people.officer, again.id).data
    assert shown["compliance_findings"] == "缺少担保合同原件"
    tasks.complete(people.officer, again.id, review(case, proposed_controls="已补充担保合同原件"))
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, APPROVE)
    compliance_sign_off(case, people.compliance)
    assert (case.status, case.outcome) == ("completed", "approved")
    assert len(facilities(case.id)) == 1
