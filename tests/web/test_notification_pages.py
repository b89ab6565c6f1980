"""Pages of notifications, the e-mail outbox and the inbox's time limits (SLA) and branch filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Notification, OutboxMail
from app.models.notification import KINDS
from app.services.notifications import notifications
from app.web.vocabulary import NOTICE_KINDS
from tests.factories import case_routed, open_task
from tests.web.test_pages import text_of


def test_the_approver_sees_the_unread_count_reads_the_notification_and_opens_its_task(as_user, people):
    case = case_routed("sequential", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    approver = as_user("approver2")
    page = text_of(approver.get("/tasks"))
    assert 'id="notifications-link"' in page and "1 unread" in page
    listing = text_of(approver.get("/notifications"))
    assert f"New task Sign off on case {case.reference}" in listing
    note = db.session.scalar(select(Notification).where(Notification.user_id == people.approver2.id))
    opened = approver.post(f"/notifications/{note.id}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/tasks/{signoff.id}")
    assert (
        "unread" not in text_of(approver.get("/tasks")).split('id="notifications-link"')[1].split("</a>")[0]
    )


def test_someone_elses_notification_cannot_be_opened_and_mark_all_read_reads_only_ones_own(as_user, people):
    case_routed("sequential", people.officer)
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == people.approver2.id))
    other = as_user("approver3")
    assert other.post(f"/notifications/{theirs.id}/open").status_code == 403
    assert other.post("/notifications/read").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    assert db.session.scalar(select(Notification.read_at).where(Notification.user_id == people.approver3.id))


def test_the_outbox_shows_the_administrator_what_would_be_sent_and_refuses_others(as_user, people, app):
    people.approver2.email = "approver2@bank.example"
    db.session.commit()
    case_routed("sequential", people.officer)
    assert db.session.scalar(select(OutboxMail.to_address)) == "approver2@bank.example"
    page = text_of(as_user("admin").get("/admin/outbox"))
    assert "approver2@bank.example" in page and "No SMTP server is configured" in page
    assert "Waiting to be sent" in page
    assert as_user("officer").get("/admin/outbox").status_code == 403


def test_the_inbox_colours_a_task_near_its_due_time_and_filters_by_due_state_and_branch(as_user, people):
    with time_machine.travel("2026-12-01 01:00:00+00:00", tick=False) as clock:
        people.officer.branch = "shanghai"
        db.session.commit()
        case = case_routed("single", people.officer)
        signoff = open_task(case.id, "approval_signoff")
        approver = as_user("approver1")
        assert "On time" in text_of(approver.get("/inbox"))
        clock.shift(timedelta(hours=40))
        page = text_of(approver.get("/inbox"))
        assert 'class="sla-near"' in page and "Due soon" in page
        assert f"/tasks/{signoff.id}" in text_of(approver.get("/inbox?due=near"))
        assert f"/tasks/{signoff.id}" not in text_of(approver.get("/inbox?due=overdue"))
        assert f"/tasks/{signoff.id}" in text_of(approver.get("/inbox?branch=shanghai"))
        assert f"/tasks/{signoff.id}" not in text_of(approver.get("/inbox?branch=head_office"))
        bad = approver.get("/inbox?due=tomorrow")
        assert bad.status_code == 422 and "due" in text_of(bad)


def test_the_administrator_sets_an_e_mail_address_in_the_browser_and_a_bad_one_is_named(as_user, people):
    admin = as_user("admin")
    url = f"/admin/users/{people.approver2.id}/profile"
    profile = {"display_name": "approver2", "branch": "head_office", "authority_level": "2"}
    bad = admin.post(url, data={**profile, "email": "not an address"})
    assert bad.status_code == 422 and "an e-mail address such as" in text_of(bad)
    assert admin.post(url, data={**profile, "email": "liu@bank.cn"}).status_code == 302
    db.session.expire_all()
    assert people.approver2.email == "liu@bank.cn"
    changed = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "user.updated"))
    assert changed.actor_name == "admin" and changed.payload["after"] == {"email": "liu@bank.cn"}
    assert "liu@bank.cn" in text_of(admin.get("/admin/users?q=approver2"))
    assert (
        as_user("officer")
        .post(f"/admin/users/{people.officer.id}/profile", data={**profile, "email": "x@y.cn"})
        .status_code
        == 403
    )


def test_an_unknown_export_is_refused_in_the_persons_language(as_user, people):
    assert "Unknown export." in text_of(as_user("compliance").get("/audit/export.pdf"))


def test_the_outbox_shows_each_e_mail_in_the_readers_language_and_keeps_what_was_sent_in_both(
    as_user, people
):
    people.approver2.email = "approver2@bank.example"
    db.session.commit()
    case = case_routed("sequential", people.officer)
    sent = db.session.scalar(select(OutboxMail))
    assert (
        sent.subject.startswith("[授信] 新任务")
        and f"/ [Credit] New task Sign off on case {case.reference}" in sent.subject
    )
    admin = as_user("admin")
    for language, reader, other in (
        ("en", "[Credit] New task Sign off on case", ("[授信]", "新任务", "打开")),
        ("zh", "[授信] 新任务：审批", ("[Credit]", "New task", "Open it")),
    ):
        admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        row = text_of(admin.get("/admin/outbox")).split("<tbody>")[1].split("</tbody>")[0]
        summary = row.split("<summary>")[1].split("</summary>")[0]
        assert summary.startswith(reader) and case.reference in summary and " / " not in summary
        assert not any(word in row for word in other), row
    db.session.expire_all()
    assert db.session.get(OutboxMail, sent.id).subject == sent.subject  # what was sent stays as it was


def test_every_kind_of_notification_has_its_name_in_both_languages_and_no_other_kind_is_stored(app, people):
    """A kind stored without its vocabulary showed its code (notice_inspection_escalated) in the list."""
    assert set(NOTICE_KINDS) == {f"notice_{kind}" for kind in KINDS}
    for kind in KINDS:
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                assert _(f"notice_{kind}") != f"notice_{kind}", (kind, locale)
    with pytest.raises(ValueError, match="has no words"):
        notifications.alert([people.risk], "made_up")
