"""Telling people about their work: in the app, and by e-mail when their address is known.

A step that opens tasks tells whoever could work them (``eligibility``), except the person whose
action opened them: a new task in a queue, a case returned to its officer, an overdue approval
escalated to the next level (and its former holder that it left them); a hand-over tells the
colleague. Each notification is written in the step's own transaction, with its e-mail queued in the
outbox beside it (``mail`` sends it, or keeps it for the development outbox page).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update

from app.errors import NotAuthorized, NotFound
from app.extensions import db
from app.language import in_language
from app.models import HumanTask, Notification, OutboxMail, ProcessInstance, StaffingGap, User
from app.models.base import utcnow
from app.services.approval import eligibility
from app.services.approval.lanes import APPROVAL_LANES
from app.services.cases.projections import TaskChanges
from app.services.shared.rows import insert_returning_id, rowcount
from app.services.shared.unit_of_work import unit_of_work

MAIL_LOCALES = ("zh_CN", "en")  # e-mails carry both languages, Chinese first
SUBJECT_LENGTH = OutboxMail.subject.type.length


def after_step(instance: ProcessInstance, actor: User | None, changes: TaskChanges) -> None:
    """Notify about the tasks one step opened and, after a timer, the tasks it took away."""
    summary = instance.summary or {}
    for task in changes.opened:
        kind = "escalated" if changes.timer_fired else ("returned" if _returned(task) else "new")
        extra = {}
        if changes.started and summary.get("renews_reference"):  # a renewal (续授信) proposed for its officer
            kind, extra = "renewal", {"renews": summary["renews_reference"], "date": summary.get("renews_matures_on")}
        recipients = _recipients(task, instance)
        _notify([u for u in recipients if actor is None or u.id != actor.id], kind, instance, task, **extra)
    if changes.timer_fired:
        opened_level = next((t.required_level for t in changes.opened if t.required_level), None)
        for task in changes.cancelled:
            if task.assignee_id is not None:
                _notify([db.session.get(User, task.assignee_id)], "overdue", instance, task,
                        level=opened_level)


def alert(users: list[User], kind: str, **params) -> None:
    """An alert about the system itself (e.g. the audit chain is broken), to each of ``users``."""
    now = utcnow()
    for user in users:
        values = dict(user_id=user.id, kind=kind, instance_id=None, task_id=None, params=params, created_at=now)
        _store(user, values)


def withdrawn(instance: ProcessInstance, actor: User, holders: list[User], reason: str) -> None:
    """``actor`` withdrew the application: whoever held one of its tasks is told (the case, not the task,
    is linked: the task is gone)."""
    summary = instance.summary or {}
    params = {"reference": instance.reference, "customer": summary.get("customer_name"), "by": actor.display_name,
              "reason": reason}
    now = utcnow()
    for user in {u.id: u for u in holders if u is not None and u.active}.values():
        _store(user, dict(user_id=user.id, kind="withdrawn", instance_id=instance.id, task_id=None, params=params,
                          created_at=now))


def unstaffed(instance: ProcessInstance, gap: StaffingGap) -> None:
    """Tell every active administrator that the case cannot go on for want of someone who may act (linked to
    the case page, where they see why and what to do)."""
    summary = instance.summary or {}
    assignee = db.session.get(User, gap.assignee_id) if gap.assignee_id else None
    params = {"reference": instance.reference, "customer": summary.get("customer_name"), "task": gap.name,
              "reason": gap.reason, "lane": gap.lane, "level": gap.required_level,
              "user": assignee.display_name if assignee else None}
    now = utcnow()
    for admin in db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True))):
        _store(admin, dict(user_id=admin.id, kind="unstaffed", instance_id=instance.id, task_id=None, params=params,
                           created_at=now))


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
    params = {"customer": entry.customer.name, "customer_id": entry.customer_id, "entry_id": entry.id,
              "summary": " ".join(summary.split()), "date": entry.follow_up_on.isoformat()}
    _store(officer, dict(user_id=officer.id, kind="follow_up", instance_id=None, task_id=None, params=params,
                         created_at=utcnow()))


NAMES_SHOWN = 3  # customers a transfer's notice names; "…" for the rest


def customers_moved(user: User, kind: str, customers: list, by: User, reason: str, **extra) -> None:
    """Customers changed hands (客户移交): ``transfer_in`` tells the officer who took them over, ``transfer_out``
    the officer who had them; one notice for all the customers of one transfer, linked to the customer's page
    (one customer) or to "my customers"."""
    if user is None or not user.active or not customers:
        return
    names = [c.name for c in customers[:NAMES_SHOWN]]
    params = {"count": len(customers), "names": names, "more": len(customers) > NAMES_SHOWN, "by": by.display_name,
              "reason": reason if len(reason) <= 200 else reason[:199] + "…",
              "customer_id": customers[0].id if len(customers) == 1 else None, **extra}
    _store(user, dict(user_id=user.id, kind=kind, instance_id=None, task_id=None, params=params,
                      created_at=utcnow()))


def customers_link(notification: Notification) -> str:
    """Where a transfer's notice leads: the one customer's page, or "my customers"."""
    customer_id = (notification.params or {}).get("customer_id")
    return f"/customers/{customer_id}#officer" if customer_id else "/customers/mine"


def _returned(task: HumanTask) -> bool:
    """A task of the officer's side opened again: the case came back from approval or compliance."""
    if task.lane in APPROVAL_LANES:
        return False
    return bool(db.session.scalar(select(exists().where(
        HumanTask.instance_id == task.instance_id, HumanTask.task_spec == task.task_spec,
        HumanTask.state == "completed"))))


