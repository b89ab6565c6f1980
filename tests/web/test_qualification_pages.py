"""Qualifications on the pages: the administrator records one; an approver without one is told why."""

from __future__ import annotations

from sqlalchemy import delete

from app.extensions import db
from app.models import TrainingCompletion
from app.services.approval import qualifications
from tests.factories import approval_passes, case_routed, open_task
from tests.web.test_pages import text_of


def test_an_unqualified_approver_is_told_why_and_the_administrator_renews(as_user, people):
    case = case_routed("single", people.officer)
    db.session.execute(
        delete(TrainingCompletion).where(TrainingCompletion.user_id == people.approver1.id, approval_passes())
    )
    db.session.commit()
    approver = as_user("approver1")
    inbox = text_of(approver.get("/inbox"))
    assert "no approval qualification on record" in inbox
    assert f"/tasks/{open_task(case.id, 'approval_signoff').id}" not in inbox
    admin = as_user("admin")
    assert "none on record" in text_of(admin.get("/admin/settings"))
    url = f"/admin/users/{people.approver1.id}/qualifications"
    bad = admin.post(url, data={"certificate": "", "valid_until": "x"})
    assert bad.status_code == 422 and "a date as YYYY-MM-DD" in text_of(bad)
    done = admin.post(url, data={"certificate": "CQ-2026-0107", "valid_until": "2029-06-30"})
    assert (
        done.status_code == 302 and qualifications.valid_until(people.approver1).isoformat() == "2029-06-30"
    )
    assert f"/tasks/{open_task(case.id, 'approval_signoff').id}" in text_of(approver.get("/inbox"))
