"""Who may act: users, their groups (BPMN lanes) and API tokens, their training (the approvers' qualification
among it), and the cases that cannot go on for want of someone who may."""

from app.models.people.staffing import StaffingGap
from app.models.people.training import (
    APPROVAL_COURSE,
    KYC_COURSE,
    Course,
    ReadingAssignment,
    TrainingCompletion,
    TrainingSession,
)
from app.models.people.user import EXTRA_GROUPS, GROUPS, ROLE_GROUPS, ROLES, ApiToken, User, UserGroup

__all__ = [
    "EXTRA_GROUPS",
    "GROUPS",
    "ROLES",
    "ROLE_GROUPS",
    "ApiToken",
    "APPROVAL_COURSE",
    "KYC_COURSE",
    "Course",
    "ReadingAssignment",
    "TrainingCompletion",
    "TrainingSession",
    "StaffingGap",
    "User",
    "UserGroup",
]