def _recipients(task: HumanTask, instance: ProcessInstance) -> list[User]:
    if task.assignee_id is not None:
        assignee = db.session.get(User, task.assignee_id)
        return [assignee] if assignee is not None else []
    if task.lane is None:
        return []
    if task.lane not in APPROVAL_LANES and instance.started_by is not None \
            and task.lane in instance.started_by.group_codes:
        return [instance.started_by]  # the case's own officer, not every officer of the bank
    return eligibility.able_users(task.lane, instance, task.required_level)


def _notify(users: Sequence[User | None], kind: str, instance: ProcessInstance, task: HumanTask, **extra) -> None:
    summary = instance.summary or {}
    customer = (task.about or {}).get("customer_name") or summary.get("customer_name")  # a sampled case's own
    params = {"reference": instance.reference, "customer": customer, "task": task.name,
              "level": task.required_level, **extra}
    now = utcnow()
    for user in users:
        if user is None or not user.active:
            continue
        values = dict(user_id=user.id, kind=kind, instance_id=instance.id, task_id=task.id, params=params,
                      created_at=now)
        _store(user, values)


def _store(user: User, values: dict) -> None:
    """One notification, and its e-mail in the outbox when the person has an address."""
    notification_id = insert_returning_id(Notification, values)
    if user.email:
        note = Notification(id=notification_id, **values)
        db.session.add(OutboxMail(notification_id=notification_id, to_address=user.email,
                                  subject=_fitted(_in_both(lambda: subject(note)), SUBJECT_LENGTH),
                                  body=_in_both(lambda: body(note), "\n\n"), created_at=values["created_at"]))


def _halves(render) -> list[str]:
    texts = []
    for locale in MAIL_LOCALES:
        with force_locale(locale):
            texts.append(render())
    return texts


def _in_both(render, sep: str = " / ") -> str:
    return sep.join(_halves(render))


def _half_sent(sent: str, render, sep: str, locale: str) -> str:
    """The ``locale`` half of ``sent``, a text ``_in_both`` wrote: its halves are rendered again and found in
    it in order, and the reader's is cut out of what was sent (a subject cut to fit stays cut). A text the
    halves are not found in (a wording changed since) is shown whole, as it was sent."""
    wanted = [i for i, each in enumerate(MAIL_LOCALES) if each.split("_")[0] == str(locale).split("_")[0]]
    if not wanted:
        return sent
    parts, rest = [], sent
    for half in _halves(render)[:-1]:
        if not rest.startswith(half + sep):
            return sent
        parts.append(half)
        rest = rest[len(half + sep):]
    return (parts + [rest])[wanted[0]]


def mail_in(mail: OutboxMail, locale: str) -> tuple[str, str]:
    """The subject and body of an e-mail in ``locale``, cut from what was sent in both languages (the outbox
    page shows the reader's half); one whose notification is gone, whole."""
    note = db.session.get(Notification, mail.notification_id) if mail.notification_id else None
    if note is None:
        return mail.subject, mail.body
    return (_half_sent(mail.subject, lambda: subject(note), " / ", locale),
            _half_sent(mail.body, lambda: body(note), "\n\n", locale))


