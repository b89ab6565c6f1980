"""The pages of post-loan inspections (贷后检查): the officer's record with its findings table and photos, the
manager's sign-off reading the record, the customer's section, the managers' list, and one started by hand
from a warning or the customer's page — each refusal a 4xx naming the field."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Attachment, EarlyWarning, Inspection
from app.services.customers.inspections import planning
from app.services.monitoring import portfolio
from tests import files
from tests.workflows.test_post_loan_inspection import visit
from tests.workflows.test_warning_escalation import approved_customer, observe, ready


def first_inspection(people) -> tuple[int, int]:
    customer = approved_customer(people)
    [case_id] = planning.start_due()
    return customer.id, case_id


def posted(record: dict) -> dict:
    """``record`` as the task's HTML form posts it (findings as rows of cells)."""
    form = {k: v for k, v in record.items() if k != "findings"}
    for index, finding in enumerate(record.get("findings") or ()):
        form.update({f"findings-{index}-{key}": value for key, value in finding.items()})
    return form


def test_the_officer_records_the_visit_with_findings_as_rows_and_attaches_a_photo(as_user, people):
    customer_id, case_id = first_inspection(people)
    task = ready(case_id, "record_visit")
    officer = as_user("officer", "zh-CN")
    page = officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "记录贷后检查" in page and "流动资金周转" in page  # the agreed purpose, read-only
    assert 'class="form-table form-table-rows"' in page and 'name="findings-2-text"' in page
    assert 'id="task-documents"' in page and "attach-to-task" in page
    attach = officer.get(f"/cases/{case_id}/documents/new?kind=photo&task_id={task.id}")
    assert f'name="task_id" value="{task.id}"' in attach.get_data(as_text=True)
    sent = officer.post(
        f"/cases/{case_id}/documents/new",
        data={
            "kind": "photo",
            "title": "厂房照片",
            "task_id": str(task.id),
            "file": (io.BytesIO(files.png()), "site.png"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/tasks/{task.id}#task-documents")
    assert db.session.scalar(select(Attachment.instance_id)) == case_id
    assert "厂房照片" in officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    done = officer.post(f"/tasks/{task.id}", data=posted(visit()))
    assert done.status_code == 302, done.get_data(as_text=True)
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection).where(Inspection.instance_id == case_id))
    assert inspection.status == "submitted" and inspection.findings[0]["severity"] == "low"


def test_a_bad_record_is_refused_naming_each_field(as_user, people):
    _customer_id, case_id = first_inspection(people)
    task = ready(case_id, "record_visit")
    bad = posted(visit(findings=[{"severity": "high", "area": "", "text": "资金转入关联方"}], operations=""))
    bad["visited_on"] = (local_today() + timedelta(days=2)).isoformat()
    answer = as_user("officer").post(f"/tasks/{task.id}", data=bad)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="f-findings-0-area-error"' in page and "Findings (Item 1): Area is required" in page
    assert 'id="f-operations-error"' in page
    assert db.session.scalar(select(Inspection.status)) == "open"


def test_the_manager_signs_off_reading_the_record_and_the_customer_page_shows_it(as_user, people):
    customer_id, case_id = first_inspection(people)
    as_user("officer").post(f"/tasks/{ready(case_id, 'record_visit').id}", data=posted(visit()))
    sign_off = ready(case_id, "sign_off_inspection")
    manager = as_user("approver1", "zh-CN")
    page = manager.get(f"/tasks/{sign_off.id}").get_data(as_text=True)
    assert 'id="decided-on"' in page and "库存略有上升" in page and "抵押厂房完好" in page
    assert manager.post(f"/tasks/{sign_off.id}", data={"signoff_decision": "sign_off"}).status_code == 302
    shown = as_user("compliance", "zh-CN").get(f"/customers/{customer_id}").get_data(as_text=True)
    assert 'id="inspections"' in shown and 'id="last-inspection"' in shown and "库存略有上升" in shown
    assert 'class="status status-planned"' in shown.split('id="next-inspection"')[1].split("</dd>")[0]
    case_page = as_user("risk").get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="inspection-record"' in case_page and 'id="inspection-signoff"' in case_page


def test_the_list_shows_the_managers_what_is_overdue_awaiting_and_found(as_user, people):
    _customer_id, case_id = first_inspection(people)
    inspection = db.session.scalar(select(Inspection))
    inspection.due_on = local_today() - timedelta(days=3)
    db.session.commit()
    page = as_user("risk").get("/inspections").get_data(as_text=True)
    assert 'id="overdue"' in page and f'data-inspection="{inspection.id}"' in page and "data-overdue" in page
    assert as_user("approver1").get("/inspections").status_code == 200  # its branch
    assert as_user("officer").get("/inspections").status_code == 403


def test_an_inspection_is_started_from_an_open_warning_and_linked_to_it(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, on=(local_today() - timedelta(days=1)).isoformat(), days_past_due="45")
    portfolio.scan(people.risk)
    warning = db.session.scalar(select(EarlyWarning))
    case_page = as_user("officer").get(f"/cases/{warning.instance_id}").get_data(as_text=True)
    assert f'data-inspect="{warning.id}"' in case_page
    answer = as_user("officer").post(f"/warnings/{warning.id}/inspection")
    assert answer.status_code == 302 and "/tasks/" in answer.headers["Location"]  # the officer's record
    inspection = db.session.scalar(select(Inspection).where(Inspection.status == "open"))
    assert (inspection.kind, inspection.warning_id) == ("ad_hoc", warning.id)
    again = as_user("risk").post(f"/warnings/{warning.id}/inspection")
    assert again.status_code == 409 and inspection.instance.reference in again.get_data(as_text=True)


def test_one_started_from_the_customer_page_needs_a_reason_and_a_due_date_within_reach(as_user, people):
    customer = approved_customer(people)
    officer = as_user("officer")
    form = officer.get(f"/customers/{customer.id}/inspections/new")
    assert form.status_code == 200 and 'id="i-reason"' in form.get_data(as_text=True)
    refused = officer.post(
        f"/customers/{customer.id}/inspections/new",
        data={"reason": "", "due_on": (local_today() + timedelta(days=90)).isoformat()},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="i-reason-error"' in page and 'id="i-due_on-error"' in page
    assert db.session.scalar(select(Inspection)) is None
    started = officer.post(
        f"/customers/{customer.id}/inspections/new", data={"reason": "客户主要股东涉诉，需实地了解经营情况。"}
    )
    assert started.status_code == 302
    assert db.session.scalar(select(Inspection.kind)) == "ad_hoc"
    assert as_user("officer2").get(f"/customers/{customer.id}/inspections/new").status_code == 403
    assert (
        as_user("approver1")
        .post(f"/customers/{customer.id}/inspections/new", data={"reason": "x"})
        .status_code
        == 403
    )
