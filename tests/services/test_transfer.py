"""Transferring customers to another officer (客户移交): the officer changes, a history row, the former
officer's open tasks on the customer's cases go along (and only those), audited, both officers told; every
refusal leaves everything as it was, and a bulk transfer is all or nothing."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, Customer, CustomerOfficerChange, HumanTask, Notification
from app.services.admin import users
from app.services.cases import cases, tasks
from app.services.customers.master import directory
from app.services.customers.page import customer_page
from app.services.customers.relationship import transfer
from app.services.monitoring import reviews
from app.services.notifications import messages
from tests.factories import PASSWORD, book_customer, case_at, case_routed, facility, open_task

REASON = "客户经营地迁移，改由就近团队服务"


@pytest.fixture
def far(people):
    """An officer of another branch."""
    return users.create_user("bj1", "officer", PASSWORD, branch="beijing", team="对公一部")[0]


def customer_of(instance) -> Customer:
    db.session.refresh(instance)
    return db.session.get(Customer, instance.customer_id)


def state(*task_rows) -> list[tuple]:
    db.session.expire_all()
    return [(t.id, t.state, t.assignee_id) for t in task_rows]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def world(deployed, people):
    """Customer X (officer's) with: a case whose officer task officer claimed (moves), a case whose officer
    task waits unclaimed in the queue (stays), a case at its sign-off (approver lane: stays), a case officer2
    opened and claimed (stays), a periodic review the diagram gave to officer (moves); customer Y (officer's,
    not transferred) with a task officer claimed (stays)."""
    claimed_case = case_at("statements", people.officer)
    x = customer_of(claimed_case)
    claimed = tasks.claim(people.officer, open_task(claimed_case.id, "financial_statements").id)
    queued = open_task(case_at("statements", people.officer).id, "financial_statements")
    signoff = open_task(case_routed("single", people.officer).id, "approval_signoff")
    others_case = case_at("statements", people.officer2)
    others = tasks.claim(people.officer2, open_task(others_case.id, "financial_statements").id)
    y_case = case_at("statements", people.officer, index=2)
    y = customer_of(y_case)
    y_task = tasks.claim(people.officer, open_task(y_case.id, "financial_statements").id)
    facility(x, 5_000_000)
    x.next_review_on = local_today()
    db.session.commit()
    [review_id] = reviews.start_due(people.risk)
    review = open_task(review_id, "do_review")
    assert review.assignee_id == people.officer.id and customer_of(others_case).id == x.id
    return SimpleNamespace(
        x=x, y=y, claimed=claimed, queued=queued, signoff=signoff, others=others, y_task=y_task, review=review
    )


def test_a_transfer_moves_the_customer_its_officers_open_tasks_and_nothing_else(world, people):
    untouched = state(world.queued, world.signoff, world.others, world.y_task)
    done = transfer.transfer(people.approver1, [world.x.id], "officer2", REASON)
    assert (done.officer.username, done.tasks_moved, done.before) == ("officer2", 2, {world.x.id: "officer"})
    db.session.expire_all()
    assert db.session.get(Customer, world.x.id).officer_id == people.officer2.id
    assert db.session.get(Customer, world.y.id).officer_id == people.officer.id
    assert state(world.claimed, world.review) == [
        (world.claimed.id, "ready", people.officer2.id),
        (world.review.id, "ready", people.officer2.id),
    ]
    assert state(world.queued, world.signoff, world.others, world.y_task) == untouched
    tasks.check_may_act(people.officer2, db.session.get(HumanTask, world.review.id))  # theirs now
    [change] = db.session.scalars(select(CustomerOfficerChange))
    assert (
        change.customer_id,
        change.officer_before_id,
        change.officer_after_id,
        change.reason,
        change.tasks_moved,
        change.changed_by_id,
    ) == (world.x.id, people.officer.id, people.officer2.id, REASON, 2, people.approver1.id)
    [changed] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == "customer.officer_changed")
    )
    assert (changed.actor_name, changed.customer_id) == ("approver1", world.x.id)
    assert changed.payload == {
        "reason": REASON,
        "before": {"officer": "officer"},
        "after": {"officer": "officer2"},
        "tasks_moved": 2,
    }
    moved = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task.reassigned")).all()
    assert {e.payload["task_id"] for e in moved} == {world.claimed.id, world.review.id}
    assert all(
        e.payload["from"] == "officer" and e.payload["to"] == "officer2" and e.payload["transfer"] == REASON
        for e in moved
    )
    told = {
        n.user_id: n
        for n in db.session.scalars(
            select(Notification).where(Notification.kind.in_(("transfer_in", "transfer_out")))
        )
    }
    assert {told[people.officer2.id].kind, told[people.officer.id].kind} == {"transfer_in", "transfer_out"}
    with force_locale("en"):
        welcome = messages.message(told[people.officer2.id])
        farewell = messages.message(told[people.officer.id])
    assert world.x.name in welcome and "2 open task(s)" in welcome and REASON in welcome
    assert "to 李娜" not in farewell and world.x.name in farewell  # named by their display name
    assert messages.customers_link(told[people.officer2.id]) == f"/customers/{world.x.id}#officer"


def test_the_customer_page_shows_the_officer_the_history_and_offers_the_transfer_to_managers(world, people):
    transfer.transfer(people.risk, [world.x.id], "officer2", REASON)
    panel = customer_page.page(people.approver1, world.x.id).officer
    assert panel.officer.username == "officer2" and panel.may_transfer
    assert [
        (h.officer_before.username, h.officer_after.username, h.changed_by.username) for h in panel.history
    ] == [("officer", "officer2", "risk")]
    assert not customer_page.page(people.officer2, world.x.id).officer.may_transfer
    form = transfer.transfer_form(people.approver1, world.x.id)
    assert "officer2" not in [o.username for o in form.targets] and "officer" in [
        o.username for o in form.targets
    ]


def test_a_task_the_diagram_gives_later_to_the_former_officer_goes_to_the_officer_now(deployed, people):
    customer = book_customer(people.officer, 7, grade="A", loan_class="normal", next_review_on=local_today())
    facility(customer, 1_000_000)
    payload = reviews._payload(customer)  # prepared while officer still had it (e.g. a message in flight)
    transfer.transfer(people.approver1, [customer.id], "officer2", REASON)
    assert payload["officer"] == "officer"
    instance = cases.start_by_message("periodic_review", "review_due", payload, None)
    assert open_task(instance.id, "do_review").assignee_id == people.officer2.id
    assert directory.officer_now(customer.id, people.officer2.id) == people.officer2.id
    other = book_customer(people.officer, 8)  # never transferred: the diagram's choice stands
    assert directory.officer_now(other.id, people.officer2.id) == people.officer2.id


def test_a_bulk_transfer_is_all_or_nothing_and_names_the_customer_that_blocked_it(deployed, people, far):
    mine = [book_customer(people.officer, i) for i in (1, 2)]
    theirs = book_customer(far, 3, name="北方重工有限公司")
    with pytest.raises(NotAuthorized) as caught:
        transfer.transfer(people.approver1, [mine[0].id, theirs.id, mine[1].id], "officer2", REASON)
    assert "北方重工有限公司" in caught.value.message
    already = book_customer(people.officer2, 4, name="已是李娜的客户有限公司")
    with pytest.raises(InvalidInput) as caught:  # one of them is already officer2's
        transfer.transfer(people.risk, [mine[0].id, already.id, mine[1].id], "officer2", REASON)
    assert "已是李娜的客户有限公司" in caught.value.errors["officer"]
    db.session.expire_all()
    assert {c.officer_id for c in mine} == {people.officer.id}
    assert count(CustomerOfficerChange) == 0 and count(Notification) == 0
    assert not db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.event_type == "customer.officer_changed")
    )
    done = transfer.transfer(people.risk, [mine[0].id, theirs.id, mine[1].id, mine[0].id], "officer2", REASON)
    assert [c.name for c in done.customers] == [
        mine[0].name,
        theirs.name,
        mine[1].name,
    ]  # a repeat counted once
    assert count(CustomerOfficerChange) == 3
    assert {n.kind for n in db.session.scalars(select(Notification))} == {"transfer_in", "transfer_out"}
    assert count(Notification) == 3  # officer2 once; officer and bj1 once each


@pytest.mark.parametrize("who", ["officer", "compliance", "admin", "designer"])
def test_only_a_relationship_manager_transfers(deployed, people, who):
    customer = book_customer(people.officer, 1)
    with pytest.raises(NotAuthorized):
        transfer.transfer(getattr(people, who), [customer.id], "officer2", REASON)
    with pytest.raises(NotAuthorized):
        transfer.transfer_form(getattr(people, who), customer.id)


@pytest.mark.parametrize(
    ("ids", "target", "reason", "field"),
    [
        ([], "officer2", REASON, "customer_ids"),
        (["x1"], "officer2", REASON, "customer_ids"),
        (list(range(1, 502)), "officer2", REASON, "customer_ids"),
        ("own", "officer2", "", "reason"),
        ("own", "officer2", "   ", "reason"),
        ("own", "officer2", "x" * 501, "reason"),
        ("own", "officer2", "原因\x00", "reason"),
        ("own", "", REASON, "officer"),
        ("own", "nobody", REASON, "officer"),
        ("own", "approver2", REASON, "officer"),  # not an officer
        ("own", "gone", REASON, "officer"),  # deactivated
        ("own", "bj1", REASON, "officer"),  # another branch than the approver's
        ("own", "officer", REASON, "officer"),  # already theirs
    ],
)
def test_each_refusal_names_its_field_and_changes_nothing(deployed, people, far, ids, target, reason, field):
    gone = users.create_user("gone", "officer", PASSWORD)[0]
    gone.active = False
    db.session.commit()
    customer = book_customer(people.officer, 1)
    events = count(AuditEvent)
    with pytest.raises(InvalidInput) as caught:
        transfer.transfer(people.approver1, [customer.id] if ids == "own" else ids, target, reason)
    assert field in caught.value.errors, caught.value.errors
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).officer_id == people.officer.id
    assert count(AuditEvent) == events and count(CustomerOfficerChange) == 0


def test_a_customer_the_manager_does_not_manage_or_that_does_not_exist_is_refused(deployed, people, far):
    theirs = book_customer(far, 3)
    with pytest.raises(NotAuthorized):
        transfer.transfer(people.approver1, [theirs.id], "officer2", REASON)
    with pytest.raises(NotAuthorized):
        transfer.transfer_form(people.approver1, theirs.id)
    with pytest.raises(NotFound):
        transfer.transfer(people.risk, [10**6], "officer2", REASON)
    unassigned = book_customer(None, 9)
    with pytest.raises(NotAuthorized):  # a customer without an officer is a head-office matter
        transfer.transfer(people.approver1, [unassigned.id], "officer2", REASON)
    done = transfer.transfer(
        people.risk, [unassigned.id, theirs.id], "officer2", REASON
    )  # assigned by head office
    assert done.before == {unassigned.id: None, theirs.id: "bj1"}


def test_a_customer_that_changed_hands_meanwhile_is_a_conflict(deployed, people):
    customer = book_customer(people.officer, 1)
    db.session.get(Customer, customer.id)  # the stale copy the transfer reads
    with db.engine.begin() as other:
        other.execute(
            update(Customer).where(Customer.id == customer.id).values(officer_id=people.officer2.id)
        )
    users.create_user("officer3", "officer", PASSWORD)
    with pytest.raises(Conflict) as caught:
        transfer.transfer(people.risk, [customer.id], "officer3", REASON)
    assert customer.name in caught.value.message
    assert count(CustomerOfficerChange) == 0


def test_a_bulk_list_too_long_is_refused_as_soon_as_it_is_too_long(deployed, people, monkeypatch):
    """A crafted form of many thousand ids is refused once it passes the limit, never read through (a list
    checked for duplicates one by one took 11 s for 40,000 ids)."""
    seen = []

    def ids():
        for n in range(1, 10**9):
            seen.append(n)
            yield str(n % 700 + 1)  # duplicates count once

    monkeypatch.setattr(transfer, "MAX_CUSTOMERS", 500)
    with pytest.raises(InvalidInput) as refused:
        transfer.transfer(people.risk, list(itertools.islice(ids(), 2_000)), "officer2", "整体移交")
    assert "customer_ids" in refused.value.errors and "500" in refused.value.errors["customer_ids"]
    errors: dict[str, str] = {}
    assert transfer._ids(["7", "7", 7, "8"], errors) == [7, 8] and not errors
