"""Documents from the case page: download as PDF, kept versions listed, refusals answered 4xx."""

from __future__ import annotations

from app.services.cases import tasks
from tests.factories import case_routed, compliance_sign_off, open_task
from tests.web.test_pages import text_of


def test_the_case_page_offers_the_documents_and_lists_what_was_kept(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
    compliance_sign_off(case, people.compliance)
    risk = as_user("risk")
    page = text_of(risk.get(f"/cases/{case.id}"))
    assert f"/cases/{case.id}/documents/credit_memo.pdf?lang=zh_CN" in page
    response = risk.get(f"/cases/{case.id}/documents/approval_certificate.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and "attachment" in response.headers["Content-Disposition"]
    page = text_of(risk.get(f"/cases/{case.id}"))
    assert "Kept versions" in page and response.headers["X-Content-SHA256"][:12] in page


def test_document_refusals_are_4xx_not_500(as_user, people):
    case = case_routed("single", people.officer)
    officer = as_user("officer")
    assert (
        officer.get(f"/cases/{case.id}/documents/approval_certificate.pdf").status_code == 422
    )  # no sign-off
    assert officer.get(f"/cases/{case.id}/documents/contract.pdf").status_code == 422
    assert officer.get(f"/cases/{case.id}/documents/kept/999.pdf").status_code == 404
    assert as_user("designer").get(f"/cases/{case.id}/documents/credit_memo.pdf").status_code == 403
