"""Who reads whose KPIs (绩效考核): one place for the rule; the dashboard, the person pages, the drill-downs and
the exports all ask here.

- An **officer** (客户经理) reads their own figures: the cases they opened or whose customer they look after.
- An **approver** (审批人, the branch's credit head — the branch manager of ``relationship_rights``) reads their
  own sign-off figures and those of their branch's officers and approvers, over their branch's cases.
- **Risk managers and compliance** (management) read everyone's, over the whole bank (a branch filter narrows).
- Anyone else is refused (403).

A case is in a branch when its customer's officer works there, as on the portfolio pages
(``rights.Reach``); a case without a customer belongs to whoever opened it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select, true

from app.errors import NotAuthorized
from app.models import Customer, ProcessInstance, User
from app.services.analytics.rights import BANK_READERS, BRANCH_READERS, CREDIT_USERS

PEOPLE_ROLES = ("officer", "approver")  # the people KPIs are kept for


@dataclass(frozen=True)
class KpiReach:
    """What a reader's KPI figures cover: everyone (``branch`` and ``person`` None), one branch, or one person."""

    branch: str | None = None
    person: int | None = None

    @property
    def whole_bank(self) -> bool:
        return self.branch is None and self.person is None

    def cases(self) -> ColumnElement[bool]:
        """The cases in reach, as a condition on ``ProcessInstance``."""
        if self.person is not None:
            mine = select(Customer.id).where(Customer.officer_id == self.person)
            return or_(ProcessInstance.started_by_id == self.person, ProcessInstance.customer_id.in_(mine))
        if self.branch is not None:
            branch_people = select(User.id).where(User.branch == self.branch)
            branch_customers = select(Customer.id).where(Customer.officer_id.in_(branch_people))
            return or_(
                ProcessInstance.customer_id.in_(branch_customers),
                (ProcessInstance.customer_id.is_(None)) & ProcessInstance.started_by_id.in_(branch_people),
            )
        return true()

    def case_rows(self, frame: pd.DataFrame, branch_of: Mapping[int, str]) -> pd.Series:
        """The rows of ``frame`` whose case is in reach: ``cases()`` over a frame read for the whole bank once
        (with each case's ``started_by_id``, ``customer_id`` and ``customer_officer_id``), so the job that keeps
        every scope's figures narrows one read. ``branch_of``: each person's branch."""
        if self.person is not None:
            return (frame["started_by_id"] == self.person) | (frame["customer_officer_id"] == self.person)
        if self.branch is not None:
            by_officer = frame["customer_officer_id"].map(branch_of) == self.branch
            by_opener = frame["customer_id"].isna() & (frame["started_by_id"].map(branch_of) == self.branch)
            return by_officer | by_opener
        return pd.Series(True, index=frame.index)

    def customers(self) -> ColumnElement[bool]:
        """The customers in reach (whose officer is the person, or works in the branch), on ``Customer``."""
        if self.person is not None:
            return Customer.officer_id == self.person
        if self.branch is not None:
            return Customer.officer_id.in_(select(User.id).where(User.branch == self.branch))
        return true()

    def people(self) -> ColumnElement[bool]:
        """The officers and approvers in reach, as a condition on ``User``."""
        kept = User.role.in_(PEOPLE_ROLES)
        if self.person is not None:
            return kept & (User.id == self.person)
        if self.branch is not None:
            return kept & (User.branch == self.branch)
        return kept

    def narrowed(self, branch: str | None) -> KpiReach:
        """Narrowed to ``branch`` when the filter asks for one (a reader never widens their own reach)."""
        if branch is None or not self.whole_bank:
            return self
        return KpiReach(branch=branch)


def kpi_reach(reader: User) -> KpiReach:
    """The reach of ``reader`` on the KPI pages; refused (NotAuthorized) for roles that hold no credit work."""
    if reader.role in BANK_READERS:
        return KpiReach()
    if reader.role in BRANCH_READERS:
        return KpiReach(branch=reader.branch)
    if reader.role in CREDIT_USERS:
        return KpiReach(person=reader.id)
    raise NotAuthorized(_("The KPIs are for the bank's credit staff."))


def may_read_person(reader: User, person: User) -> bool:
    """``reader`` may open ``person``'s KPI page: themselves, their branch's officers and approvers (a branch's
    approver), anyone's (management)."""
    if reader.role not in CREDIT_USERS:
        return False
    if reader.id == person.id:
        return True
    if person.role not in PEOPLE_ROLES:
        return False
    if reader.role in BANK_READERS:
        return True
    return reader.role in BRANCH_READERS and reader.branch == person.branch


def check_person(reader: User, person: User) -> None:
    if not may_read_person(reader, person):
        raise NotAuthorized(_("These figures are not yours to read."))
