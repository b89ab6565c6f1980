"""Who may act: users, their groups (BPMN lanes) and API tokens, approvers' qualifications, and the cases
that cannot go on for want of someone who may."""

from app.models.people.qualification import Qualification
from app.models.people.staffing import StaffingGap
from app.models.people.user import EXTRA_GROUPS, GROUPS, ROLE_GROUPS, ROLES, ApiToken, User, UserGroup

__all__ = [
    "EXTRA_GROUPS",
    "GROUPS",
    "ROLES",
    "ROLE_GROUPS",
    "ApiToken",
    "Qualification",
    "StaffingGap",
    "User",
    "UserGroup",
]
