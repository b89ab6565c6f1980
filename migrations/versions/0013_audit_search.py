"""Indexes for the auditor's search: by customer, by user, by time.

Revision ID: 0013_audit_search
Revises: 0012_one_open
"""

from alembic import op

revision = "0013_audit_search"
down_revision = "0012_one_open"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_event_customer", "audit_event", ["customer_id", "id"])
    op.create_index("ix_audit_event_actor", "audit_event", ["actor_name", "id"])
    op.create_index("ix_audit_event_occurred", "audit_event", ["occurred_at"])


def downgrade():
    op.drop_index("ix_audit_event_occurred", table_name="audit_event")
    op.drop_index("ix_audit_event_actor", table_name="audit_event")
    op.drop_index("ix_audit_event_customer", table_name="audit_event")
