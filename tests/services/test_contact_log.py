"""The contact log: an entry checked (no future date, a follow-up not before it, whom among the customer's
contacts or free text, a summary of several lines but no control characters), searched per customer and across
the bank, and its follow-up a to-do of the customer's officer, notified once on the day it falls due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, ContactLogEntry, Notification, OutboxMail
from app.services.customers.contacts import contact_log, contacts, follow_ups
from app.services.customers.page.customer_page import page
from app.services.notifications import messages
from tests.services.test_contacts import GOOD, customer_of, refused

TODAY = local_today()


def entry(**changes) -> dict:
    return {
        "contacted_on": TODAY.isoformat(),
        "channel": "visit",
        "contact_name": "王会计",
        "summary": "走访企业，了解经营情况。\n库存偏高，回款正常。",
        **changes,
    }


def test_an_entry_keeps_its_lines_whom_and_who_logged_it(people):
    customer = customer_of(people.officer)
    contact = contacts.add(people.officer, customer.id, GOOD)
    logged = contact_log.add(people.officer, customer.id, entry(contact_id=str(contact.id), contact_name=""))
    assert logged.contact_name == "陈建国" and logged.contact_id == contact.id
    assert logged.summary.count("\n") == 1 and logged.logged_by_id == people.officer.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "customer.contact_logged"))
    assert event.payload["entry_id"] == logged.id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contacted_on": (TODAY + timedelta(days=1)).isoformat()}, "contacted_on"),
        ({"contacted_on": "yesterday"}, "contacted_on"),
        ({"contacted_on": "9999-12-31"}, "contacted_on"),
        ({"follow_up_on": (TODAY - timedelta(days=1)).isoformat()}, "follow_up_on"),
        ({"channel": "fax"}, "channel"),
        ({"summary": ""}, "summary"),
        ({"summary": "a\x00b"}, "summary"),
        ({"summary": "bell\x07"}, "summary"),
        ({"summary": "x" * 4001}, "summary"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact_name": "two\nlines"}, "contact_name"),
        ({"contact_id": "99999"}, "contact_id"),
        ({"contact_id": "1e3"}, "contact_id"),
        ({"contact_id": 2**70}, "contact_id"),
        ({"summary": {"deep": []}}, "summary"),
    ],
)
def test_each_bad_field_is_named(people, changes, field):
    customer = customer_of(people.officer)
    assert field in refused(lambda: contact_log.add(people.officer, customer.id, entry(**changes)))


def test_another_customers_or_a_removed_contact_is_not_whom(people):
    mine, other = customer_of(people.officer, 1), customer_of(people.officer, 2)
    theirs = contacts.add(people.officer, other.id, GOOD)
    gone = contacts.add(people.officer, mine.id, GOOD)
    contacts.remove(people.officer, mine.id, gone.id)
    for contact_id in (theirs.id, gone.id):
        assert "contact_id" in refused(
            lambda chosen=contact_id: contact_log.add(people.officer, mine.id, entry(contact_id=chosen))
        )


def test_only_the_customers_officer_and_risk_managers_log(people):
    customer = customer_of(people.officer)
    for user in (people.officer2, people.compliance, people.designer, people.admin):
        with pytest.raises(NotAuthorized):
            contact_log.add(user, customer.id, entry())
    contact_log.add(people.risk, customer.id, entry())
    assert len(contact_log.of_customer(people.compliance, customer.id)) == 1


def test_the_log_is_searched_per_customer_and_across_the_bank_by_managers(people):
    first, second = customer_of(people.officer, 1), customer_of(people.officer, 2)
    contact_log.add(people.officer, first.id, entry(summary="讨论续贷安排"))
    contact_log.add(people.officer, first.id, entry(summary="催收逾期利息", contact_name="财务 100%"))
    contact_log.add(people.officer, second.id, entry(summary="讨论续贷安排"))
    assert [e.summary for e in contact_log.of_customer(people.officer, first.id, "续贷")] == ["讨论续贷安排"]
    assert len(contact_log.of_customer(people.officer, first.id, "100%")) == 1  # % is literal
    assert contact_log.of_customer(people.officer, first.id, "50%") == []
    rows, total = contact_log.search(people.risk, first.uscc, "续贷")
    assert total == 1 and rows[0].customer_id == first.id
    assert contact_log.search(people.risk, None, "续贷")[1] == 2
    for user in (people.officer, people.compliance):
        with pytest.raises(NotAuthorized):
            contact_log.search(user, None, None)
    with pytest.raises(InvalidInput) as caught:
        contact_log.search(people.risk, "a\x00", None)
    assert "customer" in caught.value.errors


def test_the_timeline_puts_contacts_cases_and_warnings_in_time_order(people):
    customer = customer_of(people.officer)
    contact_log.add(people.officer, customer.id, entry(contacted_on=(TODAY - timedelta(days=3)).isoformat()))
    contact_log.add(people.officer, customer.id, entry(summary="今日电话", channel="phone"))
    view = page(people.compliance, customer.id)
    assert [t.item.summary for t in view.timeline] == ["今日电话", entry()["summary"]]
    assert view.may_write is False and page(people.officer, customer.id).may_write is True
    assert [t.item.summary for t in page(people.officer, customer.id, "电话").timeline] == ["今日电话"]


def test_a_follow_up_due_is_the_officers_to_do_and_is_notified_once(people):
    customer = customer_of(people.officer)
    due = contact_log.add(people.officer, customer.id, entry(follow_up_on=TODAY.isoformat()))
    contact_log.add(people.risk, customer.id, entry(follow_up_on=(TODAY + timedelta(days=1)).isoformat()))
    contact_log.add(people.officer, customer.id, entry())  # no follow-up
    assert [e.id for e in follow_ups.due_for(people.officer)] == [due.id]
    assert follow_ups.due_for(people.officer2) == [] and follow_ups.due_for(people.risk) == []

    assert follow_ups.notify_due() == 1
    assert follow_ups.notify_due() == 0  # beat again, another worker: told once
    [note] = db.session.scalars(select(Notification).where(Notification.kind == "follow_up")).all()
    assert note.user_id == people.officer.id and note.params["customer_id"] == customer.id
    assert "走访企业" in messages.message(note, "en") and customer.name in messages.message(note, "en")
    assert f"/customers/{customer.id}" in messages.body(note)


def test_a_follow_up_done_records_who_and_when_and_leaves_the_list(people):
    customer = customer_of(people.officer)
    due = contact_log.add(people.officer, customer.id, entry(follow_up_on=TODAY.isoformat()))
    with pytest.raises(NotAuthorized):
        follow_ups.done(people.officer2, due.id)
    with pytest.raises(NotAuthorized):
        follow_ups.done(people.compliance, due.id)
    follow_ups.done(people.officer, due.id)
    follow_ups.done(people.officer, due.id)  # twice: as once
    stored = db.session.get(ContactLogEntry, due.id)
    assert stored.follow_up_done_by_id == people.officer.id and stored.follow_up_done_at is not None
    assert follow_ups.due_for(people.officer) == [] and follow_ups.notify_due() == 0
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.event_type == "customer.follow_up_done")) == 1
    )


def test_the_officer_with_an_address_gets_the_follow_up_by_e_mail_too(people):
    people.officer.email = "officer@bank.example"
    db.session.commit()
    customer = customer_of(people.officer)
    contact_log.add(people.officer, customer.id, entry(follow_up_on=TODAY.isoformat()))
    follow_ups.notify_due()
    mail = db.session.scalar(select(OutboxMail))
    assert mail.to_address == "officer@bank.example" and f"/customers/{customer.id}" in mail.body


def test_beat_runs_the_follow_up_job(app):
    schedule = app.extensions["celery"].conf.beat_schedule["notify-follow-ups"]
    assert schedule["task"] == "app.jobs.customers.notify_follow_ups"
    assert schedule["task"] in app.extensions["celery"].tasks
