"""Who may do what with post-loan inspections (贷后检查), for the pages and the API alike:

- **read** a customer's inspections: whoever reads the customer (``customers.get_customer``);
- **start one ad hoc** (临时检查), from a warning or the customer's page: the customer's own officer (客户经理) or a
  risk manager (风险经理);
- **the inspections list** (``/inspections``: due, overdue, awaiting sign-off, recent findings): the managers,
  a branch's approver (审批人) over its branch's customers, a risk manager over the whole bank;
- **record and sign off**: the case's tasks decide (the officer's lane and the approvers' queue).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import NotAuthorized
from app.models import Customer, User
from app.services.customers.relationship.relationship_rights import BANK_MANAGER, BRANCH_MANAGER

LIST_READERS = (BRANCH_MANAGER, BANK_MANAGER)


def may_start(user: User, customer: Customer) -> bool:
    """``user`` may start an ad hoc inspection of ``customer``."""
    return user.role == BANK_MANAGER or (user.role == "officer" and customer.officer_id == user.id)


def check_start(user: User, customer: Customer) -> None:
    if not may_start(user, customer):
        raise NotAuthorized(
            _("Only the customer's officer or a risk manager may start an inspection of this customer.")
        )


def check_list(user: User) -> None:
    if user.role not in LIST_READERS:
        raise NotAuthorized(_("The inspections list is for the branch's approvers and the risk managers."))
