"""Who may do what with scoring models (模型管理), checked here and nowhere else.

- **Read** the models, their figures and reports: risk management (模型风险 sits in it) and compliance.
- **Train**, **score a file** and **propose** a version as champion or challenger: risk management.
- **Approve** or reject a proposal: risk management, never the one who proposed it nor the version's author
  (four-eyes: 双人复核). The command line trains as the system and governs nothing.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import NotAuthorized, SegregationOfDutiesViolation
from app.models.people import User
from app.models.scoring import ScoringModel

READERS = ("risk_manager", "compliance")
KEEPERS = ("risk_manager",)


def may_read(user: User | None) -> bool:
    """Whether ``user`` reads the scoring models (and the challengers' scores on a case)."""
    return getattr(user, "role", None) in READERS


def check_reader(user: User) -> None:
    if not may_read(user):
        raise NotAuthorized(_("The scoring models are for risk management and compliance."))


def check_keeper(user: User | None) -> None:
    """The command line (None) may train; a person must be in risk management."""
    if user is not None and user.role not in KEEPERS:
        raise NotAuthorized(_("Only risk management trains, scores with and proposes scoring models."))


def check_second_person(user: User, version: ScoringModel, proposer_id: int | None) -> None:
    check_keeper(user)
    if user.id == proposer_id:
        raise SegregationOfDutiesViolation(_("A second person approves a proposal: you proposed this one."))
    if user.id == version.author_id:
        raise SegregationOfDutiesViolation(
            _("A second person approves a proposal: you trained this version.")
        )
