"""The timeline, the submissions, the audit log and the case history read as words: field titles and the
values as the form shows them, step and people names, event names — not ids and JSON keys. The exceptions
page names and links its cases, customers and people."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from app.extensions import db
from app.services.cases import delegation, tasks
from app.web.vocabulary import EVENT_FAMILIES, EVENT_TYPES
from tests.factories import case_at, case_routed, open_task, review
from tests.web.test_pages import text_of


def timeline(page: str) -> str:
    return page.split('id="timeline"')[1].split("</ol>")[0]


def test_the_timeline_names_people_steps_and_each_submitted_field_as_its_form_shows_it(as_user, people):
    named(people)
    case = case_routed("single", people.officer)  # intake: listed is False, industry "manufacturing"
    shown = timeline(text_of(as_user("compliance").get(f"/cases/{case.id}")))
    intake = shown.split('data-element="application_intake" data-event="task.completed"')[1].split("</li>")[0]
    assert (
        people.officer.display_name in intake and "Capture application" in intake
    )  # person and step by name
    assert "Customer name" in intake and "Industry" in intake and "Manufacturing" in intake
    assert "Listed company" in intake and "<dd>No</dd>" in intake  # a yes/no as the form shows it
    assert "CNY 5,000,000.00" in intake  # money with its unit
    for code in ("<code>", "customer_name", "requested_amount", '"manufacturing"', "false"):
        assert f">{code}<" not in intake and f"<dt>{code}</dt>" not in intake
    statements = shown.split('data-element="financial_statements" data-event="task.completed"')[1].split(
        "</li>"
    )[0]
    assert "2024, 2025" in statements  # a columns table by its columns, not its JSON
    assert "fiscal_year" not in statements


def test_the_history_csv_adds_readable_columns_and_the_pdf_shows_field_titles(as_user, people):
    named(people)
    case = case_routed("single", people.officer)
    auditor = as_user("compliance")
    rows = list(
        csv.DictReader(
            io.StringIO(auditor.get(f"/cases/{case.id}/history.csv").get_data().decode("utf-8-sig"))
        )
    )
    intake = next(
        r for r in rows if r["event_type"] == "task.completed" and r["element"] == "application_intake"
    )
    assert intake["event"] == "Task completed" and intake["by"] == people.officer.display_name
    assert intake["step"] == "Capture application" and "Industry: Manufacturing" in intake["submitted"]
    assert "Listed company: No" in intake["submitted"] and intake["hash"]  # the recorded columns stay
    pdf = auditor.get(f"/cases/{case.id}/history.pdf?lang=en")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "Industry: Manufacturing" in text and "customer_name:" not in text


def test_the_audit_log_names_people_steps_and_fields_and_filters_by_event_names(as_user, people):
    named(people)
    case = case_routed("single", people.officer)
    page = text_of(as_user("compliance").get(f"/audit?case={case.reference}&event_type=task.completed"))
    rows = page.split('id="audit-rows"')[1]
    assert people.officer.display_name in rows and "Capture application" in rows and "Customer name" in rows
    select = page.split('name="event_type"')[1].split("</select>")[0]
    assert "task.*" not in select and ".*" not in select and "audit.</option>" not in select
    assert "Tasks: every event" in select and ">Task completed</option>" in select


def test_every_event_family_has_a_name():
    assert {f"event_family_{t.split('.')[0]}" for t in EVENT_TYPES} <= set(EVENT_FAMILIES)


def named(people) -> None:
    """People with names other than their user names, as in a bank (the factories' users have none)."""
    for user, name in ((people.officer, "王晓明"), (people.approver1, "张伟"), (people.approver2, "李强")):
        user.display_name = name
    db.session.commit()


def test_the_exceptions_page_names_and_links_cases_customers_and_people(as_user, people):
    named(people)
    adjusted = case_at("review", people.officer)
    tasks.complete(
        people.officer,
        open_task(adjusted.id, "review_proposal").id,
        review(adjusted, grade_override="BB", override_reason="担保人退出"),
    )
    returned = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(returned.id, "approval_signoff").id,
        {"decision": "return", "comment": "补充", "fields_to_fix": ["proposed_controls"]},
    )
    tasks.complete(people.officer, open_task(returned.id, "review_proposal").id, review(returned))
    tasks.claim(people.approver1, open_task(returned.id, "approval_signoff").id)
    delegation.delegate(people.approver1, open_task(returned.id, "approval_signoff").id, "approver2")
    page = text_of(as_user("compliance").get("/audit/exceptions"))

    def section(name: str) -> str:
        return page.split(f'id="{name}"')[1].split("</section>")[0]

    overrides = section("overrides")
    assert f'href="/customers/{adjusted.customer_id}"' in overrides  # the customer, linked
    assert "王晓明" in overrides  # who adjusted, not "—"
    assert "from the model grade" in overrides and "担保人退出" in overrides
    again = section("returned")
    assert "张伟" in again and "submitted 2 times, returned 1" in again  # who, and in words
    handed = section("delegations")
    assert "from 张伟 to 李强" in handed
    assert "Sign off:" in handed and ">approver1<" not in handed and " approver1 " not in handed


def test_only_a_sign_off_s_completion_points_to_the_record_above_not_its_claim(as_user, people):
    case = case_routed("single", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    tasks.claim(people.approver1, signoff.id)
    tasks.complete(people.approver1, signoff.id, {"decision": "approve", "comment": "同意"})
    shown = timeline(text_of(as_user("compliance").get(f"/cases/{case.id}")))
    entries = shown.split('<li data-element="approval_signoff" data-event="')[1:]
    pointing = sorted(
        entry.split('"')[0] for entry in entries if 'class="signed-above"' in entry.split("</li>")[0]
    )
    assert "task.claimed" in {entry.split('"')[0] for entry in entries} and pointing == ["task.completed"]
