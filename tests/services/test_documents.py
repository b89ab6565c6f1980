"""Credit memo and approval certificate PDFs: their content (Chinese included), the embedded CJK
font, the signed version kept when the case moves on, and who may have them."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.models import CaseDocument
from app.services.audit import documents
from app.services.cases import tasks
from tests.factories import case_routed, compliance_sign_off, open_task

APPROVE = {"decision": "approve", "comment": "同意授信，按季跟踪财务状况。"}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def fonts_of(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def approved(deployed, people):
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, APPROVE)
    compliance_sign_off(case, people.compliance)
    return case


def test_the_credit_memo_in_chinese_holds_the_figures_the_decisions_and_each_signature(approved, people):
    memo = documents.document(people.risk, approved.id, "credit_memo", "zh_CN")
    text = text_of(memo.content)
    assert "授信调查报告" in text and approved.summary["customer_name"] in text
    assert "资产负债率" in text and "2025" in text  # statements and ratios by year
    assert "credit_rating" in text and "approval_authority" in text  # the decisions that produced it
    assert "同意授信，按季跟踪财务状况。" in text and people.approver1.display_name in text
    assert any("WenQuanYi" in name for name in fonts_of(memo.content))  # the CJK font is embedded
    assert memo.sha256 and memo.size == len(memo.content) and memo.instance_version == approved.version


def test_the_approval_certificate_in_english(approved, people):
    certificate = documents.document(people.officer, approved.id, "approval_certificate", "en")
    text = text_of(certificate.content)
    assert "Approval certificate" in text and "Approved" in text
    # the compliance signature, in English and in the words of its form (the option its officer chose)
    assert "Compliance checklist" in text and "Sign off" in text and "Signed off" not in text
    assert approved.summary["uscc"] in text


def test_the_signed_version_is_kept_when_the_case_moves_on(deployed, people):
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, APPROVE)
    first = documents.document(people.officer, case.id, "credit_memo", "zh_CN")
    again = documents.document(people.officer, case.id, "credit_memo", "zh_CN")
    assert again.id == first.id  # the case has not moved: the stored file is served
    compliance_sign_off(case, people.compliance)
    after = documents.document(people.officer, case.id, "credit_memo", "zh_CN")
    assert after.id != first.id and after.instance_version > first.instance_version
    kept = db.session.get(CaseDocument, first.id)
    assert kept.content == first.content and "合规审查清单" not in text_of(kept.content)
    assert "合规审查清单" in text_of(after.content)


def test_no_certificate_before_any_sign_off_and_bad_names_are_refused(deployed, people):
    case = case_routed("single", people.officer)
    with pytest.raises(InvalidInput):
        documents.document(people.officer, case.id, "approval_certificate", "zh_CN")
    with pytest.raises(InvalidInput) as caught:
        documents.document(people.officer, case.id, "contract", "fr")
    assert set(caught.value.errors) == {"kind", "language"}
    assert db.session.scalar(select(func.count()).select_from(CaseDocument)) == 0


def test_a_role_that_may_not_read_credit_files_gets_no_document(approved, people):
    with pytest.raises(NotAuthorized):
        documents.document(people.designer, approved.id, "credit_memo", "zh_CN")
