"""Telling people about their work: in the app, and by e-mail when their address is known.

A step that opens tasks tells whoever could work them (``eligibility``), except the person whose
action opened them: a new task in a queue, a case returned to its officer, an overdue approval
escalated to the next level (and its former holder that it left them); a hand-over tells the
colleague. Each notification is written in the step's own transaction, with its e-mail queued in the
outbox beside it (``mail`` sends it, or keeps it for the development outbox page). What a notification
says is worded in ``messages``, its e-mail's text in both languages in ``mail_text``; the person reads their
notifications through ``inbox``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select

from app.extensions import db
from app.models import HumanTask, Notification, OutboxMail, ProcessInstance, StaffingGap, User
from app.models.base import utcnow
from app.models.notification import KINDS
from app.services.approval import eligibility
from app.services.approval.lanes import APPROVAL_LANES
from app.services.cases.projections import TaskChanges
from app.services.notifications import mail_text
from app.services.shared.rows import insert_returning_id


def after_step(instance: ProcessInstance, actor: User | None, changes: TaskChanges) -> None:
    """Notify about the tasks one step opened and, after a timer, the tasks it took away."""
    summary = instance.summary or {}
    for task in changes.opened:
        # a timer that fired as the case started (an inspection opened past its due date) escalated no task
        escalated = changes.timer_fired and not changes.started
        kind = "escalated" if escalated else ("returned" if _returned(task) else "new")
        extra = {}
        if changes.started and summary.get("renews_reference"):  # a renewal (续授信) proposed for its officer
            kind, extra = (
                "renewal",
                {"renews": summary["renews_reference"], "date": summary.get("renews_matures_on")},
            )
        recipients = _recipients(task, instance)
        _notify([u for u in recipients if actor is None or u.id != actor.id], kind, instance, task, **extra)
    if changes.timer_fired:
        opened_level = next((t.required_level for t in changes.opened if t.required_level), None)
        for task in changes.cancelled:
            if task.assignee_id is not None:
                _notify(
                    [db.session.get(User, task.assignee_id)], "overdue", instance, task, level=opened_level
                )


def alert(users: list[User], kind: str, **params) -> None:
    """An alert about the system itself (e.g. the audit chain is broken), to each of ``users``."""
    now = utcnow()
    for user in users:
        values = dict(
            user_id=user.id, kind=kind, instance_id=None, task_id=None, params=params, created_at=now
        )
        _store(user, values)


def withdrawn(instance: ProcessInstance, actor: User, holders: list[User], reason: str) -> None:
    """``actor`` withdrew the application: whoever held one of its tasks is told (the case, not the task,
    is linked: the task is gone)."""
    summary = instance.summary or {}
    params = {
        "reference": instance.reference,
        "customer": summary.get("customer_name"),
        "by": actor.display_name,
        "reason": reason,
    }
    now = utcnow()
    for user in {u.id: u for u in holders if u is not None and u.active}.values():
        _store(
            user,
            dict(
                user_id=user.id,
                kind="withdrawn",
                instance_id=instance.id,
                task_id=None,
                params=params,
                created_at=now,
            ),
        )


def unstaffed(instance: ProcessInstance, gap: StaffingGap) -> None:
    """Tell every active administrator that the case cannot go on for want of someone who may act (linked to
    the case page, where they see why and what to do)."""
    summary = instance.summary or {}
    assignee = db.session.get(User, gap.assignee_id) if gap.assignee_id else None
    params = {
        "reference": instance.reference,
        "customer": summary.get("customer_name"),
        "task": gap.name,
        "reason": gap.reason,
        "lane": gap.lane,
        "level": gap.required_level,
        "user": assignee.display_name if assignee else None,
    }
    now = utcnow()
    for admin in db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True))):
        _store(
            admin,
            dict(
                user_id=admin.id,
                kind="unstaffed",
                instance_id=instance.id,
                task_id=None,
                params=params,
                created_at=now,
            ),
        )


def waiting_for(users: list[User], instance: ProcessInstance, task: HumanTask) -> None:
    """A task nobody could do until now waits in these people's queue."""
    _notify(users, "new", instance, task)


def delegated(task: HumanTask, actor: User, colleague: User) -> None:
    """``actor`` handed ``task`` to ``colleague``."""
    _notify([colleague], "delegated", task.instance, task, by=actor.display_name)


def follow_up_due(officer: User | None, entry) -> None:
    """A follow-up of the contact log (``ContactLogEntry``) fell due: its customer's officer is told, linked to
    the customer's page."""
    if officer is None or not officer.active:
        return
    summary = entry.summary if len(entry.summary) <= 80 else entry.summary[:79] + "…"
    params = {
        "customer": entry.customer.name,
        "customer_id": entry.customer_id,
        "entry_id": entry.id,
        "summary": " ".join(summary.split()),
        "date": entry.follow_up_on.isoformat(),
    }
    _store(
        officer,
        dict(
            user_id=officer.id,
            kind="follow_up",
            instance_id=None,
            task_id=None,
            params=params,
            created_at=utcnow(),
        ),
    )


