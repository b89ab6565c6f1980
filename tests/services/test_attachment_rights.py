"""Who may read, attach and delete a customer's or a case's documents; a deleted document is seen by compliance and
risk managers only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, NotAuthorized, NotFound
from app.extensions import db
from app.models import AuditEvent
from app.services.attachments import attachments, pages
from tests import files
from tests.factories import case_at, case_routed
from tests.services.uploads import PDF_FIELDS, refused, upload


def test_a_deleted_document_is_gone_for_officers_and_kept_for_compliance_and_risk_managers(people, customer):
    made = attachments.attach_to_customer(people.officer, customer.id, upload("a.pdf", files.PDF), PDF_FIELDS)
    assert set(refused(lambda: attachments.delete(people.officer, made.id, {"reason": " "}))) == {"reason"}
    attachments.delete(people.officer, made.id, {"reason": "上传错了客户"})
    assert attachments.of_customer(people.officer, customer.id) == []
    assert attachments.of_customer(people.approver1, customer.id) == []
    with pytest.raises(NotFound):
        attachments.get(people.officer, made.id)
    with pytest.raises(NotFound):
        attachments.content(people.officer, made.id)
    for reader in (people.compliance, people.risk):
        [seen] = attachments.of_customer(reader, customer.id)
        assert (seen.deleted_by_id, seen.delete_reason) == (people.officer.id, "上传错了客户")
        assert attachments.content(reader, made.id)[1] == files.PDF
    with pytest.raises(Conflict):
        attachments.delete(people.risk, made.id, {"reason": "again"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "document.deleted"))
    assert (event.actor_name, event.payload["reason"], event.customer_id) == (
        "officer",
        "上传错了客户",
        customer.id,
    )


def test_who_may_read_attach_and_delete(people, customer):
    mine = attachments.attach_to_customer(people.officer, customer.id, upload("a.pdf", files.PDF), PDF_FIELDS)
    for outsider in (people.admin, people.designer):
        with pytest.raises(NotAuthorized):
            attachments.of_customer(outsider, customer.id)
        with pytest.raises(NotAuthorized):
            attachments.content(outsider, mine.id)
        assert pages.for_customer(outsider, customer) is None  # their customer page shows no documents
    for reader in (people.officer2, people.approver1, people.risk, people.compliance):
        assert [a.id for a in attachments.of_customer(reader, customer.id)] == [mine.id]
    for refused_user in (
        people.officer2,
        people.approver1,
        people.admin,
        people.designer,
    ):  # not the customer's
        with pytest.raises(NotAuthorized):
            attachments.attach_to_customer(refused_user, customer.id, upload("b.pdf", files.PDF), PDF_FIELDS)
    evidence = attachments.attach_to_customer(
        people.compliance, customer.id, upload("kyc.pdf", files.PDF), {"kind": "kyc"}
    )
    attachments.attach_to_customer(people.risk, customer.id, upload("r.pdf", files.PDF), {"kind": "other"})
    for not_theirs in (people.officer2, people.compliance, people.approver1):
        with pytest.raises(NotAuthorized):
            attachments.delete(not_theirs, mine.id, {"reason": "x"})
    with pytest.raises(NotAuthorized):
        attachments.delete(people.officer, evidence.id, {"reason": "x"})
    attachments.delete(people.compliance, evidence.id, {"reason": "换新版本"})  # whoever attached it
    attachments.delete(people.risk, mine.id, {"reason": "重复"})  # a risk manager, anyone's
    with pytest.raises(NotFound):
        attachments.of_customer(people.officer, 10**6)


def test_the_officers_who_work_a_case_attach_to_it_and_others_do_not(deployed, people):
    case = case_routed("single", people.officer)  # waiting for its approver: only officer worked it
    attachments.attach_to_case(people.officer, case.id, upload("合同.pdf", files.PDF), {"kind": "contract"})
    for outsider in (people.officer2, people.approver1):
        with pytest.raises(NotAuthorized):
            attachments.attach_to_case(outsider, case.id, upload("a.pdf", files.PDF), {"kind": "other"})
        assert not pages.for_case(outsider, case, {}).may_attach
    fresh = case_at("intake", people.officer)  # in the officers' queue: any officer may take it on
    attachments.attach_to_case(people.officer2, fresh.id, upload("a.pdf", files.PDF), {"kind": "other"})
