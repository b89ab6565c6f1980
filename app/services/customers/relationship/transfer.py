"""Assigning or transferring customers to another officer (客户移交), one or many at once.

A relationship manager (``relationship_rights``) moves customers they manage to an active officer they
manage, with a reason. One unit of work, all or nothing:

- each customer's ``officer_id`` changes (only if it is still the officer read: a transfer meanwhile is a 409);
- a ``CustomerOfficerChange`` row per customer keeps who had it, who has it, why and who moved it (the
  customer's page shows them);
- **the open tasks of the former officer go along**: the tasks of the officer lane that the former officer
  holds (assigned to them or claimed) on the customer's cases, each checked and moved as a reassignment is
  (``cases.delegation.move_with_customer``: ``task.reassigned`` in the audit log, naming the reason). Tasks
  waiting in the officers' queue unclaimed, and tasks of other lanes, stay where they are;
- ``customer.officer_changed`` in the audit log per customer (before, after, reason, tasks moved);
- the new officer is told in one notice (and e-mail), and each former officer in one notice.

Refused, nothing changed: a caller who manages no customers (403), a customer they do not manage (403,
named), a target who is not an active officer they manage, a customer already the target's, no reason
(422, the field named; in a bulk transfer the message names the customer that blocked it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.inputs.text import text_problem
from app.models import Customer, CustomerOfficerChange, HumanTask, ProcessInstance, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.cases import delegation
from app.services.customers.master import customers as customer_service
from app.services.customers.relationship.relationship_rights import (
    OFFICER,
    by_team,
    check_manager,
    is_manager,
    manages_customer,
    manages_officer,
    officers_managed,
)
from app.services.notifications import notifications
from app.services.shared.rows import insert_rows, rowcount
from app.services.shared.unit_of_work import unit_of_work

MAX_REASON = 500
MAX_CUSTOMERS = 500  # in one transfer: a whole book moves in a few
OFFICER_LANE = "officer"  # the tasks that belong to the customer's officer
HISTORY_SHOWN = 20


@dataclass(frozen=True)
class Transferred:
    officer: User
    customers: list[Customer]
    tasks_moved: int
    before: dict[int, str | None]  # each customer's former officer (user name; None: it had none)


def transfer(
    manager: User, customer_ids: Iterable, to_officer: str | None, reason: str | None
) -> Transferred:
    """Move the customers ``customer_ids`` to the officer named ``to_officer`` (a user name), for ``reason``."""
    check_manager(manager)
    errors: dict[str, str] = {}
    ids = _ids(customer_ids, errors)
    reason = _reason(reason, errors)
    officer = _target(manager, to_officer, errors)
    if errors:
        raise InvalidInput(_("No customer was transferred."), errors)
    assert officer is not None  # _target names an error otherwise
    found = {c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    chosen = []
    for customer_id in ids:
        customer = found.get(customer_id)
        if customer is None:
            raise NotFound(_("No customer %(id)s.", id=customer_id))
        if not manages_customer(manager, customer):
            raise NotAuthorized(
                _("You do not manage %(customer)s: no customer was transferred.", customer=customer.name)
            )
        if customer.officer_id == officer.id:
            raise InvalidInput(
                _("No customer was transferred."),
                {
                    "officer": _(
                        "%(customer)s is already %(officer)s's customer.",
                        customer=customer.name,
                        officer=officer.display_name,
                    )
                },
            )
        chosen.append(customer)
    with unit_of_work():
        moved, before = _move(manager, chosen, officer, reason)
    return Transferred(officer, chosen, moved, before)


def _ids(raw: Iterable, errors: dict[str, str]) -> list[int]:
    ids: dict[int, None] = {}  # in the order given, each once
    for value in raw if isinstance(raw, list | tuple) else ([] if raw is None else [raw]):
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            errors["customer_ids"] = _("customer numbers only")
            return []
        ids[int(text)] = None
        if len(ids) > MAX_CUSTOMERS:  # refused as soon as it is too long, never read to its end
            errors["customer_ids"] = _("at most %(count)s customers at once", count=MAX_CUSTOMERS)
            return []
    if not ids:
        errors["customer_ids"] = _("choose at least one customer")
    return list(ids)


def _reason(raw: str | None, errors: dict[str, str]) -> str:
    reason = raw.strip() if isinstance(raw, str) else ""
    if not reason:
        errors["reason"] = _("say why the customers change hands")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("at most %(count)s characters", count=MAX_REASON)
    elif problem := text_problem(reason, multi_line=True):
        errors["reason"] = problem
    return reason


def _target(manager: User, username: str | None, errors: dict[str, str]) -> User | None:
    name = username.strip() if isinstance(username, str) else ""
    officer = db.session.scalar(select(User).where(User.username == name)) if 0 < len(name) <= 64 else None
    if officer is None:
        errors["officer"] = _("choose the officer who takes the customers over")
    elif officer.role != OFFICER or not officer.active:
        errors["officer"] = _("%(user)s is not an active officer", user=officer.display_name)
    elif not manages_officer(manager, officer):
        errors["officer"] = _(
            "%(user)s works at another branch (%(branch)s); you manage the officers of %(own)s",
            user=officer.display_name,
            branch=_(officer.branch),
            own=_(manager.branch),
        )
    return officer


def _move(
    manager: User, chosen: list[Customer], officer: User, reason: str
) -> tuple[int, dict[int, str | None]]:
    now = utcnow()
    before = {c.id: c.officer_id for c in chosen}
    for old in set(
        before.values()
    ):  # one conditional UPDATE per former officer: a transfer meanwhile is a 409
        mine = [cid for cid, held in before.items() if held == old]
        held_still = Customer.officer_id.is_(None) if old is None else Customer.officer_id == old
        done = db.session.execute(
            update(Customer)
            .where(Customer.id.in_(mine), held_still)
            .values(officer_id=officer.id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(done) != len(mine):
            raise _changed_meanwhile(mine, old)
    tasks = _held_tasks(before)
    delegation.move_with_customer(manager, tasks, officer, reason)
    per_customer: dict[int, int] = {}
    for task in tasks:
        customer_id = _customer_of(task)
        per_customer[customer_id] = per_customer.get(customer_id, 0) + 1
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({old for old in before.values() if old is not None}))
        )
    }
    insert_rows(
        CustomerOfficerChange,
        [
            {
                "customer_id": c.id,
                "officer_before_id": before[c.id],
                "officer_after_id": officer.id,
                "reason": reason,
                "tasks_moved": per_customer.get(c.id, 0),
                "changed_by_id": manager.id,
                "changed_at": now,
            }
            for c in chosen
        ],
    )
    for customer in chosen:
        held = before[customer.id]
        old = people[held] if held in people else None
        set_committed_value(customer, "officer_id", officer.id)
        audit.record(
            "customer.officer_changed",
            manager,
            customer_id=customer.id,
            reason=reason,
            before={"officer": old.username if old else None},
            after={"officer": officer.username},
            tasks_moved=per_customer.get(customer.id, 0),
        )
    _notify(manager, chosen, officer, before, people, per_customer, reason)
    return len(tasks), {cid: people[old].username if old in people else None for cid, old in before.items()}


def _changed_meanwhile(ids: list[int], old: int | None) -> Conflict:
    name = (
        db.session.scalar(
            select(Customer.name)
            .where(Customer.id.in_(ids), Customer.officer_id.is_distinct_from(old))
            .order_by(Customer.id)
            .limit(1)
        )
        or ""
    )
    return Conflict(
        _(
            "%(customer)s changed hands meanwhile: no customer was transferred; reload to see it.",
            customer=name,
        )
    )


def _held_tasks(before: dict[int, int | None]) -> list[HumanTask]:
    """The open officer-lane tasks each former officer holds on the customer's cases (one query)."""
    officers = {old for old in before.values() if old is not None}
    if not officers:
        return []
    rows = db.session.scalars(
        select(HumanTask)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .where(
            ProcessInstance.customer_id.in_(list(before)),
            HumanTask.state == "ready",
            HumanTask.lane == OFFICER_LANE,
            HumanTask.assignee_id.in_(officers),
        )
        .order_by(HumanTask.id)
    ).all()
    return [t for t in rows if t.assignee_id == before[_customer_of(t)]]


