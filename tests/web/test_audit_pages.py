"""The auditor's search: compliance only, every filter, pages by id over many rows, exports, and the
daily chain check that alerts compliance when a row was altered."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.language import collation_key, has_chinese
from app.models import AuditEvent, Notification
from app.services.audit import audit, audit_checks
from app.services.cases import tasks
from tests.factories import case_routed, open_task
from tests.web.test_pages import text_of


def events(page: str) -> list[str]:
    return [
        line.split('data-event="')[1].split('"')[0] for line in page.splitlines() if 'data-event="' in line
    ]


@pytest.mark.parametrize("username", ["officer", "approver1", "risk", "admin", "designer"])
def test_only_compliance_reads_the_audit_log(as_user, people, username):
    client = as_user(username)
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_the_search_narrows_by_case_customer_user_event_process_outcome_and_date(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "reject", "comment": "不同意"},
    )
    other = case_routed("single", people.officer2)
    auditor = as_user("compliance")
    by_case = text_of(auditor.get(f"/audit?case={case.reference}"))
    assert case.reference in by_case and other.reference not in by_case
    assert set(events(text_of(auditor.get(f"/audit?case={case.reference}&event_type=task.")))) <= {
        "task.ready",
        "task.claimed",
        "task.completed",
        "task.cancelled",
    }
    by_user = events(text_of(auditor.get("/audit?user=approver1")))
    assert by_user and "task.completed" in by_user
    by_customer = text_of(auditor.get(f"/audit?customer={case.summary['uscc']}"))
    assert case.reference in by_customer
    rejected = text_of(auditor.get("/audit?outcome=rejected&event_type=instance.completed"))
    assert case.reference in rejected and other.reference not in rejected
    assert events(text_of(auditor.get("/audit?process=credit_application&version=2"))) == []
    assert events(text_of(auditor.get("/audit?process=credit_application&version=1")))
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert events(text_of(auditor.get(f"/audit?date_from={tomorrow}"))) == []
    bad = auditor.get("/audit?date_from=yesterday")
    assert bad.status_code == 422 and "date_from" in text_of(bad)


def test_pages_follow_by_id_without_gaps_or_repeats(as_user, people):
    for n in range(120):
        audit.record("customer.updated", people.officer, n=n)
    db.session.commit()
    auditor = as_user("compliance")
    seen, url = [], "/audit?event_type=customer.updated"
    while url:
        page = text_of(auditor.get(url))
        seen += [
            int(line.split('<td class="num">')[1].split("<")[0])
            for line in page.splitlines()
            if 'data-event="customer.updated"' in line
        ]
        url = (
            page.split('id="older" href="')[1].split('"')[0].replace("&amp;", "&")
            if 'id="older"' in page
            else None
        )
    assert len(seen) == 120 and seen == sorted(seen, reverse=True) and len(set(seen)) == 120


def test_a_search_exports_as_csv_and_xlsx(as_user, people):
    case = case_routed("single", people.officer)
    auditor = as_user("compliance")
    csv_text = auditor.get(f"/audit/export.csv?case={case.reference}").get_data().decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0] == "id,occurred_at,event_type,actor,case,customer,payload,hash"
    assert len(lines) > 5 and all(case.reference in line for line in lines[1:])
    xlsx = auditor.get(f"/audit/export.xlsx?case={case.reference}")
    frame = pd.read_excel(io.BytesIO(xlsx.get_data()))
    assert len(frame) == len(lines) - 1 and set(frame["case"]) == {case.reference}


def test_the_daily_check_alerts_compliance_when_a_row_was_altered(as_user, people):
    case_routed("single", people.officer)
    assert audit_checks.verify_and_alert().ok
    victim = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[3]
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim.id).values(actor_name="someone"))
    db.session.commit()
    report = audit_checks.verify_and_alert()
    assert report.broken_at == victim.id
    alert = db.session.scalar(select(Notification).where(Notification.kind == "chain_broken"))
    assert alert.user_id == people.compliance.id and alert.params["row"] == victim.id
    page = text_of(as_user("compliance").get("/audit"))
    assert f"broken at event {victim.id}" in page


def options(page: str, name: str) -> list[tuple[str, str]]:
    """The (value, label) pairs a filter's select offers, in order, "All" left out."""
    select_ = page.split(f'<select name="{name}">')[1].split("</select>")[0]
    return [
        (value, re.sub(r"\s+", " ", label).strip())
        for value, label in re.findall(r'<option value="([^"]+)"[^>]*>(.*?)</option>', select_, flags=re.S)
    ]


def test_the_filters_offer_named_choices_sorted_in_the_reader_s_language_and_each_narrows(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "reject", "comment": "不同意"},
    )
    auditor = as_user("compliance")
    for language in ("zh", "en"):
        auditor.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        page = text_of(auditor.get("/audit"))
        for name in ("event_type", "process", "outcome"):
            offered = options(page, name)
            assert offered and all(label != value for value, label in offered), (name, language)
            assert not any(re.fullmatch(r"[a-z_.]+", label) for _value, label in offered)  # no code shown
            if language == "zh":
                assert all(has_chinese(label) for _value, label in offered), name
        families = re.findall(r'<optgroup label="([^"]+)">', page.split('<select name="event_type">')[1])
        assert families == sorted(families, key=lambda label: collation_key(label, language))
        for group in page.split('<select name="event_type">')[1].split("</select>")[0].split("<optgroup")[1:]:
            labels = [
                re.sub(r"<[^>]+>", "", o).strip() for o in re.findall(r"<option[^>]*>(.*?)</option>", group)
            ][1:]
            assert labels == sorted(labels, key=lambda label: collation_key(label, language))
    assert sorted(["审批", "任务", "客户"], key=lambda w: collation_key(w, "zh")) == [
        "客户",
        "任务",
        "审批",
    ]  # ke ren shen
    auditor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    page = text_of(auditor.get("/audit"))
    completed = dict(options(page, "event_type"))["task.completed"]
    chosen = text_of(
        auditor.get("/audit?event_type=task.completed&process=credit_application&outcome=rejected")
    )
    assert set(events(chosen)) == {"task.completed"} and case.reference in chosen
    assert f'<option value="task.completed" selected>{completed}</option>' in chosen
    assert (
        dict(options(chosen, "outcome"))["rejected"] == "已否决"
        and '<option value="rejected" selected>' in chosen
    )
