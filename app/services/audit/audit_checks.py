"""The daily check of the audit chain: recompute it, compare it with its anchor, record the result, and
alert compliance staff (in the app and by e-mail) when a row was altered, deleted or inserted, or the log
was cut short or re-chained."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from app.services.audit import audit, audit_anchor
from app.services.notifications import notifications
from app.services.shared.unit_of_work import unit_of_work


def verify_and_alert() -> audit.ChainReport:
    with unit_of_work():
        report = audit_anchor.verify()
        audit.record(
            "audit.verified",
            None,
            checked=report.checked,
            ok=report.ok,
            broken_at=report.broken_at,
            reason=report.reason,
        )
        if not report.ok:
            staff = list(
                db.session.scalars(select(User).where(User.role == "compliance", User.active.is_(True)))
            )
            notifications.alert(staff, "chain_broken", row=report.broken_at, reason=report.reason)
    return report


def last_check() -> AuditEvent | None:
    """The latest recorded check, for the audit page."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.event_type == "audit.verified")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