def _customer_of(task: HumanTask) -> int:
    customer_id = task.instance.customer_id
    assert customer_id is not None  # _held_tasks selects the tasks by their case's customer
    return customer_id


def _notify(
    manager: User,
    chosen: list[Customer],
    officer: User,
    before: dict[int, int | None],
    people: dict[int, User],
    per_customer: dict[int, int],
    reason: str,
) -> None:
    notifications.customers_moved(
        officer, "transfer_in", chosen, manager, reason, tasks=sum(per_customer.values())
    )
    for old_id, old in people.items():
        theirs = [c for c in chosen if before[c.id] == old_id]
        if old.id != manager.id:
            notifications.customers_moved(
                old,
                "transfer_out",
                theirs,
                manager,
                reason,
                to=officer.display_name,
                tasks=sum(per_customer.get(c.id, 0) for c in theirs),
            )


@dataclass(frozen=True)
class OfficerPanel:
    """What the customer's page shows of its relationship: the officer, their team, the transfers."""

    officer: User | None
    history: list[CustomerOfficerChange]
    may_transfer: bool


def history_of(customer_id: int, limit: int = HISTORY_SHOWN) -> list[CustomerOfficerChange]:
    """The customer's officer changes, newest first."""
    people = [
        selectinload(getattr(CustomerOfficerChange, name)).lazyload(User.groups)
        for name in ("officer_before", "officer_after", "changed_by")
    ]
    return list(
        db.session.scalars(
            select(CustomerOfficerChange)
            .where(CustomerOfficerChange.customer_id == customer_id)
            .order_by(CustomerOfficerChange.changed_at.desc(), CustomerOfficerChange.id.desc())
            .limit(limit)
            .options(*people)
        )
    )


def officer_panel(user: User, customer: Customer) -> OfficerPanel:
    officer = db.session.get(User, customer.officer_id) if customer.officer_id else None
    return OfficerPanel(
        officer, history_of(customer.id), is_manager(user) and manages_customer(user, customer)
    )


@dataclass(frozen=True)
class TransferForm:
    customer: Customer
    panel: OfficerPanel
    targets: list[User]

    @property
    def target_groups(self) -> list[tuple[str | None, list[User]]]:
        return by_team(self.targets)


def transfer_form(manager: User, customer_id: int) -> TransferForm:
    """What the form to move one customer offers: the active officers ``manager`` manages but its own."""
    check_manager(manager)
    customer = customer_service.get_customer(manager, customer_id)
    if not manages_customer(manager, customer):
        raise NotAuthorized(_("You do not manage %(customer)s.", customer=customer.name))
    targets = [o for o in officers_managed(manager, active_only=True) if o.id != customer.officer_id]
    return TransferForm(customer, officer_panel(manager, customer), targets)
