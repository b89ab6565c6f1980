"""Notifications: who is told about a new, returned, delegated or overdue task, and the e-mails, sent by
SMTP when a server is configured and kept in the outbox when not."""

from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import select

from app.errors import NotAuthorized
from app.extensions import db
from app.models import Notification, OutboxMail
from app.services.cases import delegation, tasks
from app.services.notifications import inbox, mail, messages, notifications
from tests.factories import case_routed, open_task, review


def told(case, kind: str) -> set[str]:
    return {
        n.user.username
        for n in db.session.scalars(
            select(Notification).where(Notification.instance_id == case.id, Notification.kind == kind)
        )
    }


def test_a_sign_off_waiting_tells_each_approver_who_may_do_it_and_nobody_else(deployed, people):
    case = case_routed("sequential", people.officer)  # level 2 first
    assert told(case, "new") == {"approver2", "approver3", "member1", "member2"}
    # not the branch approver (level 1), not the officer who investigated, not the officer's own steps
    note = db.session.scalar(select(Notification).where(Notification.user_id == people.approver2.id))
    assert note.task_id == open_task(case.id, "approval_signoff").id
    assert messages.message(note, "en") == (
        f"New task Sign off on case {case.reference} ({case.summary['customer_name']})."
    )
    assert messages.message(note, "zh_CN").startswith("新任务：审批")


