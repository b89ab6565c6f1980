"""Who is in a group, what class a customer holds, whether it is in a guarantee circle and whether a proposal would
breach a concentration limit, for the diagrams: the directory functions the engine's scripts may call.

People, groups and customers' classes live in the database, not in a diagram, so the services hand these functions
to each engine step (``engine.scripting.DIRECTORY_FUNCTIONS`` names them), bound to the case the
step moves (``for_case``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, exists, select

from app.extensions import db
from app.localtime import local_today
from app.models import (
    APPROVAL_COURSE,
    Customer,
    CustomerOfficerChange,
    GuaranteeCircleMember,
    ProcessInstance,
    TrainingCompletion,
    User,
    UserGroup,
)
from app.services.analytics.portfolio_dashboard import portfolio_concentration
from app.services.approval import eligibility
from app.services.scoring import rating

_MEMBERS = (
    select(User.username)
    .join(UserGroup, UserGroup.user_id == User.id)
    .where(
        UserGroup.group_code == bindparam("group"),
        User.active.is_(True),
        User.id.in_(TrainingCompletion.holders_of(APPROVAL_COURSE, bindparam("today"))),
    )
    .order_by(User.username)
)


def members_of(group: str) -> list[str]:
    """Usernames of the active members of ``group`` holding a valid qualification, in a stable order."""
    return list(db.session.scalars(_MEMBERS, {"group": group, "today": local_today()}))


def class_on_file(uscc: str | None) -> str | None:
    """The five-category class (五级分类) on file for the customer with credit code ``uscc``; None for a
    customer not yet known or never classified. The rating of a case caps its grade by it."""
    if not uscc:
        return None
    return db.session.scalar(select(Customer.loan_class).where(Customer.uscc == uscc))


def circle_on_file(uscc: str | None) -> bool:
    """Whether the customer with credit code ``uscc`` is kept in a guarantee circle (担保圈): the approval
    authority sends such a credit to head office."""
    if not uscc:
        return False
    found = select(GuaranteeCircleMember.customer_id).join(
        Customer, Customer.id == GuaranteeCircleMember.customer_id
    )
    return db.session.scalar(found.where(Customer.uscc == uscc)) is not None


_OFFICER_NOW = select(Customer.officer_id).where(
    Customer.id == bindparam("customer_id"),
    exists().where(
        CustomerOfficerChange.customer_id == Customer.id,
        CustomerOfficerChange.officer_before_id == bindparam("named"),
    ),
)


def officer_now(customer_id: int | None, named_id: int | None) -> int | None:
    """Who takes a task a diagram gave by name to the customer's officer (``assigneeVariable`` officer, read
    when the case began): the officer named, or, when the customer was transferred away from them since (客户
    移交), its officer now."""
    if customer_id is None or named_id is None:
        return named_id
    now = db.session.execute(_OFFICER_NOW, {"customer_id": customer_id, "named": named_id}).scalar()
    return now if now is not None else named_id


def for_case(instance: ProcessInstance, worker: User | None = None) -> dict[str, Callable[..., Any]]:
    """The directory for one step of ``instance``; ``worker`` completes a step of the case's own work in it
    (not an approval), which the step records only after the engine ran: they worked the case too."""

    def voters_of(group: str) -> list[str]:
        """Usernames of the members of ``group`` who may decide this case: active, qualified, and clear of it
        (审贷分离) — the committee votes with these and counts its quorum among them."""
        return sorted(
            u.username
            for u in eligibility.able_users(group, instance, deciding=True)
            if worker is None or u.id != worker.id
        )

    def concentration_over(industry: str | None, amount: Any) -> bool:
        """Whether ``amount`` (CNY) more of live limits in ``industry`` and the case's region (the branch of
        the customer's officer, or of whoever opened the case for a new customer) would take either above its
        share in ``rules/concentration_limits.dmn``: the approval authority then goes one level up."""
        return portfolio_concentration.would_breach(industry, region_of(instance), amount)

    return {
        "members_of": members_of,
        "voters_of": voters_of,
        "class_on_file": class_on_file,
        "circle_on_file": circle_on_file,
        "concentration_over": concentration_over,
        "model_rating": rating.model_rating,
    }


def region_of(instance: ProcessInstance) -> str | None:
    """The region a case's credit counts in: its customer's officer's branch, else its starter's."""
    officer = select(User.branch).join(Customer, Customer.officer_id == User.id)
    if instance.customer_id is not None:
        found = db.session.scalar(officer.where(Customer.id == instance.customer_id))
        if found:
            return found
    if instance.started_by_id is None:
        return None
    return db.session.scalar(select(User.branch).where(User.id == instance.started_by_id))
