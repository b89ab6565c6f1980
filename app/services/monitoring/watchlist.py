"""The watchlist (预警客户名单): every customer under an open warning, with each warning's stage in its
escalation and who holds it now; and the customers a risk-control decision put on the watchlist."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.errors import NotAuthorized
from app.extensions import db
from app.models import Customer, EarlyWarning, HumanTask, User
from app.services.monitoring.observations import MAY_READ

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class WatchedWarning:
    warning: EarlyWarning
    stage: str | None  # the step its escalation waits at
    holder: User | None  # who has its open task
    queue: str | None  # else the group (and level) whose queue holds it
    level: int | None = None
    task_id: int | None = None


@dataclass
class WatchedCustomer:
    customer: Customer
    warnings: list[WatchedWarning] = field(default_factory=list)

    @property
    def worst(self) -> str:
        return min(
            (w.warning.severity for w in self.warnings), key=lambda s: SEVERITY_ORDER.get(s, 9), default="low"
        )


def listing(user: User, severity: str | None = None) -> tuple[list[WatchedCustomer], list[Customer]]:
    """Customers under open warnings (worst first), and the customers flagged for the watchlist."""
    if user.role not in MAY_READ:
        raise NotAuthorized(_("Your role may not read the watchlist."))
    query = (
        select(EarlyWarning)
        .where(EarlyWarning.status == "open")
        .order_by(EarlyWarning.detected_at)
        .options(selectinload(EarlyWarning.customer), selectinload(EarlyWarning.instance))
    )
    if severity:
        query = query.where(EarlyWarning.severity == severity)
    warnings = list(db.session.scalars(query))
    tasks: dict[int | None, HumanTask] = {}  # by instance (a warning without one finds none)
    instance_ids = [w.instance_id for w in warnings if w.instance_id]
    for task in db.session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.state == "ready")
        .order_by(HumanTask.id)
        .options(selectinload(HumanTask.assignee))
    ):
        tasks.setdefault(task.instance_id, task)
    by_customer: dict[int, WatchedCustomer] = {}
    for warning in warnings:
        ready = tasks.get(warning.instance_id)
        watched = by_customer.setdefault(warning.customer_id, WatchedCustomer(warning.customer))
        watched.warnings.append(
            WatchedWarning(
                warning,
                warning.instance.current_step if warning.instance else None,
                ready.assignee if ready else None,
                ready.lane if ready and not ready.assignee_id else None,
                ready.required_level if ready else None,
                ready.id if ready else None,
            )
        )
    for watched in by_customer.values():  # worst first; those of one escalation were raised together
        watched.warnings.sort(key=lambda w: SEVERITY_ORDER.get(w.warning.severity, 9))
    customers = sorted(by_customer.values(), key=lambda c: (SEVERITY_ORDER.get(c.worst, 9), c.customer.name))
    flagged = list(
        db.session.scalars(select(Customer).where(Customer.watchlist.is_(True)).order_by(Customer.name))
    )
    return customers, flagged