def message(notification: Notification, locale: str | None = None) -> str:
    """What the notification says, in the current (or the given) language."""
    if locale is not None:
        with force_locale(locale):
            return message(notification)
    p = dict(notification.params or {})
    p["task"] = in_language(p.get("task") or "", str(get_locale()))
    p["customer"] = p.get("customer") or "-"
    p["reference"] = p.get("reference") or "-"
    kind = notification.kind
    if kind == "unstaffed":
        why = eligibility.explain(p.get("reason") or "nobody", p.get("lane"), p.get("level"), p.get("user"))
        return _("Case %(reference)s (%(customer)s) cannot go on at %(task)s. %(why)s", why=why,
                 **{k: p[k] for k in ("reference", "customer", "task")})
    if kind == "follow_up":
        return _("Follow-up due %(date)s with %(customer)s: %(summary)s", **p)
    if kind == "renewal":
        return _("Renewal proposed: facility %(renews)s of %(customer)s matures on %(date)s; case %(reference)s "
                 "waits for you at %(task)s.", **{**p, "renews": p.get("renews") or "-", "date": p.get("date") or "-"})
    if kind in ("transfer_in", "transfer_out"):
        return _transfer_message(kind, p)
    if kind == "chain_broken":
        return _("The audit log's hash chain is broken at event %(row)s: %(reason)s", **p)
    if kind == "returned":
        return _("Case %(reference)s (%(customer)s) came back to you: %(task)s.", **p)
    if kind == "delegated":
        return _("%(by)s handed you %(task)s on case %(reference)s (%(customer)s).", **p)
    if kind == "escalated":
        return _("Overdue approval escalated to level %(level)s: %(task)s on case %(reference)s (%(customer)s).",
                 **p)
    if kind == "withdrawn":
        return _("Case %(reference)s (%(customer)s) was withdrawn by %(by)s: %(reason)s", **p)
    if kind == "overdue":
        return _("%(task)s on case %(reference)s (%(customer)s) passed its due time and went to level "
                 "%(level)s.", **p)
    return _("New task %(task)s on case %(reference)s (%(customer)s).", **p)


def _transfer_message(kind: str, p: dict) -> str:
    separator = "、" if str(get_locale()).startswith("zh") else ", "
    names = separator.join(p.get("names") or []) + ("…" if p.get("more") else "")
    values = {"by": p.get("by") or "-", "count": p.get("count") or 0, "customers": names,
              "reason": p.get("reason") or "-", "tasks": p.get("tasks") or 0, "to": p.get("to") or "-"}
    if kind == "transfer_in":
        return _("%(by)s transferred %(count)s customer(s) to you: %(customers)s; %(tasks)s open task(s) came "
                 "with them. Reason: %(reason)s", **values)
    return _("%(by)s transferred %(count)s of your customers to %(to)s: %(customers)s; %(tasks)s open task(s) "
             "went with them. Reason: %(reason)s", **values)


def subject(notification: Notification) -> str:
    if notification.kind == "unstaffed":  # the why and what to do are in the body
        p = notification.params or {}
        return _("[Credit] Case %(reference)s cannot go on: nobody may act on it", reference=p.get("reference") or "-")
    return _("[Credit] %(message)s", message=message(notification))


def _fitted(text: str, length: int) -> str:
    """At most ``length`` characters (a long customer name in both languages would not fit the column)."""
    return text if len(text) <= length else text[:length - 1] + "…"


def body(notification: Notification) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if notification.task_id:
        link = f"{base}/tasks/{notification.task_id}"
    elif notification.instance_id:
        link = f"{base}/cases/{notification.instance_id}"
    elif notification.kind == "follow_up":
        link = f"{base}/customers/{(notification.params or {}).get('customer_id')}#contact-log"
    elif notification.kind in ("transfer_in", "transfer_out"):
        link = base + customers_link(notification)
    else:
        link = f"{base}/audit"
    return _("%(message)s\nOpen it: %(link)s", message=message(notification), link=link)


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).where(Notification.user_id == user.id,
                                                        Notification.read_at.is_(None))) or 0


def listing(user: User, *, page: int = 1, per_page: int = 50) -> tuple[list[Notification], int]:
    """The user's notifications, newest first, and how many there are."""
    query = select(Notification).where(Notification.user_id == user.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Notification.id.desc()).offset((page - 1) * per_page)
                              .limit(per_page)).all()
    return list(rows), total


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; someone else's is refused."""
    note = db.session.get(Notification, notification_id)
    if note is None:
        raise NotFound(_("No notification %(id)s.", id=notification_id))
    if note.user_id != user.id:
        raise NotAuthorized(_("This notification is someone else's."))
    if note.read_at is None:
        with unit_of_work():
            note.read_at = utcnow()
    return note


def mark_all_read(user: User) -> int:
    with unit_of_work():
        done = rowcount(db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                                      Notification.read_at.is_(None))
                                           .values(read_at=utcnow()).execution_options(synchronize_session=False)))
    return done
