"""Who may do what in the case library (案例库), for the pages and the exports alike:

- **read** the library, its entries, their timelines and the rules' evidence: every credit user (officers,
  approvers, risk managers, compliance: ``analytics.rights.CREDIT_USERS``);
- **start an analysis by hand** (a success case, or an analysis the events did not start): a risk manager (风险经理);
- **record** an analysis: the risk managers' lane of the case; **approve** it: compliance, never the analyst
  (四眼原则: the lanes differ, and ``progress`` refuses an approval by the one who wrote it whatever their groups).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import NotAuthorized
from app.models import User
from app.services.analytics.rights import CREDIT_USERS, check_credit_user

STARTERS = ("risk_manager",)
__all__ = ["CREDIT_USERS", "check_read", "may_start", "check_start"]


def check_read(user: User) -> None:
    check_credit_user(user)


def may_start(user: User) -> bool:
    return user.role in STARTERS


def check_start(user: User) -> None:
    if not may_start(user):
        raise NotAuthorized(_("Only a risk manager may start a case analysis."))