def test_a_return_tells_the_cases_officer_and_a_delegation_the_colleague(deployed, people):
    case = case_routed("single", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    tasks.complete(
        people.approver1,
        signoff.id,
        {"decision": "return", "comment": "请补充担保", "fields_to_fix": ["proposed_controls"]},
    )
    assert told(case, "returned") == {"officer"}  # not officer2, though in the same group
    tasks.complete(people.officer, open_task(case.id, "review_proposal").id, review(case))
    again = open_task(case.id, "approval_signoff")
    tasks.claim(people.approver1, again.id)
    delegation.delegate(people.approver1, again.id, "approver2")
    assert told(case, "delegated") == {"approver2"}
    note = db.session.scalar(select(Notification).where(Notification.kind == "delegated"))
    assert note.params["by"] == people.approver1.display_name


def test_each_committee_member_is_told_of_their_own_vote(deployed, people):
    case = case_routed("committee", people.officer)
    assert told(case, "new") == {"member1", "member2", "cro"}


def test_a_notification_is_its_owners_to_read(deployed, people):
    case = case_routed("single", people.officer)
    note = db.session.scalar(select(Notification).where(Notification.instance_id == case.id))
    assert inbox.unread_count(note.user) == 1
    other = people.approver2 if note.user_id != people.approver2.id else people.approver3
    with pytest.raises(NotAuthorized):
        inbox.mark_read(other, note.id)
    inbox.mark_read(note.user, note.id)
    assert inbox.unread_count(note.user) == 0


class FakeSMTP:
    """Records what would go over the wire; refuses the addresses in ``refuse``."""

    sent: list = []
    refuse: set = set()
    logins: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        FakeSMTP.logins.append(user)

    def send_message(self, message):
        if message["To"] in FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.refuse, FakeSMTP.logins = [], set(), []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.bank.example")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "workflow")
    return FakeSMTP


def _with_email(*users):
    for user in users:
        user.email = f"{user.username}@bank.example"
    db.session.commit()


def test_an_approver_with_an_address_gets_an_e_mail_in_both_languages_kept_until_smtp_is_configured(
    deployed, people, app, monkeypatch
):
    _with_email(people.approver1)
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    case = case_routed("single", people.officer)
    [queued] = db.session.scalars(select(OutboxMail)).all()  # only the approver has an address
    assert queued.to_address == "approver1@bank.example" and queued.status == "pending"
    assert (
        queued.subject.startswith("[授信] 新任务：审批") and " / [Credit] New task Sign off" in queued.subject
    )
    assert f"/tasks/{open_task(case.id, 'approval_signoff').id}" in queued.body
    assert mail.send_pending() == 0  # no server: it stays in the outbox
    assert db.session.get(OutboxMail, queued.id).status == "pending"


def test_an_e_mail_subject_fits_its_column_however_long_the_message(deployed, people):
    """A subject is the message in both languages: a long one (an overdue escalation of a customer with a
    100-character name, a broken chain's reason) was more than PostgreSQL's 300 characters, failing its step."""
    _with_email(people.admin)
    notifications.alert([people.admin], "chain_broken", row=7, reason="哈希不符 " * 80)
    [queued] = db.session.scalars(select(OutboxMail)).all()
    assert len(queued.subject) == OutboxMail.subject.type.length and queued.subject.endswith("…")
    assert "哈希不符 " * 80 in queued.body  # the whole message is in the body


def test_the_outbox_is_sent_over_smtp_and_a_refused_address_fails_alone(deployed, people, smtp):
    _with_email(people.approver2, people.approver3)
    smtp.refuse = {"approver3@bank.example"}
    case_routed("sequential", people.officer)
    assert mail.send_pending() == 1
    assert [m["To"] for m in smtp.sent] == ["approver2@bank.example"] and smtp.logins == ["workflow"]
    rows = {m.to_address: m for m in db.session.scalars(select(OutboxMail))}
    assert rows["approver2@bank.example"].status == "sent" and rows["approver2@bank.example"].sent_at
    refused = rows["approver3@bank.example"]
    assert refused.status == "pending" and refused.attempts == 1 and "no such user" in refused.error
    for _ in range(mail.MAX_ATTEMPTS - 1):
        mail.send_pending()
    assert db.session.get(OutboxMail, refused.id).status == "failed"


def test_an_unreachable_server_leaves_every_e_mail_pending(deployed, people, smtp, monkeypatch):
    _with_email(people.approver2)
    case_routed("sequential", people.officer)

    def down(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(mail.smtplib, "SMTP", down)
    assert mail.send_pending() == 0
    assert db.session.scalar(select(OutboxMail.status)) == "pending"


def test_an_e_mail_that_cannot_be_written_fails_alone_with_its_reason_and_the_others_go(people, smtp, login):
    """A customer's name with a line break (accepted over the API) made the job raise on its e-mail at every
    run, and every e-mail behind it waited for ever."""

    def queued(to: str, subject: str) -> int:
        row = OutboxMail(to_address=to, subject=subject, body="正文 / body")
        db.session.add(row)
        db.session.commit()
        return row.id

    before = queued("approver1@bank.example", "[授信] 新任务 / [Credit] New task")
    named = queued(
        "approver2@bank.example", "[授信] 预警：某某公司\r\nBcc: all@bank.example / [Credit] Warning"
    )
    smuggled = queued("approver3@bank.example\nBcc: all@bank.example", "[授信] 新任务")
    after = queued("risk@bank.example", "[授信] 新任务")
    assert mail.send_pending() == 3
    assert [m["To"] for m in smtp.sent] == [
        "approver1@bank.example",
        "approver2@bank.example",
        "risk@bank.example",
    ]
    assert (
        smtp.sent[1]["Subject"] == "[授信] 预警：某某公司 Bcc: all@bank.example / [Credit] Warning"
    )  # one line
    rows = {m.id: m for m in db.session.scalars(select(OutboxMail))}
    assert [rows[i].status for i in (before, named, after)] == ["sent"] * 3
    bad = rows[smuggled]
    assert bad.status == "failed" and "'approver3@bank.example\\nBcc: all@bank.example'" in bad.error  # why
    assert mail.send_pending() == 0  # nothing left that could block the next e-mails
    page = login("admin").get("/admin/outbox").get_data(as_text=True)
    assert "approver3@bank.example\\nBcc: all@bank.example&#39;" in page
