"""Who may do what in training: administrators and risk managers keep the catalogue and record attendance;
a branch's approvers read their branch's people; risk managers, compliance and administrators everyone's."""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import NotAuthorized
from app.models import User

KEEPERS = ("admin", "risk_manager")
BANK_MANAGERS = ("admin", "risk_manager", "compliance")
BRANCH_MANAGERS = ("approver",)


def check_keeper(user: User) -> None:
    if user.role not in KEEPERS:
        raise NotAuthorized(_("Only administrators and risk managers keep courses and record attendance."))


def is_manager(user: User) -> bool:
    return user.role in BANK_MANAGERS + BRANCH_MANAGERS


def manager_branch(user: User) -> str | None:
    """The branch whose people ``user`` reads (None: the whole bank); refused for other roles."""
    if user.role in BANK_MANAGERS:
        return None
    if user.role in BRANCH_MANAGERS:
        return user.branch
    raise NotAuthorized(
        _("A person's training record is for their managers, risk, compliance and administrators.")
    )


def check_reads(manager: User, person: User) -> None:
    """Refuse ``manager`` a person outside their reach (their own record is always theirs)."""
    if manager.id == person.id:
        return
    branch = manager_branch(manager)
    if branch is not None and person.branch != branch:
        raise NotAuthorized(_("%(name)s works at another branch.", name=person.display_name))
