"""Process design: designers' drafts and their checks, deployments waiting for approval, and the
migrations of running cases to a newer deployed version."""

from app.models.design.deployment_request import DeploymentRequest
from app.models.design.draft import DesignDraft, DraftCheck
from app.models.design.instance_migration import InstanceMigration

__all__ = [
    "DeploymentRequest",
    "DesignDraft",
    "DraftCheck",
    "InstanceMigration",
]
