"""Withdrawing a credit application before it is decided (the customer no longer wants the credit, or it
was opened by mistake), so that no case stays open and empty forever.

An officer who works the case (opened it, did one of its steps, or may do its open one) withdraws it with a
reason. In one step, version-checked like any other: the workflow is cancelled where it stands, every open
task is cancelled and every waiting timer with it, the case's status and outcome become "withdrawn", and
the withdrawal is audited with its reason (``instance.withdrawn``). Whoever held one of its tasks is told.
A withdrawn case is never worked again: its tasks answer 409 naming the withdrawal.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select

from app import engine
from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance, User
from app.services.approval.lanes import APPROVAL_LANES
from app.services.audit import audit
from app.services.cases import steps
from app.services.cases.steps import WITHDRAWN, lost_race, not_running, run_step
from app.services.notifications import notifications
from app.services.shared.nullsafe import outside

PROCESSES = ("credit_application",)  # what an applicant can withdraw
DECIDED_LANES = ("compliance",)  # a case waiting here was approved: past withdrawal
MAX_REASON = 2000


def withdraw(
    user: User, instance_id: int, reason: str, expected_version: int | None = None
) -> ProcessInstance:
    """Withdraw the application ``instance_id`` for ``reason``; refused (naming why) if ``user`` may not or
    the case is decided, already withdrawn, or moved since ``expected_version``."""
    instance = _instance(instance_id)
    check_may_withdraw(user, instance)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the application is withdrawn."), {"reason": _("A reason is required.")})
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            _("The reason is too long."), {"reason": _("At most %(n)s characters.", n=MAX_REASON)}
        )
    if expected_version is not None and expected_version != instance.version:
        raise lost_race(instance.id)
    held = [t.assignee_id for t in _open_tasks(instance) if t.assignee_id not in (None, user.id)]

    def recorded() -> None:
        """The withdrawal and the word to those who held its tasks, in the step's transaction."""
        audit.record(
            "instance.withdrawn",
            user,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            reason=reason,
            step=instance.current_step,
        )
        notifications.withdrawn(
            instance, user, [u for i in held if (u := db.session.get(User, i)) is not None], reason
        )

    run_step(
        instance,
        user,
        lambda b, state: engine.cancel(b, state, {"outcome": WITHDRAWN}),
        prelude=recorded,
        also={"status": WITHDRAWN, "outcome": WITHDRAWN},
    )
    return instance


def to_confirm(user: User, instance_id: int) -> ProcessInstance:
    """The case whose withdrawal ``user`` is asked to confirm, refused as ``withdraw`` would refuse it."""
    instance = _instance(instance_id)
    check_may_withdraw(user, instance)
    return instance


def check_may_withdraw(user: User, instance: ProcessInstance) -> None:
    """Raise the refusal that applies, if any: ``user`` does not work the case (403, first: who withdrew it and
    why is not told to someone who may not read it), or not an application, already withdrawn or decided (409)."""
    if not _works_on(user, instance):
        raise NotAuthorized(
            _(
                "Only an officer who works on case %(reference)s may withdraw it.",
                reference=instance.reference,
            )
        )
    if instance.status == WITHDRAWN:
        raise withdrawn_conflict(instance)
    if instance.process_id not in PROCESSES:
        raise Conflict(
            _(
                "Only a credit application can be withdrawn; %(reference)s is not one.",
                reference=instance.reference,
            )
        )
    if instance.status != "running" or any(t.lane in DECIDED_LANES for t in _open_tasks(instance)):
        raise Conflict(
            _(
                "Case %(reference)s has been decided; it can no longer be withdrawn.",
                reference=instance.reference,
            )
        )


def may_withdraw(user: User, instance: ProcessInstance) -> bool:
    """Whether to offer ``user`` the withdrawal of ``instance`` (the pages show the button only then)."""
    try:
        check_may_withdraw(user, instance)
    except (Conflict, NotAuthorized):
        return False
    return True


def withdrawn_conflict(instance: ProcessInstance) -> Conflict:
    """The 409 for any step on a withdrawn case: who withdrew it, when and why (as every step refuses it)."""
    return not_running(instance)


def withdrawal_of(instance_id: int) -> AuditEvent | None:
    """The audit event of the case's withdrawal (who, when, why), if it was withdrawn."""
    return steps.withdrawal_of(instance_id)


def _instance(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("No case %(id)s.", id=instance_id))
    return instance


def _open_tasks(instance: ProcessInstance) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
        )
    )


def _works_on(user: User, instance: ProcessInstance) -> bool:
    """Opened the case, did one of its officer-side steps, or may do its open officer-side step now."""
    if instance.started_by_id == user.id:
        return True
    officer_side = outside(HumanTask.lane, (*APPROVAL_LANES, *DECIDED_LANES))
    if db.session.scalar(
        select(
            exists().where(
                HumanTask.instance_id == instance.id, HumanTask.completed_by_id == user.id, officer_side
            )
        )
    ):
        return True
    return any(
        t.lane in user.group_codes and t.assignee_id in (None, user.id)
        for t in _open_tasks(instance)
        if t.lane not in (*APPROVAL_LANES, *DECIDED_LANES)
    )
