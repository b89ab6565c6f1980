"""A customer's master data history: every change of its name, industry, size, segment, group ... with the
values before and after, who made it (the approver whose decision applied it) and the case it came from.

Read from the audit log (``customer.created`` at intake, ``customer.updated`` when an approved case changes
the master data), newest first, by its index on the customer: the history is the audit trail itself, so it
cannot say something the audit chain does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ProcessInstance, User

EVENTS = ("customer.created", "customer.updated")
# The master data fields in the order the page shows them, with their labels.
FIELDS: dict[str, Any] = {
    "name": _l("Customer name"),
    "uscc": _l("Unified social credit code"),
    "industry": _l("Industry"),
    "size": _l("Enterprise size"),
    "credit_record": _l("Credit record"),
    "listed": _l("Listed"),
    "segment": _l("Segment"),
    "grade": _l("Grade"),
    "group_name": _l("Connected group"),
}
CODED = {
    "industry",
    "size",
    "credit_record",
    "segment",
}  # values that are codes, shown in the reader's language


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def label(self) -> Any:
        return FIELDS.get(self.field, self.field)

    @property
    def coded(self) -> bool:
        return self.field in CODED


@dataclass(frozen=True)
class MasterChange:
    event_id: int
    created: bool  # the customer's first record (intake), not a change
    at: datetime
    actor_name: str | None  # the display name of who did it (None: the system)
    instance_id: int | None
    reference: str | None  # the case's reference (CA-2026-000123)
    changes: list[FieldChange]


def history_of(customer_id: int, limit: int = 50) -> list[MasterChange]:
    """The customer's master data record and changes, newest first."""
    rows = db.session.execute(
        select(AuditEvent, User.display_name, ProcessInstance.reference)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
        .where(AuditEvent.customer_id == customer_id, AuditEvent.event_type.in_(EVENTS))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [_change(event, shown_as, reference) for event, shown_as, reference in rows]


def _change(event: AuditEvent, shown_as: str | None, reference: str | None) -> MasterChange:
    payload = event.payload or {}
    before, after = payload.get("before") or {}, payload.get("after") or {}
    order = [f for f in FIELDS if f in after] + sorted(f for f in after if f not in FIELDS)
    return MasterChange(
        event_id=event.id,
        created=event.event_type == "customer.created",
        at=event.occurred_at,
        actor_name=shown_as or (event.actor_name if event.actor_id else None),
        instance_id=event.instance_id,
        reference=reference,
        changes=[FieldChange(f, before.get(f), after[f]) for f in order],
    )
