"""The auditor's view of a case: each decision against its table version with the matched rows
highlighted, each submission, the history as CSV and PDF; and the exceptions dashboard."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from app.errors import SegregationOfDutiesViolation
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, DecisionLog
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import delegation, tasks, timers
from tests.factories import PASSWORD, case_at, case_routed, open_task, review, trained
from tests.web.test_pages import text_of


def test_a_decision_is_shown_against_its_table_with_the_matched_rows_highlighted(as_user, people):
    case = case_routed("single", people.officer)
    log = db.session.scalar(
        select(DecisionLog).where(
            DecisionLog.instance_id == case.id, DecisionLog.decision_id == "approval_authority"
        )
    )
    page = text_of(as_user("compliance").get(f"/cases/{case.id}/decisions/{log.id}"))
    [matched] = log.matched_rules
    assert (
        f'data-rule="{matched}"' in page
        and 'class="matched" aria-current="true" data-rule="' + matched in page
    )
    assert (
        page.count('class="matched"') == 1 and "credit_application v1" in page and 'id="table-hash"' in page
    )
    assert as_user("compliance").get(f"/cases/{case.id}/decisions/999999").status_code == 404
    assert as_user("designer").get(f"/cases/{case.id}/decisions/{log.id}").status_code == 403


def test_the_case_page_shows_each_submission_and_the_auditor_exports_the_history(as_user, people):
    case = case_routed("single", people.officer)
    page = text_of(as_user("compliance").get(f"/cases/{case.id}"))
    assert 'data-element="application_intake"' in page and "What was submitted" in page
    assert 'id="history-csv"' in page
    assert 'id="history-csv"' not in text_of(as_user("officer").get(f"/cases/{case.id}"))
    csv_text = as_user("compliance").get(f"/cases/{case.id}/history.csv").get_data().decode("utf-8-sig")
    rows = csv_text.strip().splitlines()
    events = db.session.scalars(select(AuditEvent.hash).where(AuditEvent.instance_id == case.id)).all()
    assert (
        rows[0].startswith("id,occurred_at,event_type")
        and len(rows) == len(events) + 1
        and events[-1] in rows[-1]
    )
    pdf = as_user("compliance").get(f"/cases/{case.id}/history.pdf?lang=zh_CN")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "案件历史" in text and case.reference in text and "approval_authority" in text
    assert as_user("officer").get(f"/cases/{case.id}/history.csv").status_code == 403


def test_the_exceptions_dashboard_lists_each_kind(as_user, people):
    # a rating adjusted with its reason
    adjusted = case_at("review", people.officer)
    tasks.complete(
        people.officer,
        open_task(adjusted.id, "review_proposal").id,
        review(adjusted, grade_override="BB", override_reason="担保人退出"),
    )
    # returned and resubmitted
    returned = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(returned.id, "approval_signoff").id,
        {"decision": "return", "comment": "补充", "fields_to_fix": ["proposed_controls"]},
    )
    tasks.complete(people.officer, open_task(returned.id, "review_proposal").id, review(returned))
    # delegated
    tasks.claim(people.approver1, open_task(returned.id, "approval_signoff").id)
    delegation.delegate(people.approver1, open_task(returned.id, "approval_signoff").id, "approver2")
    # one person signing both levels of a sequential chain
    chain = case_routed("sequential", people.officer)
    tasks.complete(
        people.approver3,
        open_task(chain.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    tasks.complete(
        people.approver3,
        open_task(chain.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    # a four-eyes near miss: an approver who worked the case tries to sign it
    dual, _ = users.create_user(
        "zhao.dual", "officer", PASSWORD, authority_level=3, groups=("approver",), actor=people.admin
    )
    qualifications.record(people.admin, "zhao.dual", "CQ-1", "2099-12-31")
    trained(dual)
    own = case_routed("single", dual)
    with pytest.raises(SegregationOfDutiesViolation):
        tasks.complete(dual, open_task(own.id, "approval_signoff").id, {"decision": "approve"})
    # an overdue sign-off escalated
    with time_machine.travel("2026-12-01 01:00:00+00:00", tick=False) as clock:
        late = case_routed("single", people.officer2)
        clock.shift(timedelta(days=3))
        assert timers.fire_due() >= 1  # the other cases' sign-offs are overdue by then too

    page = text_of(as_user("compliance").get("/audit/exceptions"))
    for section, reference in (
        ("overrides", adjusted.reference),
        ("returned", returned.reference),
        ("delegations", returned.reference),
        ("signed_twice", chain.reference),
        ("near_misses", own.reference),
        ("escalations", late.reference),
    ):
        block = page.split(f'id="{section}"')[1].split("</section>")[0]
        assert reference in block, section
    assert "approver3" in page.split('id="signed_twice"')[1].split("</section>")[0]
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.refused"))
    assert refused.actor_name == "zhao.dual" and refused.instance_id == own.id
    assert as_user("approver1").get("/audit/exceptions").status_code == 403


def test_compliance_starts_a_sampling_review_from_its_page(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "reject", "comment": "否决"}
    )
    auditor = as_user("compliance")
    today = local_today().isoformat()
    bad = auditor.post("/audit/sampling", data={"period_from": today, "period_to": "2000-01-01"})
    assert bad.status_code == 422 and "period_to" in text_of(bad)
    nothing = auditor.post("/audit/sampling", data={"period_from": today, "period_to": today, "seed": "3"})
    assert nothing.status_code == 422 and "1 decided" in text_of(nothing)  # seed 3 draws 0.24: above a fifth
    started = auditor.post("/audit/sampling", data={"period_from": today, "period_to": today, "seed": "1"})
    assert started.status_code == 302 and "/cases/" in started.headers["Location"]
    assert "AS-" in text_of(auditor.get("/audit/sampling"))
    assert as_user("officer").get("/audit/sampling").status_code == 403
