"""Who manages whom in the customer relationship (客户关系): one place for the rule.

- An **officer** (客户经理) looks after the customers whose ``officer_id`` is theirs: "my customers".
- A **relationship manager** looks after officers and their customers, and assigns or transfers customers
  between officers (客户移交):
  - an ``approver`` (审批人, the branch's credit head) manages the officers and the customers of **their own
    branch** (``User.branch``): the customers whose officer works there; they transfer only to an active
    officer of that branch;
  - a ``risk_manager`` (风险经理, head office) manages **every branch**: any customer, to any active officer.
- Nobody else manages: compliance reads, designers and administrators do not hold customers (an
  administrator manages users, and may still hand single tasks on, ``cases.delegation``).

Teams (``User.team``, 对公一部…) group a branch's officers on the manager's pages; they do not change who
manages whom. A customer without an officer (or whose officer has no branch of record) is a head-office
matter: only a risk manager assigns it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import lazyload

from app.errors import NotAuthorized
from app.extensions import db
from app.models import Customer, User

OFFICER = "officer"
BRANCH_MANAGER = "approver"  # manages the officers and customers of their own branch
BANK_MANAGER = "risk_manager"  # manages every branch (head office)
MANAGERS = (BRANCH_MANAGER, BANK_MANAGER)


def is_manager(user: User) -> bool:
    return user.role in MANAGERS


def check_manager(user: User) -> None:
    if not is_manager(user):
        raise NotAuthorized(
            _(
                "Only a relationship manager (a branch's approver or a risk manager) may assign or "
                "transfer customers."
            )
        )


def manages_officer(manager: User, officer: User) -> bool:
    """``officer`` is one of ``manager``'s officers (whether active or not)."""
    if officer.role != OFFICER:
        return False
    return manager.role == BANK_MANAGER or (
        manager.role == BRANCH_MANAGER and officer.branch == manager.branch
    )


def manages_customer(manager: User, customer: Customer) -> bool:
    """``manager`` may reassign ``customer``: a risk manager any, a branch's approver those of its branch."""
    if manager.role == BANK_MANAGER:
        return True
    if manager.role != BRANCH_MANAGER or customer.officer_id is None:
        return False
    officer = db.session.get(User, customer.officer_id)
    return officer is not None and officer.branch == manager.branch


def staff_of(manager: User):
    """The users whose customers ``manager`` sees (a SELECT of their ids), or None for the whole bank."""
    if manager.role == BANK_MANAGER:
        return None
    return select(User.id).where(User.branch == manager.branch)


@dataclass(frozen=True)
class Scope:
    """Whose customers a user's "my customers" page lists: ``own`` (an officer's), ``branch`` (a branch's
    approver: the branch's officers') or ``bank`` (a risk manager: everyone's)."""

    kind: str
    branch: str | None = None

    @property
    def managed(self) -> bool:
        return self.kind != "own"


def scope_of(user: User) -> Scope:
    """The user's scope; refused for a role that neither holds nor manages customers."""
    if user.role == OFFICER:
        return Scope("own")
    if user.role == BRANCH_MANAGER:
        return Scope("branch", user.branch)
    if user.role == BANK_MANAGER:
        return Scope("bank")
    raise NotAuthorized(_("My customers is for officers and for the managers of officers."))


def in_scope(user: User, scope: Scope) -> ColumnElement[bool]:
    """The customers of ``scope`` as a condition on ``Customer``."""
    if scope.kind == "own":
        return Customer.officer_id == user.id
    staff = staff_of(user)
    return true() if staff is None else Customer.officer_id.in_(staff)


def officers_managed(manager: User, *, active_only: bool = False) -> list[User]:
    """The officers ``manager`` manages, by team then name (an officer without a team last)."""
    query = select(User).options(lazyload(User.groups)).where(User.role == OFFICER)
    if manager.role == BRANCH_MANAGER:
        query = query.where(User.branch == manager.branch)
    elif manager.role != BANK_MANAGER:
        return []
    if active_only:
        query = query.where(User.active.is_(True))
    officers = db.session.scalars(query).all()
    return sorted(officers, key=lambda u: (u.team is None, u.team or "", u.branch, u.display_name, u.id))


def by_team(officers: list[User]) -> list[tuple[str | None, list[User]]]:
    """``officers`` (as ``officers_managed`` orders them) grouped by team, in that order."""
    groups: dict[str | None, list[User]] = {}
    for officer in officers:
        groups.setdefault(officer.team, []).append(officer)
    return list(groups.items())
