"""SQLAlchemy models, grouped by the domain they serve as the services are: ``cases``, ``customers``,
``monitoring``, ``design``, ``audit`` and ``people`` are packages; a domain with one module of models
(attachments, notifications, settings, the job outbox) keeps it here beside ``base``.

Importing this package maps every model and registers the database objects built with the tables (the
live limit's triggers, the text indexes): ``create_all`` and Alembic read its metadata.
"""

from app.models.analytics import CaseAnalysis, KpiSummary, PortfolioSummary
from app.models.attachment import Attachment
from app.models.audit import AuditEvent, CaseDocument
from app.models.cases import (
    DecisionLog,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    Timer,
    case_text,
    customer_text,
)
from app.models.customers import (
    Collateral,
    CollateralLink,
    CollateralValuation,
    ContactLogEntry,
    Customer,
    CustomerContact,
    CustomerOfficerChange,
    Facility,
    FinancialStatement,
    Guarantee,
    GuaranteeChainMember,
    GuaranteeCircleMember,
    GuaranteeNetworkScan,
    Inspection,
    RatingChange,
    install_live_limit,  # noqa: F401  (registers the triggers)
)
from app.models.design import DeploymentRequest, DesignDraft, DraftCheck, InstanceMigration
from app.models.monitoring import (
    ConnectorPayload,
    ConnectorSource,
    CustomerCheckQueue,
    EarlyWarning,
    FacilityChange,
    MonitoringImport,
    Observation,
    PortfolioCheck,
)
from app.models.notification import Notification, OutboxMail
from app.models.outbox import QueuedJob
from app.models.people import (
    APPROVAL_COURSE,
    EXTRA_GROUPS,
    GROUPS,
    KYC_COURSE,
    ROLE_GROUPS,
    ROLES,
    ApiToken,
    Course,
    ReadingAssignment,
    StaffingGap,
    TrainingCompletion,
    TrainingSession,
    User,
    UserGroup,
)
from app.models.scoring import ScoringDriftCheck, ScoringModel, ScoringModelDecision, ScoringTrainingRun
from app.models.setting import AppSetting
from app.models.stress import StressOutcome, StressRun, StressScenario

__all__ = [
    "KpiSummary",
    "PortfolioSummary",
    "case_text",
    "customer_text",
    "APPROVAL_COURSE",
    "KYC_COURSE",
    "Course",
    "ReadingAssignment",
    "TrainingCompletion",
    "TrainingSession",
    "QueuedJob",
    "AppSetting",
    "ScoringDriftCheck",
    "ScoringModel",
    "ScoringModelDecision",
    "ScoringTrainingRun",
    "Attachment",
    "CaseAnalysis",
    "CaseDocument",
    "Collateral",
    "CollateralLink",
    "CollateralValuation",
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
    "Guarantee",
    "GuaranteeChainMember",
    "GuaranteeCircleMember",
    "GuaranteeNetworkScan",
    "Inspection",
    "HumanTask",
    "InstanceMigration",
    "MonitoringImport",
    "Observation",
    "PortfolioCheck",
    "CustomerCheckQueue",
    "ConnectorPayload",
    "ConnectorSource",
    "RatingChange",
    "Notification",
    "OutboxMail",
    "ProcessDefinition",
    "ProcessInstance",
    "StaffingGap",
    "StressOutcome",
    "StressRun",
    "StressScenario",
    "Timer",
    "User",
    "UserGroup",
]
