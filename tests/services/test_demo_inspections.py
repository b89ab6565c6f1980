"""The demo's post-loan inspections (贷后检查): one signed off with a serious finding that raised a warning and
its customer's next one due soon, one overdue and escalated, one awaiting the manager's sign-off; the rest of
the book planned."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import EarlyWarning, Inspection, Notification, User
from app.services.admin import demo, demo_customer_file, demo_inspections
from app.services.audit import audit
from tests.factories import book_customer, facility

# The demo loads before any worker runs (`make run` loads, then serves): the jobs its steps queue wait in the
# outbox here too, rather than run in CI's live worker against the rows the demo is still writing.
pytestmark = pytest.mark.usefixtures("no_worker")


def test_the_demo_has_an_inspection_in_each_state_people_look_for(app, monkeypatch):
    with monkeypatch.context() as later:  # the short demo's two customers with a live facility, and one more
        later.setattr(demo_customer_file.demo_inspections, "load", lambda: iter(()))
        list(demo.load(count=len(demo.STAGES)))
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    facility(book_customer(officer, 90, grade="A", loan_class="normal"), 3_000_000)
    lines = list(demo_inspections.load())
    assert any(
        "signed off with a high finding (warning: inspection_finding_serious" in line for line in lines
    )
    today = local_today()
    opened = list(db.session.scalars(select(Inspection).where(Inspection.instance_id.is_not(None))))
    [signed] = [i for i in opened if i.status == "signed_off"]
    assert signed.worst_severity == "high" and signed.signed_off_by.username == "approver"
    warning = db.session.scalar(select(EarlyWarning).where(EarlyWarning.code == "inspection_finding_serious"))
    assert warning.customer_id == signed.customer_id and warning.instance_id is not None
    [awaiting] = [i for i in opened if i.status == "submitted"]
    assert awaiting.visited_on is not None
    [overdue] = [i for i in opened if i.status == "open" and i.due_on < today]
    assert overdue.escalated_at is not None
    assert db.session.scalar(select(Notification).where(Notification.kind == "inspection_escalated"))
    [soon] = [i for i in opened if i.status == "open" and i.due_on > today]
    assert (soon.due_on - today).days == 10 and soon.customer_id == signed.customer_id
    assert list(demo_inspections.load()) == []  # loaded again: nothing added
    assert audit.verify_chain().ok
