"""Claiming human tasks through the services: a claimed task is refused to everyone else, unclaiming puts it back,
one of two people claiming at once is refused, a claimant who left the group may no longer work it; the lists of
one's own claims and the group's queue."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from app.errors import DomainError, NotAuthorized
from app.extensions import db
from app.models import AuditEvent, HumanTask
from app.services.cases import cases, tasks
from tests.factories import case_at, intake, open_task, snapshot

pytestmark = pytest.mark.usefixtures("english_request")


def test_claimed_task_is_refused_to_everyone_else(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer, task.id)
    before = snapshot(instance.id)
    for attempt in (
        lambda: tasks.claim(people.officer2, task.id),
        lambda: tasks.open_task(people.officer2, task.id),
        lambda: tasks.complete(people.officer2, task.id, intake()),
        lambda: tasks.unclaim(people.officer2, task.id),
    ):
        with pytest.raises(NotAuthorized) as caught:
            attempt()
        assert caught.value.status == 403
    assert "claimed by officer" in str(tasks_refusal(people.officer2, task.id))
    assert snapshot(instance.id) == before
    assert task.id not in [t.id for t in tasks.my_tasks(people.officer2).rows]
    assert task.id in [t.id for t in tasks.my_tasks(people.officer).rows]


def tasks_refusal(user, task_id) -> str:
    with pytest.raises(DomainError) as caught:
        tasks.check_may_act(user, db.session.get(HumanTask, task_id))
    return caught.value.message


def test_unclaim_puts_the_task_back_for_the_group(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer, task.id)
    tasks.unclaim(people.officer, task.id)
    assert task.assignee_id is None
    tasks.claim(people.officer2, task.id)
    tasks.complete(people.officer2, task.id, intake())
    events = db.session.execute(
        select(AuditEvent.event_type, AuditEvent.actor_name)
        .where(AuditEvent.payload["task_uuid"].as_string() == task.task_uuid)
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(e) for e in events] == [
        ("task.ready", "officer"),
        ("task.claimed", "officer"),
        ("task.unclaimed", "officer"),
        ("task.claimed", "officer2"),
        ("task.completed", "officer2"),
    ]


def test_claiming_twice_is_idempotent(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer, task.id)
    count = snapshot(instance.id).audit_rows
    tasks.claim(people.officer, task.id)
    assert snapshot(instance.id).audit_rows == count


def test_a_task_claimed_by_another_approver_leaves_the_inbox(deployed, people):
    instance = case_at("approval", people.officer)
    signoff = open_task(instance.id, "approval_signoff")
    tasks.claim(people.approver2, signoff.id)
    assert tasks.sign_off_inbox(people.approver3).total == 0
    assert [t.id for t in tasks.sign_off_inbox(people.approver2).rows] == [signoff.id]
    with pytest.raises(NotAuthorized, match="claimed by approver2"):
        tasks.complete(people.approver3, signoff.id, {"decision": "approve"})


def test_of_two_people_claiming_at_once_one_is_refused(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")  # loaded by "us" before the other claim lands
    with db.engine.begin() as other:  # officer2's claim commits first
        other.execute(update(HumanTask).where(HumanTask.id == task.id).values(assignee_id=people.officer2.id))
    with pytest.raises(NotAuthorized, match="claimed by"):
        tasks.claim(people.officer, task.id)
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == people.officer2.id
    claims = db.session.scalars(
        select(AuditEvent.actor_name).where(AuditEvent.event_type == "task.claimed")
    ).all()
    assert claims == []  # the refused claim left no trace but the other's (made outside the services here)


def test_a_claimant_who_left_the_group_may_no_longer_work_the_task(deployed, people):
    from app.models import UserGroup

    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer2, task.id)
    db.session.execute(delete(UserGroup).where(UserGroup.user_id == people.officer2.id))
    db.session.commit()
    db.session.expire(people.officer2)
    with pytest.raises(NotAuthorized, match="group"):
        tasks.complete(people.officer2, task.id, intake())


def test_my_tasks_lists_own_claims_then_the_group_queue(deployed, people):
    first = cases.start_case(people.officer, "credit_application")
    second = cases.start_case(people.officer2, "credit_application")
    a, b = open_task(first.id, "application_intake"), open_task(second.id, "application_intake")
    assert [t.id for t in tasks.my_tasks(people.officer).rows] == [a.id, b.id]
    tasks.claim(people.officer2, a.id)
    assert [t.id for t in tasks.my_tasks(people.officer).rows] == [b.id]
    listing = tasks.my_tasks(people.officer2, per_page=1)
    assert listing.total == 2 and len(listing.rows) == 1
    assert tasks.my_tasks(people.designer).total == 0
