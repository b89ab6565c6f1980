"""Attached documents (资料): the type read from the bytes (a PNG named .pdf, HTML, macros and a file over the
limit refused, naming the file), safe names, the SHA-256 kept and the bytes in the store under it, soft delete
seen by compliance and risk managers only, and who may read, attach and delete."""

from __future__ import annotations

import hashlib
import io

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import Attachment, AuditEvent, EarlyWarning
from app.services.attachments import attachments, pages, sniff
from app.services.attachments.attachments import Upload
from app.services.attachments.storage import LocalFolderStorage, storage
from app.services.monitoring import observations, portfolio
from tests import files
from tests.factories import case_at, case_routed
from tests.services.test_contacts import customer_of

PDF_FIELDS = {"kind": "audited_statements", "title": "2025 年审计报告", "note": "会计师事务所出具\n无保留意见"}


def upload(name: str, data: bytes, claimed: str | None = None) -> Upload:
    return Upload(name, claimed, io.BytesIO(data))


def refused(call) -> dict[str, str]:
    """The reasons, read in English whatever language the suite ran in before."""
    with force_locale("en"), pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.errors


@pytest.fixture
def customer(people):
    return customer_of(people.officer)


def test_a_pdf_is_kept_in_the_store_by_its_sha256_with_the_type_read_from_its_bytes(app, people, customer):
    made = attachments.attach_to_customer(people.officer, customer.id, upload("审计报告.pdf", files.PDF, "application/pdf"),
                                          PDF_FIELDS)
    digest = hashlib.sha256(files.PDF).hexdigest()
    assert (made.sha256, made.size, made.content_type) == (digest, len(files.PDF), "application/pdf")
    assert (made.file_name, made.title, made.note, made.customer_id) == ("审计报告.pdf", "2025 年审计报告",
                                                                         PDF_FIELDS["note"], customer.id)
    kept = app.config["DOCUMENT_STORE"] / digest[:2] / digest
    assert kept.read_bytes() == files.PDF
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "document.uploaded"))
    assert (event.customer_id, event.payload["sha256"], event.payload["document_id"]) == (customer.id, digest, made.id)
    again = attachments.attach_to_customer(people.officer, customer.id, upload("copy.pdf", files.PDF), {"kind": "other"})
    assert again.sha256 == digest and again.title == "copy.pdf"  # the same bytes, stored once
    assert attachments.content(people.compliance, made.id)[1] == files.PDF
    read = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "document.downloaded"))
    assert (read.actor_name, read.payload["document_id"]) == ("compliance", made.id)


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("scan.png", files.png(), "png"), ("photo.JPG", files.JPEG, "jpeg"), ("a.gif", files.GIF, "gif"),
    ("合同.docx", files.DOCX, "docx"), ("报表.xlsx", files.XLSX, "xlsx"), ("清单.csv", files.CSV, "csv"),
    ("说明.txt", "营业执照已核验".encode("gb18030"), "text"),
])
def test_each_kind_accepted_is_detected(people, customer, name, data, kind):
    made = attachments.attach_to_customer(people.officer, customer.id, upload(name, data), {"kind": "other"})
    assert made.content_type == sniff.TYPES[kind].mimetype


@pytest.mark.parametrize(("name", "data", "claimed", "words"), [
    ("报表.pdf", files.png(), "application/pdf", ["报表.pdf", "PNG", ".pdf"]),  # a PNG named .pdf
    ("page.html", files.HTML, "text/html", ["page.html", "HTML"]),
    ("notes.txt", files.HTML, "text/plain", ["notes.txt", "HTML"]),  # HTML named as text
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None, ["logo.svg"]),
    ("宏.docx", files.DOCM, None, ["宏.docx", "macros"]),
    ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", None, ["run.exe", "none of the kinds"]),
    ("a.zip", files.office("a.txt"), None, ["a.zip"]),
    ("empty.pdf", b"", None, ["empty.pdf", "empty"]),
    ("real.pdf", files.PDF, "image/png", ["real.pdf", "PNG", "PDF"]),  # the client says PNG: its bytes say PDF
    ("invoice\u202efdp.exe", files.PDF, None, ["invoicefdp.exe", ".exe"]),  # shown as "invoiceexe.pdf"
])
def test_a_file_whose_bytes_are_not_what_it_says_is_refused_naming_it(people, customer, name, data, claimed, words):
    errors = refused(lambda: attachments.attach_to_customer(people.officer, customer.id, upload(name, data, claimed),
                                                            {"kind": "other"}))
    assert set(errors) == {"file"}
    assert all(word in errors["file"] for word in words), errors
    assert db.session.scalar(select(Attachment.id)) is None


def test_a_file_over_the_limit_is_refused_naming_the_limit(app, monkeypatch, people, customer):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 2048)
    errors = refused(lambda: attachments.attach_to_customer(
        people.officer, customer.id, upload("big.pdf", files.PDF + b"0" * 4096), {"kind": "other"}))
    assert "big.pdf" in errors["file"] and "2 KB" in errors["file"] and "CREDIT_DOCUMENT_MAX_BYTES" in errors["file"]


