"""One step, one transaction: load an instance, run the engine, project, audit, let the other rooms react
(``reactions``: their listeners, registered in the app factory), commit.

Only a running case is stepped: every way the engine moves a case (a task completed, a timer fired, a
message delivered, a withdrawal, a move to another version) comes through ``run_step``, which refuses a
withdrawn, finished or stopped case before the engine runs (``CaseNotRunning``, naming why). The instance
row carries a version counter, checked and moved by one explicit compare-and-set (``instance_row.write``:
``UPDATE ... WHERE version = :expected``; the ORM does not version the row): a step that loses the race is
rolled back whole and reported as a conflict naming who won (``lost_race``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import select

from app import engine
from app.errors import CaseNotRunning, Conflict, ProcessFailed
from app.extensions import db
from app.localtime import local_time
from app.models import AuditEvent, HumanTask, ProcessInstance, User
from app.services.audit import audit
from app.services.audit.readable import actor
from app.services.cases import reactions
from app.services.cases.projections import apply_step
from app.services.design.deployment import deployment
from app.services.shared.unit_of_work import unit_of_work

Step = Callable[[engine.Bundle, str], engine.StepResult]
RUNNING, WITHDRAWN = "running", "withdrawn"


def run_step(
    instance: ProcessInstance,
    actor: User | None,
    step: Step,
    *,
    prelude: Callable[[], None] | None = None,
    completing: str | None = None,
    also: dict | None = None,
) -> engine.StepResult:
    """Run ``step`` on ``instance`` and commit it with everything it projects; or change nothing.

    ``prelude`` writes what the person did (see ``projections.apply_step``); ``completing`` is the
    user task they completed; ``also`` holds more columns of the instance row to write with the step.
    A case that is not running is refused (``not_running``) and nothing is changed.
    """
    if instance.status != RUNNING:
        raise not_running(instance)
    instance_id, process_id = instance.id, instance.process_id
    bundle = deployment.bundle_for(instance.definition)
    try:
        result = step(bundle, instance.state)
    except engine.EngineError as exc:
        db.session.rollback()
        # A case that failed while starting was rolled back with the step: its id belongs to nobody.
        kept = db.session.get(ProcessInstance, instance_id) is not None
        with unit_of_work(own=True):  # the failure is recorded, though the step is not
            audit.record(
                "engine.error",
                actor,
                instance_id=instance_id if kept else None,
                process_id=process_id,
                element=exc.element_id,
                reason=exc.reason,
            )
        raise ProcessFailed(
            _(
                "The process failed at %(element)s: %(reason)s",
                element=exc.element_id or "?",
                reason=exc.reason,
            )
        ) from exc
    with unit_of_work(lambda: lost_race(instance_id)):
        changes = apply_step(instance, result, actor, prelude, completing, also)
        with db.session.no_autoflush:
            reactions.installed().run(reactions.StepTaken(instance, result, actor, changes))
    return result


def not_running(instance: ProcessInstance) -> CaseNotRunning:
    """The refusal of any step on a case that is not running: who withdrew it (when and why), or when it
    finished and how, or the state it stopped in."""
    if instance.status == WITHDRAWN:
        event = withdrawal_of(instance.id)
        who = actor(event) if event is not None else _("someone")  # by name, as the banner says
        when = local_time(event.occurred_at, "%Y-%m-%d %H:%M") if event is not None else ""
        reason = (event.payload or {}).get("reason", "") if event is not None else ""
        return CaseNotRunning(
            _(
                "Case %(reference)s was withdrawn by %(user)s at %(time)s (%(reason)s); it can no "
                "longer be worked.",
                reference=instance.reference,
                user=who,
                time=when,
                reason=reason,
            )
        )
    if instance.status == "completed":
        return CaseNotRunning(
            _(
                "Case %(reference)s finished at %(time)s (%(outcome)s); it can no longer be worked.",
                reference=instance.reference,
                time=local_time(instance.completed_at, "%Y-%m-%d %H:%M") if instance.completed_at else "",
                outcome=_(instance.outcome or "completed"),
            )
        )
    return CaseNotRunning(
        _(
            "Case %(reference)s is not running (%(status)s); it can no longer be worked.",
            reference=instance.reference,
            status=_(instance.status),
        )
    )


def withdrawal_of(instance_id: int) -> AuditEvent | None:
    """The audit event of the case's withdrawal (who, when, why), if it was withdrawn."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.event_type == "instance.withdrawn")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )


def lost_race(instance_id: int) -> Conflict:
    """The conflict to report when someone else moved the instance first."""
    latest = db.session.scalar(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.completed_at.is_not(None))
        .order_by(HumanTask.completed_at.desc())
        .limit(1)
    )
    if latest is not None and latest.completed_by is not None:
        return Conflict(
            _(
                "This case was changed by %(user)s at %(time)s; reload to see it.",
                user=latest.completed_by.display_name,
                time=local_time(latest.completed_at, "%Y-%m-%d %H:%M:%S"),
            )
        )
    return Conflict(_("This case was changed by someone else; reload to see it."))
