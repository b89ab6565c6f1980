"""The training pages: everyone's own record in both languages, the completion per branch and its XLSX for
managers, the catalogue's forms refusing bad numbers on their field, a lapsed officer refused an intake."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Notification, TrainingCompletion
from app.services.people.training import catalog, readings, reminders
from tests.web.test_pages import text_of


def test_everyone_sees_their_own_record_in_both_languages(signed_in, people):
    readings.assign(
        people.risk,
        {"user_id": str(people.officer.id), "entry_ref": "/analytics/cases", "title": "担保圈案例"},
    )
    english = text_of(signed_in("officer").get("/analytics/training"))
    assert "Required courses" in english and "AML and know-your-customer" in english and "Valid" in english
    assert 'href="/analytics/cases"' in english and "I have read it" in english
    assert "Training completion per branch" not in english  # not a manager
    chinese = text_of(signed_in("officer", "zh-CN").get("/analytics/training"))
    assert "反洗钱与客户身份识别" in chinese and "贷后管理" in chinese
    assert text_of(signed_in("designer").get("/analytics/training")).count("No course is required") == 1


def test_managers_see_the_completion_per_branch_and_export_it(signed_in, people):
    risk = signed_in("risk")
    page = text_of(risk.get("/analytics/training"))
    assert (
        "Training completion per branch" in page and "Head office" in page and "Courses and sessions" in page
    )
    response = risk.get("/analytics/training?export=completion")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Branch" and rows[1][0] == "Head office" and rows[-1][0] == "Total"  # not its code
    assert risk.get("/analytics/training?export=nothing").status_code == 404
    bad = risk.get("/analytics/training?date_to=2026-13-40")
    assert bad.status_code == 422 and "date_to" in text_of(bad)
    people.officer2.branch = "beijing"
    db.session.commit()
    narrowed = text_of(risk.get("/analytics/training?branch=beijing"))
    assert "beijing" in narrowed and "head_office</td>" not in narrowed
    before = risk.get("/analytics/training?date_to=2025-12-31&export=completion")  # before the passes of 2026
    rows = list(load_workbook(io.BytesIO(before.data)).active.iter_rows(values_only=True))
    assert rows[-1][3] == 0 and rows[-1][5] == rows[-1][2]  # nothing valid yet: every course missing
    person = risk.get(f"/analytics/training/people/{people.officer.id}")
    assert person.status_code == 200 and "Training record of" in text_of(person)
    assert signed_in("officer").get(f"/analytics/training/people/{people.officer2.id}").status_code == 403
    assert signed_in("officer").get("/analytics/training/courses").status_code == 403


def test_the_course_form_names_each_refused_field(signed_in, people):
    risk = signed_in("risk")
    form = {"code": "ETHICS", "title_zh": "职业道德", "title_en": "Ethics", "topic": "other", "hours": "NaN"}
    refused = risk.post("/analytics/training/courses/new", data=form)
    assert refused.status_code == 422 and 'id="l-hours-error"' in text_of(refused)
    refused = risk.post(
        "/analytics/training/courses/new", data={**form, "hours": "2", "validity_months": "-1"}
    )
    assert refused.status_code == 422 and 'id="l-validity_months-error"' in text_of(refused)
    saved = risk.post("/analytics/training/courses/new", data={**form, "hours": "2.5", "active": "on"})
    assert saved.status_code == 302
    assert "ETHICS" in text_of(risk.get("/analytics/training/courses"))
    course = catalog.by_code("KYC_AML")
    session = risk.post(
        "/analytics/training/sessions/new",
        data={"course_id": str(course.id), "held_on": "2026-01-05", "trainer": "孙丽", "place": "总行"},
    )
    assert session.status_code == 302
    bad = risk.post(
        session.location, data={f"result_{people.officer.id}": "pass", f"score_{people.officer.id}": "1e999"}
    )
    assert bad.status_code == 422 and f'id="l-score_{people.officer.id}"' in text_of(bad)
    scored = {f"result_{people.officer.id}": "pass", f"score_{people.officer.id}": "92"}
    assert risk.post(session.location, data=scored).status_code == 302
    record = text_of(risk.get(f"/analytics/training/people/{people.officer.id}"))
    assert '<td class="num">92</td>' in record and "92.0" not in record  # as entered, not as stored (92.0)
    assert f'name="score_{people.officer.id}" inputmode="decimal" size="5" value="92"' in text_of(
        risk.get(session.location)
    )
    assert risk.post(session.location, data={f"result_{people.officer.id}": "pass"}).status_code == 302


def test_a_lapsed_officer_is_refused_an_intake_naming_the_course(as_user, people):
    course = catalog.by_code("KYC_AML")
    db.session.execute(
        TrainingCompletion.__table__.update()
        .where(TrainingCompletion.user_id == people.officer.id, TrainingCompletion.course_id == course.id)
        .values(valid_until=local_today() - timedelta(days=3))
    )
    db.session.commit()
    refused = as_user("officer").post("/cases/new", data={"process": "credit_application"})
    assert refused.status_code == 403 and "AML and know-your-customer" in text_of(refused)
    assert as_user("officer2").post("/cases/new", data={"process": "credit_application"}).status_code == 302


def test_a_reminder_opens_the_person_s_training_page(signed_in, people):
    course = catalog.by_code("KYC_AML")
    db.session.execute(
        TrainingCompletion.__table__.update()
        .where(TrainingCompletion.user_id == people.officer.id, TrainingCompletion.course_id == course.id)
        .values(valid_until=local_today() + timedelta(days=12))
    )
    db.session.commit()
    assert reminders.notify_due() >= 1
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == people.officer.id, Notification.kind == "training_expiring"
        )
    )
    officer = signed_in("officer")
    listed = text_of(officer.get("/notifications"))
    assert (
        "AML and know-your-customer" in listed and (local_today() + timedelta(days=12)).isoformat() in listed
    )
    opened = officer.post(f"/notifications/{note.id}/open")
    assert opened.status_code == 302 and opened.location.endswith("/analytics/training#required")
