"""Delegating from the task page and reassigning from the case page, as people do it in the browser."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.factories import case_routed, open_task
from tests.web.test_pages import text_of


def test_the_holder_delegates_from_the_task_page_and_a_refusal_is_a_4xx(as_user, people):
    case = case_routed("sequential", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    approver = as_user("approver2")
    page = text_of(approver.get(f"/tasks/{signoff.id}"))
    assert "Delegate to" in page and 'value="member1"' in page and 'value="approver1"' not in page
    refused = approver.post(f"/tasks/{signoff.id}/delegate", data={"to": "approver1"})
    assert refused.status_code == 403 and "authority level 1" in text_of(refused)
    done = approver.post(f"/tasks/{signoff.id}/delegate", data={"to": "member1"})
    assert done.status_code == 302
    db.session.refresh(signoff)
    assert signoff.assignee_id == people.member1.id


def test_a_manager_reassigns_from_the_case_page(as_user, people):
    case = case_routed("sequential", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    admin = as_user("admin")
    page = text_of(admin.get(f"/cases/{case.id}"))
    assert "Reassign" in page
    assert (
        admin.post(f"/tasks/{signoff.id}/delegate", data={"to": "approver3", "reassign": "1"}).status_code
        == 302
    )
    db.session.refresh(signoff)
    assert signoff.assignee_id == people.approver3.id
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.reassigned")).actor_name
        == "admin"
    )
    assert "Reassign" not in text_of(as_user("officer").get(f"/cases/{case.id}"))
