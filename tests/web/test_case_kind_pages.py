"""Each kind of case has its own case page: a periodic review, a warning escalation and a sampling review are
not shown as an empty credit application, and every list names each case's kind."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CaseDocument, EarlyWarning, ProcessInstance
from app.services.audit import documents, sampling
from app.services.cases import tasks
from app.services.cases.case_kinds import KINDS
from app.services.monitoring import portfolio
from tests.factories import statements
from tests.web.test_pages import text_of
from tests.workflows.test_audit_sampling import decided, ready, today
from tests.workflows.test_periodic_review import review_due_today
from tests.workflows.test_warning_escalation import approved_customer, observe
from tests.workflows.test_warning_escalation import ready as ready_task


def main(page: str) -> str:
    return page.split('id="main"')[1]


def regraded_review(people) -> ProcessInstance:
    """A periodic review whose weaker statements moved the grade, a limit cut proposed and approved."""
    _customer, started = review_due_today(people)
    tasks.complete(
        people.officer,
        ready_task(started, "do_review").id,
        {"statements": statements(health=0.7), "review_notes": "主营收入下滑，现金流紧张。"},
    )
    tasks.complete(
        people.risk,
        ready_task(started, "propose_change").id,
        {"new_limit": 3_000_000, "change_comment": "下调等级，压降额度。"},
    )
    return db.session.get(ProcessInstance, started)


def escalated(people) -> tuple[ProcessInstance, EarlyWarning]:
    """A warning escalation at its control approval: 45 days past due, a freeze decided."""
    customer = approved_customer(people)
    observe(people, customer, on=(date.today() - timedelta(days=2)).isoformat(), days_past_due="45")
    [warning_id] = portfolio.scan(people.risk).raised
    warning = db.session.get(EarlyWarning, warning_id)
    case_id = warning.instance_id
    tasks.complete(
        people.officer,
        ready_task(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "客户资金链紧张，已约谈。"},
    )
    tasks.complete(
        people.risk,
        ready_task(case_id, "risk_review").id,
        {"action": "freeze", "expected_loss_pct": 10, "review_comment": "冻结额度，压缩敞口。"},
    )
    return db.session.get(ProcessInstance, case_id), warning


def test_a_periodic_review_shows_its_own_facts_and_its_approval(as_user, people):
    review = regraded_review(people)
    tasks.complete(
        people.approver3,
        ready_task(review.id, "approve_review").id,
        {"review_decision": "approve", "review_comment": "同意下调。"},
    )
    page = main(text_of(as_user("officer").get(f"/cases/{review.id}")))
    assert "Periodic review" in page.split("</h1>")[0] and "New application" not in page
    facts = page.split('id="review-facts"')[1].split("</section>")[0]
    assert "华东精密机械有限公司" in facts and f'href="/customers/{review.customer_id}"' in facts
    assert date.today().isoformat() in facts  # the due date
    assert "Grade before the review" in facts and "moved" in facts
    assert "CNY 5,000,000.00" in facts and "CNY 3,000,000.00" in facts  # the live limits and the one proposed
    approval = page.split('id="review-approval"')[1].split("</dd>")[0]
    assert "approver3" in approval.lower() or people.approver3.display_name in approval
    assert "同意下调。" in approval
    assert "Financial statements" in page  # the statements the officer updated
    assert "Requested" not in page and "Proposed by the table" not in page  # no other kind's fields


def test_a_warning_escalation_shows_its_warnings_action_approval_and_class(as_user, people):
    case, warning = escalated(people)
    tasks.complete(
        people.approver2,
        ready_task(case.id, "approve_control").id,
        {"control_decision": "approve", "control_comment": "同意冻结"},
    )
    page = main(text_of(as_user("risk").get(f"/cases/{case.id}")))
    assert "Warning escalation" in page.split("</h1>")[0] and "New application" not in page
    row = page.split(f'data-warning="{warning.code}"')[1].split("</tr>")[0]
    assert (
        "Past due over 30 days" in row
        and "High" in row
        and '<dt>Days past due</dt><dd data-figure="days_past_due">45</dd>' in row
    )
    action = page.split('id="escalation-action"')[1].split("</div>")[0]
    assert "Freeze the limit" in action and "冻结额度，压缩敞口。" in action
    assert people.approver2.display_name in action and "同意冻结" in action
    assert "Special mention" in page.split('id="escalation-facts"')[1]  # the five-category class
    assert "Requested" not in page and "Open the credit memo" not in page


def test_a_sampling_review_lists_each_drawn_case_linked_with_its_finding_and_remedy(as_user, people):
    adjusted, _plain = decided(people)
    review = sampling.start(people.compliance, today(), today(), seed="7")
    for task in ready(review.id, "review_sampled_case"):
        tasks.complete(
            people.compliance, task.id, {"finding": "major", "finding_description": "缺少担保合同原件。"}
        )
    [remedy] = [
        t
        for t in ready(review.id, "remedy_finding")
        if f'/cases/{adjusted.id}"' in text_of(as_user("officer").get(f"/tasks/{t.id}"))
    ]
    remedy_page = text_of(as_user("officer").get(f"/tasks/{remedy.id}"))
    assert (
        f'<a href="/cases/{adjusted.id}">{adjusted.reference}</a>' in remedy_page.split('id="task-about"')[1]
    )
    tasks.complete(people.officer, remedy.id, {"remediation": "已补充担保合同原件并归档。"})
    page = main(text_of(as_user("compliance").get(f"/cases/{review.id}")))
    assert "Sampling review" in page.split("</h1>")[0] and "New application" not in page
    facts = page.split('id="sampling-facts"')[1].split("</section>")[0]
    assert today() in facts and "<code>7</code>" in facts
    row = page.split(f'data-case="{adjusted.reference}"')[1].split("</tr>")[0]
    assert f'<a href="/cases/{adjusted.id}">{adjusted.reference}</a>' in row
    assert f'href="/customers/{adjusted.customer_id}"' in row and people.officer.display_name in row
    assert "Major finding" in row and "缺少担保合同原件。" in row and "已补充担保合同原件并归档。" in row
    assert "Customer" not in page.split("</h1>")[0] and "Requested" not in page
    drawn = text_of(as_user("compliance").get("/audit?event_type=sampling.drawn")).split('id="audit-rows"')[1]
    assert f'<a href="/cases/{adjusted.id}">{adjusted.reference}</a>' in drawn  # the sample as linked cases
    listed = text_of(as_user("compliance").get("/audit/sampling")).split('id="sampling-reviews"')[1]
    assert f"{today()} — {today()}" in listed and review.reference in listed


def test_every_list_names_each_cases_kind(as_user, people):
    _customer, started = review_due_today(people)
    review = db.session.get(ProcessInstance, started)
    officer = as_user("officer")
    listing = main(text_of(officer.get("/cases")))
    kinds = {line.split(">")[-1] for line in listing.split("</td>") if 'class="kind"' in line}
    assert {"Periodic review", "Credit application"} <= kinds
    mine = main(text_of(officer.get("/tasks")))
    assert review.reference in mine and "Periodic review" in mine.split(review.reference)[1].split("</td>")[0]
    customer = main(text_of(officer.get(f"/customers/{review.customer_id}")))
    assert "Periodic review" in customer and "Credit application" in customer
    application = db.session.scalar(
        select(ProcessInstance).where(ProcessInstance.process_id == "credit_application")
    )
    assert f">{application.reference}</a></td>" in customer.split('id="facilities"')[1]  # not "#1"


def test_a_case_keeps_only_its_own_kinds_summary(people, deployed):
    review = regraded_review(people)
    assert {"due_on", "previous_grade", "limit_amount", "new_limit"} <= set(review.summary)
    assert set(review.summary) <= set(KINDS["periodic_review"].summary_keys)
    assert not {"customer_name", "requested_amount", "proposed_limit", "grade"} & set(
        KINDS["audit_sampling"].summary_keys
    )
    assert not {"requested_amount", "warning_code", "sample"} & set(review.summary)


def test_only_an_application_has_a_credit_memo(as_user, people):
    review = regraded_review(people)
    reader = as_user("officer")
    assert reader.get(f"/cases/{review.id}/memo").status_code == 422
    refused = reader.get(f"/cases/{review.id}/documents/credit_memo.pdf")
    assert refused.status_code == 422 and "Periodic review" in text_of(refused)
    tasks.complete(
        people.approver3,
        ready_task(review.id, "approve_review").id,
        {"review_decision": "reject", "review_comment": "维持。"},
    )
    assert documents.keep_decided(review.id) == []
    assert db.session.scalar(select(CaseDocument)) is None


@pytest.mark.parametrize("lane_user", ["approver2"])
def test_the_control_approval_page_shows_the_warnings_and_the_action(as_user, people, lane_user):
    case, warning = escalated(people)
    page = text_of(as_user(lane_user).get(f"/tasks/{ready_task(case.id, 'approve_control').id}"))
    decided_on = page.split('id="decided-on"')[1].split("<form")[0]
    assert (
        "Past due over 30 days" in decided_on
        and "High" in decided_on
        and '<dt>Days past due</dt><dd data-figure="days_past_due">45</dd>' in decided_on
    )
    assert "Freeze the limit" in decided_on and "冻结额度，压缩敞口。" in decided_on
    assert f'href="/customers/{case.customer_id}"' in decided_on
    assert "Credit memo" not in page.split("</h1>")[1].split("</p>")[0]  # an escalation has no memo


def test_the_review_approval_page_shows_the_grades_and_the_limit_change(as_user, people):
    review = regraded_review(people)
    page = text_of(as_user("approver3").get(f"/tasks/{ready_task(review.id, 'approve_review').id}"))
    decided_on = page.split('id="decided-on"')[1].split("<form")[0]
    assert "Grade before the review" in decided_on and "Grade after the review" in decided_on
    assert "CNY 5,000,000.00" in decided_on and "CNY 3,000,000.00" in decided_on
    assert "下调等级，压降额度。" in decided_on and "Key ratios" in decided_on
