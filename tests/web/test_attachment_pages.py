"""Attached documents (资料) in the browser's pages and over the API: the sections on the customer and case pages,
the upload form (a refused file is a 422 naming it), a document's page with its preview, downloads sent as
attachments with the type read from the bytes and ``nosniff`` (PDF and images inline only as a preview), the
delete with its reason, and 403/404 for who may not; the pages read their documents in as many statements for ten
documents as for one."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Attachment, User
from app.services.admin import users
from app.services.attachments import attachments
from app.services.attachments.attachments import Upload
from app.services.attachments.sniff import TYPES
from tests import files
from tests.factories import PASSWORD, case_at, case_routed
from tests.services.test_contacts import customer_of


@pytest.fixture
def customer(people):
    return customer_of(people.officer)


def attach(user, customer_id: int, name: str, data: bytes, **fields) -> Attachment:
    return attachments.attach_to_customer(
        user, customer_id, Upload(name, None, io.BytesIO(data)), {"kind": "other", **fields}
    )


def csp(response) -> dict[str, str]:
    parts = (p.strip() for p in response.headers["Content-Security-Policy"].split(";"))
    return {p.split(" ", 1)[0]: p for p in parts if p}


def test_an_officer_attaches_a_document_through_the_form_and_sees_it_listed(signed_in, customer):
    officer = signed_in("officer")
    page = officer.get(f"/customers/{customer.id}").text
    assert 'id="documents"' in page and f"/customers/{customer.id}/documents/new" in page
    form = officer.get(f"/customers/{customer.id}/documents/new")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text and "20 MB" in form.text
    response = officer.post(
        f"/customers/{customer.id}/documents/new",
        content_type="multipart/form-data",
        data={
            "kind": "kyc",
            "title": "营业执照",
            "note": "副本\n已核验",
            "file": (io.BytesIO(files.PDF), "营业执照.pdf"),
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/customers/{customer.id}#documents"
    )
    made = db.session.scalar(select(Attachment))
    listed = officer.get(f"/customers/{customer.id}").text
    assert (
        "营业执照" in listed
        and "KYC papers" in listed
        and made.sha256[:12] in listed
        and "营业执照.pdf" in listed
    )


def test_a_refused_file_is_a_422_naming_it_on_the_form(signed_in, customer):
    officer = signed_in("officer")
    response = officer.post(
        f"/customers/{customer.id}/documents/new",
        content_type="multipart/form-data",
        data={"kind": "kyc", "file": (io.BytesIO(files.png()), "执照.pdf")},
    )
    assert response.status_code == 422
    assert "执照.pdf" in response.text and "PNG" in response.text and 'id="d-file-error"' in response.text
    response = officer.post(
        f"/customers/{customer.id}/documents/new",
        content_type="multipart/form-data",
        data={"kind": "kyc", "file": (io.BytesIO(files.PDF), "a\x00b.pdf")},
    )
    assert response.status_code == 422 and "NUL" in response.text  # the request guard: before any view
    assert db.session.scalar(select(Attachment.id)) is None


def test_downloads_are_attachments_with_the_detected_type_and_nosniff(signed_in, people, customer):
    word = attach(people.officer, customer.id, "合同.docx", files.DOCX, title="借款合同")
    pdf = attach(people.officer, customer.id, "报告.pdf", files.PDF)
    client = signed_in("approver1")
    response = client.get(f"/documents/{word.id}/download")
    assert response.status_code == 200 and response.data == files.DOCX
    assert response.headers["Content-Type"] == TYPES["docx"].mimetype
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%90%88%E5%90%8C.docx" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Content-SHA256"] == word.sha256
    assert client.get(f"/documents/{word.id}/preview").status_code == 404  # only PDF and images are previewed
    page = client.get(f"/documents/{word.id}")
    assert "<iframe" not in page.text and "<img" not in page.text and "借款合同" in page.text
    download = client.get(f"/documents/{pdf.id}/download")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    preview = client.get(f"/documents/{pdf.id}/preview")
    assert preview.status_code == 200 and preview.headers["Content-Type"] == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("inline;")
    assert (
        preview.headers["X-Content-Type-Options"] == "nosniff"
        and preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    )
    assert csp(preview)["frame-ancestors"] == "frame-ancestors 'self'" and csp(preview)[
        "default-src"
    ].endswith("'none'")
    assert (
        csp(preview)["sandbox"] == "sandbox"
    )  # an origin of its own, no script: a PDF that is HTML too reaches nothing
    page = client.get(f"/documents/{pdf.id}")
    assert (
        f'<iframe src="/documents/{pdf.id}/preview"' in page.text
        and csp(page)["frame-src"] == "frame-src 'self'"
    )
    assert (
        csp(client.get(f"/customers/{customer.id}"))["frame-src"] == "frame-src 'none'"
    )  # other pages frame nothing


def test_an_image_is_previewed_as_an_image(signed_in, people, customer):
    photo = attach(people.officer, customer.id, "厂房.png", files.png(), kind="photo")
    client = signed_in("compliance")
    assert f'<img src="/documents/{photo.id}/preview"' in client.get(f"/documents/{photo.id}").text
    response = client.get(f"/documents/{photo.id}/preview")
    assert response.headers["Content-Type"] == "image/png" and response.headers[
        "Content-Disposition"
    ].startswith("inline")


def test_who_may_not_is_refused_and_a_deleted_document_is_gone_but_for_compliance(
    signed_in, people, customer
):
    made = attach(people.officer, customer.id, "a.pdf", files.PDF, title="审计报告")
    for role_user in ("admin", "designer"):
        client = signed_in(role_user)
        for path in (
            f"/documents/{made.id}",
            f"/documents/{made.id}/download",
            f"/documents/{made.id}/preview",
        ):
            assert client.get(path).status_code == 403, (role_user, path)
    assert 'id="documents"' not in signed_in("admin").get(f"/customers/{customer.id}").text
    officer2 = signed_in("officer2")
    assert officer2.get(f"/customers/{customer.id}/documents/new").status_code == 403
    assert "/documents/new" not in officer2.get(f"/customers/{customer.id}").text
    assert officer2.post(f"/documents/{made.id}/delete", data={"reason": "x"}).status_code == 403
    assert officer2.get("/documents/999999").status_code == 404

    officer = signed_in("officer")
    assert 'id="delete-form"' in officer.get(f"/documents/{made.id}").text
    assert officer.post(f"/documents/{made.id}/delete", data={"reason": ""}).status_code == 422
    response = officer.post(f"/documents/{made.id}/delete", data={"reason": "上传错了\n应为另一客户"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#documents")
    assert officer.get(f"/documents/{made.id}").status_code == 404
    assert "审计报告" not in officer.get(f"/customers/{customer.id}").text
    compliance = signed_in("compliance")
    page = compliance.get(f"/documents/{made.id}")
    assert page.status_code == 200 and 'id="deleted"' in page.text and "上传错了" in page.text
    listed = compliance.get(f"/customers/{customer.id}").text
    assert "审计报告" in listed and 'class="deleted"' in listed


def test_compliance_attaches_evidence_to_a_checklist_item_and_the_case_page_shows_it_there(
    signed_in, deployed, people
):
    case = case_routed("single", people.officer)
    compliance = signed_in("compliance")
    form = compliance.get(f"/cases/{case.id}/documents/new?checklist_item=sanctions")
    assert '<option value="sanctions" selected>' in form.text
    response = compliance.post(
        f"/cases/{case.id}/documents/new",
        content_type="multipart/form-data",
        data={
            "kind": "other",
            "title": "反洗钱筛查结果",
            "checklist_item": "sanctions",
            "file": (io.BytesIO(files.PDF), "screening.pdf"),
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/cases/{case.id}#attachments"
    )
    page = compliance.get(f"/cases/{case.id}").text
    evidence = page[page.index('data-checklist-item="sanctions"') :]
    assert "反洗钱筛查结果" in evidence[: evidence.index("</dd>")]
    kyc = page[page.index('data-checklist-item="kyc"') :]
    assert "反洗钱筛查结果" not in kyc[: kyc.index("</dd>")]
    assert "反洗钱筛查结果" in signed_in("officer").get(f"/customers/{case.customer_id}").text


def api_headers(username: str) -> dict:
    return {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token(username)}"}


def test_the_api_lists_attaches_describes_and_sends_documents(client, deployed, people):
    case = case_routed("single", people.officer)
    customer_id, officer = case.customer_id, api_headers("officer")
    response = client.post(
        f"/api/v1/customers/{customer_id}/documents",
        headers=officer,
        data={
            "kind": "audited_statements",
            "note": "两行\n说明",
            "file": (io.BytesIO(files.PDF), "2025审计报告.pdf"),
        },
    )
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert (made["title"], made["content_type"], made["case_id"]) == (
        "2025审计报告.pdf",
        "application/pdf",
        None,
    )
    on_case = client.post(
        f"/api/v1/customers/{customer_id}/documents",
        headers=officer,
        data={"kind": "contract", "case_id": str(case.id), "file": (io.BytesIO(files.DOCX), "合同.docx")},
    ).get_json()
    assert on_case["case_id"] == case.id
    listed = client.get(
        f"/api/v1/customers/{customer_id}/documents", headers=api_headers("approver1")
    ).get_json()
    assert [d["id"] for d in listed["documents"]] == [on_case["id"], made["id"]]
    one = client.get(f"/api/v1/documents/{made['id']}", headers=api_headers("compliance")).get_json()
    assert one["sha256"] == made["sha256"] and one["content_url"] == f"/api/v1/documents/{made['id']}/content"
    content = client.get(one["content_url"], headers=api_headers("compliance"))
    assert content.data == files.PDF and content.headers["Content-Disposition"].startswith("attachment;")
    assert content.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("user", "data", "status", "field"),
    [
        (
            "officer",
            {"kind": "kyc", "file": (io.BytesIO(b"<html><script>x</script></html>"), "a.txt")},
            422,
            "file",
        ),
        ("officer", {"kind": "kyc"}, 422, "file"),
        (
            "officer",
            {"kind": "kyc", "case_id": "999999", "file": (io.BytesIO(files.PDF), "a.pdf")},
            422,
            "case_id",
        ),
        ("approver1", {"kind": "kyc", "file": (io.BytesIO(files.PDF), "a.pdf")}, 403, None),
        ("designer", {"kind": "kyc", "file": (io.BytesIO(files.PDF), "a.pdf")}, 403, None),
    ],
)
def test_a_refused_upload_over_the_api(client, people, customer, user, data, status, field):
    response = client.post(f"/api/v1/customers/{customer.id}/documents", headers=api_headers(user), data=data)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["errors"]
    assert client.get(f"/api/v1/customers/{customer.id}/documents").status_code == 401


def test_the_openapi_document_describes_the_documents_routes(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/customers/{id}/documents", "/documents/{id}", "/documents/{id}/content"} <= set(doc["paths"])
    body = doc["paths"]["/customers/{id}/documents"]["post"]["requestBody"]["content"]
    assert body["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/NewDocument"}
    assert "kyc" in doc["components"]["schemas"]["NewDocument"]["properties"]["kind"]["enum"]


def statements(call: Callable[[], object]) -> list[str]:
    """The SQL statements ``call`` sends, read from a session holding nothing yet (as a request's does)."""
    db.session.expunge_all()
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return sent


def test_the_pages_read_ten_documents_in_as_many_statements_as_one(signed_in, deployed, people):
    """Who attached and deleted each document, its case and its warning are read with the list, not one by one:
    ten documents, each on its own case, attached and half deleted by ten different people, cost the customer's
    and the case's page no more statements than one."""
    officer = people.officer
    cases = [
        case_at("statements", officer) for _ in range(10)
    ]  # one customer (the same credit code), ten cases
    customer_id, first = cases[0].customer_id, cases[0].id
    assert {c.customer_id for c in cases} == {customer_id}
    staff = [users.create_user(f"risk{i}", "risk_manager", PASSWORD)[0].id for i in range(10)]
    compliance = signed_in("compliance")  # sees deleted documents too, with who deleted them

    def attach_up_to(count: int) -> None:
        for i in range(count):
            if db.session.scalar(select(Attachment.id).where(Attachment.title == f"doc{i}")) is not None:
                continue
            by = db.session.get(User, staff[i])
            on_case = attachments.attach_to_case(
                by,
                cases[i].id,
                Upload("a.pdf", None, io.BytesIO(files.PDF)),
                {"kind": "other", "title": f"doc{i}"},
            )
            attachments.attach_to_case(
                by,
                first,
                Upload("b.pdf", None, io.BytesIO(files.PDF)),
                {"kind": "other", "title": f"evidence{i}", "checklist_item": "kyc"},
            )
            if i % 2 == 0:  # the first too: one document deleted or ten, the same statements
                attachments.delete(db.session.get(User, staff[(i + 1) % 10]), on_case.id, {"reason": "重复"})

    sent = {}
    for count in (1, 10):
        attach_up_to(count)
        customer_page = statements(lambda: compliance.get(f"/customers/{customer_id}"))
        case_page = statements(lambda: compliance.get(f"/cases/{first}"))
        api = statements(
            lambda: compliance.get(
                f"/api/v1/customers/{customer_id}/documents", headers=api_headers("compliance")
            )
        )
        sent[count] = (len(customer_page), len(case_page), len(api))
    page = compliance.get(f"/customers/{customer_id}").text
    assert all(f"doc{i}" in page for i in range(10)) and page.count('class="deleted"') == 5
    assert sent[10] == sent[1], sent
