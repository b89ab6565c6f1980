"""What an escalation holds, read without starting or stepping one: the warnings it holds, worst first, and
the customer's other running escalations. The case page reads these (``cases.case_facts``); the escalations
themselves are started and joined by ``escalations``, which ranks a group the same way.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import EarlyWarning, ProcessInstance

PROCESS = "warning_escalation"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def rank(warning: EarlyWarning) -> int:
    """A warning's place by severity (the worst first; an unknown severity last)."""
    return SEVERITY_ORDER.get(warning.severity, len(SEVERITY_ORDER))


def others_of(instance: ProcessInstance) -> list[ProcessInstance]:
    """The customer's other running escalations (a warning that came after this one's investigation is in
    one of them), oldest first."""
    if instance.customer_id is None:
        return []
    return list(
        db.session.scalars(
            select(ProcessInstance)
            .where(
                ProcessInstance.process_id == PROCESS,
                ProcessInstance.status == "running",
                ProcessInstance.customer_id == instance.customer_id,
                ProcessInstance.id != instance.id,
            )
            .order_by(ProcessInstance.id)
        )
    )


def held_by(instance_id: int) -> list[EarlyWarning]:
    """The warnings an escalation holds, worst first (then in the order they were raised)."""
    warnings = db.session.scalars(
        select(EarlyWarning).where(EarlyWarning.instance_id == instance_id).order_by(EarlyWarning.id)
    )
    return sorted(warnings, key=rank)
