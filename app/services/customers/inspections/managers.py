"""Who an overdue inspection is escalated to (贷后检查逾期上报): the managers of the customer's relationship,
the approvers (审批人) of its officer's branch, or the risk managers when that branch has none (or the customer
has no officer); and the notices that tell them and the officer."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, HumanTask, Inspection, ProcessInstance, User
from app.services.customers.relationship.relationship_rights import BANK_MANAGER, BRANCH_MANAGER
from app.services.notifications import notifications


def managers_of(customer: Customer | None) -> list[User]:
    """The active approvers of the officer's branch, else the active risk managers."""
    officer = db.session.get(User, customer.officer_id) if customer and customer.officer_id else None
    if officer is not None:
        branch = list(
            db.session.scalars(
                select(User)
                .where(User.role == BRANCH_MANAGER, User.branch == officer.branch, User.active.is_(True))
                .order_by(User.id)
            )
        )
        if branch:
            return branch
    return list(
        db.session.scalars(
            select(User).where(User.role == BANK_MANAGER, User.active.is_(True)).order_by(User.id)
        )
    )


def tell_overdue(instance: ProcessInstance, inspection: Inspection, customer: Customer | None) -> list[str]:
    """Tell the officer (linked to the task) and the managers (linked to the case); returns who was told."""
    officer = db.session.get(User, customer.officer_id) if customer and customer.officer_id else None
    task = db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.task_spec == "record_visit",
            HumanTask.state == "ready",
        )
    )
    holder = db.session.get(User, task.assignee_id) if task is not None and task.assignee_id else officer
    told = managers_of(customer)
    notifications.inspection_overdue(
        holder,
        told,
        instance,
        task.id if task is not None else None,
        customer=customer.name if customer else None,
        date=inspection.due_on.isoformat(),
        officer=holder.display_name if holder else None,
    )
    return [u.username for u in ([holder] if holder else []) + told]
