"""The approval certificate (审批意见书) is offered only when the case can produce one, approved and decided:
every document link on a case page leads to a PDF, never to a refusal."""

from __future__ import annotations

import re

import pytest

from app.services.cases import tasks, withdrawal
from tests.factories import case_at, case_routed, compliance_sign_off, open_task
from tests.web.test_pages import text_of


def approved(people):
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
    compliance_sign_off(case, people.compliance)
    return case


def rejected(people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "reject", "comment": "风险过高"},
    )
    return case


def approved_awaiting_compliance(people):
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
    return case


def withdrawn(people):
    case = case_at("statements", people.officer)
    withdrawal.withdraw(people.officer, case.id, "客户另行融资")
    return case


@pytest.mark.parametrize(
    "make, certificate",
    [(approved, True), (rejected, False), (approved_awaiting_compliance, False), (withdrawn, False)],
)
def test_every_document_link_leads_to_a_document(as_user, people, make, certificate):
    case = make(people)
    risk = as_user("risk")
    page = text_of(risk.get(f"/cases/{case.id}"))
    links = set(re.findall(rf'href="(/cases/{case.id}/documents/\w+\.pdf\?lang=\w+)"', page))
    assert any("credit_memo" in link for link in links)
    assert any("approval_certificate" in link for link in links) is certificate
    for link in links:
        response = risk.get(link.replace("&amp;", "&"))
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), link
    if not certificate:  # asked for all the same, it is refused saying why
        refused = risk.get(f"/cases/{case.id}/documents/approval_certificate.pdf?lang=en")
        assert refused.status_code == 422 and "approved and the case decided" in text_of(refused)
