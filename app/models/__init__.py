"""SQLAlchemy models, one module per aggregate."""

from app.models.attachment import Attachment
from app.models.audit import AuditEvent
from app.models.contact import ContactLogEntry, CustomerContact
from app.models.customer import Customer, CustomerOfficerChange, Facility, FinancialStatement, RatingChange
from app.models.deployment_request import DeploymentRequest
from app.models.document import CaseDocument
from app.models.draft import DesignDraft, DraftCheck
from app.models.instance_migration import InstanceMigration
from app.models.live_limit import install as install_live_limit  # noqa: F401  (registers the triggers)
from app.models.monitoring import MonitoringImport, Observation, PortfolioCheck
from app.models.notification import Notification, OutboxMail
from app.models.outbox import QueuedJob
from app.models.process import DecisionLog, HumanTask, ProcessDefinition, ProcessInstance, Timer
from app.models.qualification import Qualification
from app.models.search import case_text, customer_text
from app.models.setting import AppSetting
from app.models.staffing import StaffingGap
from app.models.user import EXTRA_GROUPS, GROUPS, ROLE_GROUPS, ROLES, ApiToken, User, UserGroup
from app.models.warning import EarlyWarning, FacilityChange

__all__ = [
    "case_text",
    "customer_text",
    "Qualification",
    "QueuedJob",
    "AppSetting",
    "Attachment",
    "CaseDocument",
    "ContactLogEntry",
    "CustomerContact",
    "ROLES",
    "ROLE_GROUPS",
    "EXTRA_GROUPS",
    "GROUPS",
    "ApiToken",
    "AuditEvent",
    "Customer",
    "CustomerOfficerChange",
    "DecisionLog",
    "DeploymentRequest",
    "DesignDraft",
    "DraftCheck",
    "EarlyWarning",
    "FacilityChange",
    "Facility",
    "FinancialStatement",
    "HumanTask",
    "InstanceMigration",
    "MonitoringImport",
    "Observation",
    "PortfolioCheck",
    "RatingChange",
    "Notification",
    "OutboxMail",
    "ProcessDefinition",
    "ProcessInstance",
    "StaffingGap",
    "Timer",
    "User",
    "UserGroup",
]
