"""Who reads which analytics page (one place for the rule; the pages, exports and drill-downs all ask here).

- **Portfolio dashboard, stress tests** (风险管理驾驶舱、压力测试): risk managers (风险经理) and compliance (合规) over
  the whole bank — the bank's management reads as risk does — and a branch's approver (审批人) over their
  branch's customers (the customers whose officer works there).
- **KPIs** (绩效考核): a person their own figures (an officer, an approver); a branch's approver their branch's
  people; risk managers and compliance everyone's.
- **The case library** (案例库): every credit user (officers, approvers, risk, compliance).
- **Training** (培训管理): everyone their own record; risk managers and administrators keep the courses.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, true

from app.errors import NotAuthorized
from app.models import Customer, User

BANK_READERS = ("risk_manager", "compliance")  # the whole bank
BRANCH_READERS = ("approver",)  # their branch
PORTFOLIO_READERS = BANK_READERS + BRANCH_READERS
CREDIT_USERS = ("officer", "approver", "risk_manager", "compliance")


@dataclass(frozen=True)
class Reach:
    """The part of the book a reader's figures cover: the whole bank (``branch`` None) or one branch."""

    branch: str | None

    def customers(self) -> ColumnElement[bool]:
        """The customers in reach, as a condition on ``Customer`` (their officer's branch)."""
        if self.branch is None:
            return true()
        return Customer.officer_id.in_(select(User.id).where(User.branch == self.branch))

    def narrowed(self, branch: str | None) -> Reach:
        """Narrowed to ``branch`` when the filter asks for one (a branch reader stays in their own)."""
        if branch is None or self.branch is not None:
            return self
        return Reach(branch)


def portfolio_reach(user: User) -> Reach:
    """The reach of ``user`` on the portfolio pages; refused for other roles."""
    if user.role in BANK_READERS:
        return Reach(None)
    if user.role in BRANCH_READERS:
        return Reach(user.branch)
    raise NotAuthorized(
        _("The portfolio figures are for risk managers, compliance and the branches' approvers.")
    )


def check_credit_user(user: User) -> None:
    if user.role not in CREDIT_USERS:
        raise NotAuthorized(_("This page is for the bank's credit staff."))