def test_fields_are_checked_and_a_photo_must_be_an_image(people, customer):
    errors = refused(lambda: attachments.attach_to_customer(people.officer, customer.id, None,
                                                            {"kind": "passport", "title": "x" * 201}))
    assert set(errors) == {"file", "kind", "title"}
    errors = refused(lambda: attachments.attach_to_customer(people.officer, customer.id, upload("a.pdf", files.PDF),
                                                            {"kind": "photo"}))
    assert set(errors) == {"kind"}


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\fakepath\\审计报告.pdf", "审计报告.pdf"),
    ("a\x00b.pdf", "ab.pdf"), ("\u202ereport.pdf", "report.pdf"), ("re\u2066po\u2069rt\u200b.pdf", "report.pdf"),
    ("  ..hidden .pdf", "hidden .pdf"), ('what?<is>"this".pdf', "what__is__this_.pdf"), ("", "document"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"), ("line\nbreak.pdf", "linebreak.pdf"),
])
def test_file_names_are_made_safe(given, kept):
    assert sniff.clean_name(given) == kept


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
    assert (event.actor_name, event.payload["reason"], event.customer_id) == ("officer", "上传错了客户", customer.id)


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
    for refused_user in (people.officer2, people.approver1, people.admin, people.designer):  # not the customer's
        with pytest.raises(NotAuthorized):
            attachments.attach_to_customer(refused_user, customer.id, upload("b.pdf", files.PDF), PDF_FIELDS)
    evidence = attachments.attach_to_customer(people.compliance, customer.id, upload("kyc.pdf", files.PDF),
                                              {"kind": "kyc"})
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


def test_a_case_document_is_evidence_for_a_checklist_item_and_shown_under_it(deployed, people):
    case = case_routed("single", people.officer)
    made = attachments.attach_to_case(people.compliance, case.id, upload("筛查.pdf", files.PDF),
                                      {"kind": "other", "checklist_item": "sanctions"})
    assert (made.instance_id, made.customer_id, made.checklist_item) == (case.id, case.customer_id, "sanctions")
    section = pages.for_case(people.compliance, case, {"sanctions_evidence": "未命中"})
    shown = {e.item.code: e for e in section.checklist}
    assert [d.id for d in shown["sanctions"].rows] == [made.id] and shown["sanctions"].evidence == "未命中"
    assert shown["kyc"].rows == [] and section.may_attach
    assert [a.id for a in attachments.of_customer(people.officer, case.customer_id)] == [made.id]
    errors = refused(lambda: attachments.attach_to_case(people.compliance, case.id, upload("b.pdf", files.PDF),
                                                        {"kind": "other", "checklist_item": "astrology"}))
    assert set(errors) == {"checklist_item"}
    errors = refused(lambda: attachments.attach_to_case(people.compliance, case.id, upload("b.pdf", files.PDF),
                                                        {"kind": "other", "warning_id": "12"}))
    assert set(errors) == {"warning_id"}


def test_the_officers_who_work_a_case_attach_to_it_and_others_do_not(deployed, people):
    case = case_routed("single", people.officer)  # waiting for its approver: only officer worked it
    attachments.attach_to_case(people.officer, case.id, upload("合同.pdf", files.PDF), {"kind": "contract"})
    for outsider in (people.officer2, people.approver1):
        with pytest.raises(NotAuthorized):
            attachments.attach_to_case(outsider, case.id, upload("a.pdf", files.PDF), {"kind": "other"})
        assert not pages.for_case(outsider, case, {}).may_attach
    fresh = case_at("intake", people.officer)  # in the officers' queue: any officer may take it on
    attachments.attach_to_case(people.officer2, fresh.id, upload("a.pdf", files.PDF), {"kind": "other"})


def test_a_document_is_attached_to_a_warning_of_an_escalation(deployed, people):
    from tests.workflows.test_warning_escalation import approved_customer

    customer = approved_customer(people)
    observations.record(people.officer, {"uscc": customer.uscc, "observed_on": "2026-01-05", "days_past_due": "45"})
    portfolio.scan(people.risk)
    warning = db.session.scalar(select(EarlyWarning))
    made = attachments.attach_to_case(people.officer, warning.instance_id, upload("催收.pdf", files.PDF),
                                      {"kind": "other", "warning_id": str(warning.id)})
    assert (made.warning_id, made.customer_id) == (warning.id, customer.id)
    assert pages.for_case(people.officer, made.instance, {}).checklist == []  # an escalation has no checklist
    errors = refused(lambda: attachments.attach_to_case(people.officer, warning.instance_id,
                                                        upload("a.pdf", files.PDF),
                                                        {"kind": "other", "warning_id": str(warning.id),
                                                         "checklist_item": "kyc"}))
    assert "checklist_item" in errors


def test_bytes_changed_in_the_store_are_never_sent(app, people, customer):
    made = attachments.attach_to_customer(people.officer, customer.id, upload("a.pdf", files.PDF), PDF_FIELDS)
    kept = app.config["DOCUMENT_STORE"] / made.sha256[:2] / made.sha256
    original = kept.read_bytes()
    try:
        kept.write_bytes(original + b"tampered")
        with pytest.raises(attachments.StoredFileDamaged):
            attachments.content(people.officer, made.id)
        kept.unlink()
        with pytest.raises(NotFound):
            attachments.content(people.officer, made.id)
    finally:
        storage().put(made.sha256, original)


def test_the_folder_store_writes_whole_files_under_checked_keys(tmp_path):
    store = LocalFolderStorage(tmp_path)
    key = hashlib.sha256(b"abc").hexdigest()
    store.put(key, b"abc")
    store.put(key, b"abc")  # the same bytes again: left as they are
    assert store.exists(key) and store.open(key).read() == b"abc"
    assert [p.name for p in (tmp_path / key[:2]).iterdir()] == [key]  # no temporary file left
    for bad in ("../../etc/passwd", key.upper(), key[:-1], ""):
        with pytest.raises(ValueError):
            store.put(bad, b"x")