def training_due(person: User, kind: str, **params) -> None:
    """A required course of ``person`` expires soon (``training_expiring``) or lapsed (``training_lapsed``);
    ``params`` name the course (code, titles) and the date, linked to their training page."""
    if not person.active:
        return
    _store(
        person,
        dict(
            user_id=person.id, kind=kind, instance_id=None, task_id=None, params=params, created_at=utcnow()
        ),
    )


def inspection_overdue(
    holder: User | None, managers: list[User], instance: ProcessInstance, task_id: int | None, **params
) -> None:
    """A post-loan inspection not recorded by its due date (贷后检查逾期): its officer is told (the task linked)
    and the managers it is escalated to (the case linked: the officer still records it)."""
    now = utcnow()
    told = {"reference": instance.reference, **params}
    if holder is not None and holder.active:
        _store(
            holder,
            dict(
                user_id=holder.id,
                kind="inspection_overdue",
                instance_id=instance.id,
                task_id=task_id,
                params=told,
                created_at=now,
            ),
        )
    for manager in managers:
        if manager.active:
            _store(
                manager,
                dict(
                    user_id=manager.id,
                    kind="inspection_escalated",
                    instance_id=instance.id,
                    task_id=None,
                    params=told,
                    created_at=now,
                ),
            )


NAMES_SHOWN = 3  # customers a transfer's notice names; "…" for the rest


def customers_moved(user: User, kind: str, customers: list, by: User, reason: str, **extra) -> None:
    """Customers changed hands (客户移交): ``transfer_in`` tells the officer who took them over, ``transfer_out``
    the officer who had them; one notice for all the customers of one transfer, linked to the customer's page
    (one customer) or to "my customers"."""
    if user is None or not user.active or not customers:
        return
    names = [c.name for c in customers[:NAMES_SHOWN]]
    params = {
        "count": len(customers),
        "names": names,
        "more": len(customers) > NAMES_SHOWN,
        "by": by.display_name,
        "reason": reason if len(reason) <= 200 else reason[:199] + "…",
        "customer_id": customers[0].id if len(customers) == 1 else None,
        **extra,
    }
    _store(
        user,
        dict(user_id=user.id, kind=kind, instance_id=None, task_id=None, params=params, created_at=utcnow()),
    )


def _returned(task: HumanTask) -> bool:
    """A task of the officer's side opened again: the case came back from approval or compliance."""
    if task.lane in APPROVAL_LANES:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    HumanTask.instance_id == task.instance_id,
                    HumanTask.task_spec == task.task_spec,
                    HumanTask.state == "completed",
                )
            )
        )
    )


def _recipients(task: HumanTask, instance: ProcessInstance) -> list[User]:
    if task.assignee_id is not None:
        assignee = db.session.get(User, task.assignee_id)
        return [assignee] if assignee is not None else []
    if task.lane is None:
        return []
    if (
        task.lane not in APPROVAL_LANES
        and instance.started_by is not None
        and task.lane in instance.started_by.group_codes
    ):
        return [instance.started_by]  # the case's own officer, not every officer of the bank
    return eligibility.able_users(task.lane, instance, task.required_level)


def _notify(
    users: Sequence[User | None], kind: str, instance: ProcessInstance, task: HumanTask, **extra
) -> None:
    summary = instance.summary or {}
    customer = (task.about or {}).get("customer_name") or summary.get("customer_name")  # a sampled case's own
    params = {
        "reference": instance.reference,
        "customer": customer,
        "task": task.name,
        "level": task.required_level,
        **extra,
    }
    now = utcnow()
    for user in users:
        if user is None or not user.active:
            continue
        values = dict(
            user_id=user.id,
            kind=kind,
            instance_id=instance.id,
            task_id=task.id,
            params=params,
            created_at=now,
        )
        _store(user, values)


def _store(user: User, values: dict) -> None:
    """One notification, and its e-mail in the outbox when the person has an address. A kind without its words
    (``models.notification.KINDS``) is a mistake of the code, refused before a person would read its code."""
    if values["kind"] not in KINDS:
        raise ValueError(f"notification kind {values['kind']!r} has no words: it is not in KINDS")
    notification_id = insert_returning_id(Notification, values)
    if user.email:
        subject, body = mail_text.written(Notification(id=notification_id, **values))
        db.session.add(
            OutboxMail(
                notification_id=notification_id,
                to_address=user.email,
                subject=subject,
                body=body,
                created_at=values["created_at"],
            )
        )
