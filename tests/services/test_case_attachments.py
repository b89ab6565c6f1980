"""A case's documents: evidence for a checklist item, a warning's, one attached at intake reaching the customer once
the case is linked, and every audit row of a case's document on the case's trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Attachment, AuditEvent, EarlyWarning, ProcessInstance
from app.services.attachments import attachments, pages
from app.services.audit import audit
from app.services.cases import tasks
from app.services.monitoring import observations, portfolio
from tests import files
from tests.factories import case_at, case_routed, intake, open_task
from tests.services.uploads import refused, upload


def test_a_case_document_is_evidence_for_a_checklist_item_and_shown_under_it(deployed, people):
    case = case_routed("single", people.officer)
    made = attachments.attach_to_case(
        people.compliance,
        case.id,
        upload("筛查.pdf", files.PDF),
        {"kind": "other", "checklist_item": "sanctions"},
    )
    assert (made.instance_id, made.customer_id, made.checklist_item) == (
        case.id,
        case.customer_id,
        "sanctions",
    )
    section = pages.for_case(people.compliance, case, {"sanctions_evidence": "未命中"})
    shown = {e.item.code: e for e in section.checklist}
    assert [d.id for d in shown["sanctions"].rows] == [made.id] and shown["sanctions"].evidence == "未命中"
    assert shown["kyc"].rows == [] and section.may_attach
    assert [a.id for a in attachments.of_customer(people.officer, case.customer_id)] == [made.id]
    errors = refused(
        lambda: attachments.attach_to_case(
            people.compliance,
            case.id,
            upload("b.pdf", files.PDF),
            {"kind": "other", "checklist_item": "astrology"},
        )
    )
    assert set(errors) == {"checklist_item"}
    errors = refused(
        lambda: attachments.attach_to_case(
            people.compliance, case.id, upload("b.pdf", files.PDF), {"kind": "other", "warning_id": "12"}
        )
    )
    assert set(errors) == {"warning_id"}


def test_a_document_is_attached_to_a_warning_of_an_escalation(deployed, people):
    from tests.workflows.test_warning_escalation import approved_customer

    customer = approved_customer(people)
    observations.record(
        people.officer, {"uscc": customer.uscc, "observed_on": "2026-01-05", "days_past_due": "45"}
    )
    portfolio.scan(people.risk)
    warning = db.session.scalar(select(EarlyWarning))
    made = attachments.attach_to_case(
        people.officer,
        warning.instance_id,
        upload("催收.pdf", files.PDF),
        {"kind": "other", "warning_id": str(warning.id)},
    )
    assert (made.warning_id, made.customer_id) == (warning.id, customer.id)
    assert pages.for_case(people.officer, made.instance, {}).checklist == []  # an escalation has no checklist
    errors = refused(
        lambda: attachments.attach_to_case(
            people.officer,
            warning.instance_id,
            upload("a.pdf", files.PDF),
            {"kind": "other", "warning_id": str(warning.id), "checklist_item": "kyc"},
        )
    )
    assert "checklist_item" in errors


def test_a_document_attached_at_intake_reaches_the_customer_once_the_case_is_linked(deployed, people):
    case = case_at("intake", people.officer)
    assert case.customer_id is None
    early = attachments.attach_to_case(
        people.officer, case.id, upload("营业执照.pdf", files.PDF), {"kind": "kyc"}
    )
    assert early.customer_id is None  # nobody knows the customer yet
    tasks.complete(people.officer, open_task(case.id, "application_intake").id, intake())
    db.session.expire_all()
    customer_id = db.session.get(ProcessInstance, case.id).customer_id
    assert customer_id is not None and db.session.get(Attachment, early.id).customer_id == customer_id
    assert [a.id for a in attachments.of_customer(people.officer, customer_id)] == [early.id]
    assert [
        r.id
        for r in pages.for_customer(people.officer, db.session.get(ProcessInstance, case.id).customer).rows
    ] == [early.id]
    later = attachments.attach_to_case(people.officer, case.id, upload("b.pdf", files.PDF), {"kind": "other"})
    assert later.customer_id == customer_id
    own = attachments.attach_to_customer(
        people.officer, customer_id, upload("c.pdf", files.PDF), {"kind": "other"}
    )
    # a case's document kept without the customer (before this was mended) is still the customer's
    db.session.execute(update(Attachment).where(Attachment.id == early.id).values(customer_id=None))
    db.session.expire_all()
    assert {a.id for a in attachments.of_customer(people.officer, customer_id)} == {
        early.id,
        later.id,
        own.id,
    }


def test_every_audit_row_of_a_case_document_is_on_the_case_and_the_customer(deployed, people):
    case = case_routed("single", people.officer)
    made = attachments.attach_to_case(people.officer, case.id, upload("a.pdf", files.PDF), {"kind": "other"})
    attachments.content(people.approver1, made.id)
    attachments.content(people.approver1, made.id, inline=True)
    attachments.delete(people.officer, made.id, {"reason": "重复"})
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event_type.like("document.%")).order_by(AuditEvent.id)
    ).all()
    assert [r.event_type for r in rows] == [
        "document.uploaded",
        "document.downloaded",
        "document.downloaded",
        "document.deleted",
    ]
    for row in rows:
        assert (row.instance_id, row.customer_id) == (case.id, case.customer_id), row.event_type
        assert not {"case_id", "instance_id", "customer_id"} & set(row.payload), row.payload
    with pytest.raises(TypeError, match="instance_id"):
        audit.record("document.downloaded", people.officer, case_id=case.id)
