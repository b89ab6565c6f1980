"""Moving running cases to a newer deployed version of their process (流程实例迁移).

A running case stays on the version it started on. A designer previews moving some of them to a
newer version (what changes ahead of each, and which cannot move and why), then migrates them in
a batch: each case in its own step (``steps.run_step``: version-checked, projected, audited), so
one that cannot move is reported and the others proceed. Each migration keeps the state it left,
and can be rolled back exactly as long as the case has not moved on since.

The cases to choose from and the preview are in ``migration_preview``; here a batch is migrated and a
migration rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import engine
from app.engine import migration as spec_migration
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.localtime import local_time
from app.models import HumanTask, InstanceMigration, ProcessDefinition, ProcessInstance, Timer, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.cases.steps import run_step
from app.services.customers.master import directory
from app.services.design.deployment import deployment
from app.services.design.migration.migration_preview import case_preview, selected_cases, target_definition
from app.services.design.migration.migration_words import blocker_text, withdrawn_text
from app.services.design.workspace.designer import check_designer
from app.services.shared import one_by_one


@dataclass(frozen=True)
class Outcome:
    """A case of a batch: migrated (``migration``), or refused and why."""

    instance: ProcessInstance
    from_version: int
    migration: InstanceMigration | None = None
    refusals: list[str] = field(default_factory=list)


def _align_rows(instance_id: int, result: engine.StepResult) -> None:
    """Bring the open task and timer rows of the instance in line with the version it now runs on (an
    element aligned under another id, its label, lane, form). Due times stay: a migration keeps them."""
    ready = {t.uuid: t for t in result.ready_tasks}
    if ready:
        for row in db.session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id,
                HumanTask.state == "ready",
                HumanTask.task_uuid.in_(ready),
            )
        ):
            task = ready[row.task_uuid]
            row.task_spec, row.name, row.lane, row.form = task.spec_id, task.name, task.lane, task.form
    timers = {t.uuid: t for t in result.timers}
    if timers:
        for timer in db.session.scalars(
            select(Timer).where(
                Timer.instance_id == instance_id, Timer.status == "waiting", Timer.task_uuid.in_(timers)
            )
        ):
            timer.task_spec = timers[timer.task_uuid].spec_id


def _open_before(instance: ProcessInstance) -> tuple[set[str], set[str]]:
    timers = set(
        db.session.scalars(
            select(Timer.task_uuid).where(Timer.instance_id == instance.id, Timer.status == "waiting")
        )
    )
    return set(instance.open_tasks or ()), timers


class _Withdrawn(DomainError):
    """The migration would take away a task someone may be working on, or a waiting timer."""


def _migrate_one(user: User, instance: ProcessInstance, target: ProcessDefinition) -> Outcome:
    """One case of a batch, in its own transaction (``run_step``: version-checked, projected, audited)."""
    source = instance.definition
    preview_of = case_preview(instance, target)
    if not preview_of.can_migrate:
        return Outcome(instance, source.version, refusals=preview_of.refusals)
    old, new = deployment.bundle_for(source), deployment.bundle_for(target)
    state, serializer_version, version = instance.state, instance.serializer_version, instance.version
    tasks_before, timers_before = _open_before(instance)
    moved: engine.StepResult | None = None
    row: InstanceMigration | None = None

    def step(_bundle: engine.Bundle, stored: str) -> engine.StepResult:
        nonlocal moved
        moved = spec_migration.migrate(old, new, stored, directory.for_case(instance))
        lost = (tasks_before - {t.uuid for t in moved.ready_tasks}) | (
            timers_before - {t.uuid for t in moved.timers}
        )
        if lost:
            raise _Withdrawn(withdrawn_text(len(lost)))
        return moved

    def record() -> None:  # after the instance row is written: its version is the one the migration leaves
        nonlocal row
        row = InstanceMigration(
            instance_id=instance.id,
            from_definition_id=source.id,
            to_definition_id=target.id,
            state_before=state,
            serializer_version_before=serializer_version,
            version_before=version,
            version_after=instance.version,
            migrated_by_id=user.id,
            migrated_at=utcnow(),
            changes=_changes_of(preview_of.plan, source, target),
        )
        db.session.add(row)
        db.session.flush()
        assert moved is not None
        _align_rows(instance.id, moved)
        audit.record(
            "instance.migrated",
            user,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            process_id=instance.process_id,
            from_version=source.version,
            to_version=target.version,
            migration_id=row.id,
        )

    try:
        run_step(instance, user, step, prelude=record, also={"definition_id": target.id})
    except spec_migration.MigrationRefused as exc:  # it changed between the preview and the step
        db.session.rollback()
        return Outcome(
            instance, source.version, refusals=[blocker_text(b, target.version) for b in exc.blockers]
        )
    except DomainError as exc:  # a lost race, a failing script on the new version, a withdrawn task
        db.session.rollback()
        return Outcome(instance, source.version, refusals=[exc.message])
    db.session.expire(instance, ["definition"])
    return Outcome(instance, source.version, migration=row)


def _changes_of(
    plan: spec_migration.Plan | None, source: ProcessDefinition, target: ProcessDefinition
) -> dict:
    """What the preview said, kept with the migration."""
    if plan is None:
        return {}
    return {
        "from_version": source.version,
        "to_version": target.version,
        "standing": [s.element.id for s in plan.standing],
        "ahead": [e.id for e in plan.ahead],
        "skipped": [e.id for e in plan.skipped],
    }


def migrate(
    user: User, process_id: str, instance_ids: Iterable[int], to_version: int | None = None
) -> list[Outcome]:
    """Move each chosen case to ``to_version`` (by default the latest), each in its own transaction;
    a case that cannot move is reported and left as it is."""
    check_designer(user)
    target = target_definition(process_id, to_version)
    ids = [i.id for i in selected_cases(process_id, instance_ids)]
    outcomes = []
    for instance_id in ids:
        instance = db.session.scalar(
            select(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .options(joinedload(ProcessInstance.definition))
            .execution_options(populate_existing=True)
        )
        assert instance is not None  # selected above, and cases are never deleted
        from_version = instance.definition.version
        try:
            outcomes.append(_migrate_one(user, instance, target))
        except Exception as exc:  # noqa: BLE001 - this case's failure, reported; the others still move
            why = one_by_one.failed("migration of case", instance_id, exc)
            reread = db.session.get(ProcessInstance, instance_id)  # as the rollback left it
            assert reread is not None
            outcomes.append(Outcome(reread, from_version, refusals=[why]))
    return outcomes


def rollback(user: User, migration_id: int) -> InstanceMigration:
    """Put the case back exactly as the migration found it (state and version of the process); refused
    once the case has moved on since (its version counter is no longer the one the migration left)."""
    check_designer(user)
    row = db.session.get(InstanceMigration, migration_id)
    if row is None:
        raise NotFound(_("No migration %(id)s.", id=migration_id))
    if row.rolled_back_at is not None:
        raise Conflict(
            _(
                "This migration was already rolled back by %(user)s at %(time)s.",
                user=row.rolled_back_by.display_name if row.rolled_back_by else "?",
                time=local_time(row.rolled_back_at, "%Y-%m-%d %H:%M:%S"),
            )
        )
    instance = db.session.scalar(
        select(ProcessInstance)
        .where(ProcessInstance.id == row.instance_id)
        .execution_options(populate_existing=True)
    )
    assert instance is not None  # a migration's case: cases are never deleted
    if instance.version != row.version_after:
        raise Conflict(_moved_on(row, instance))
    source = row.from_definition
    bundle = deployment.bundle_for(source)
    restored: engine.StepResult | None = None

    def step(_bundle: engine.Bundle, _state: str) -> engine.StepResult:
        nonlocal restored
        restored = spec_migration.listing(bundle, row.state_before)
        return restored

    def record() -> None:
        row.rolled_back_by_id, row.rolled_back_at = user.id, utcnow()
        assert restored is not None
        _align_rows(instance.id, restored)
        audit.record(
            "instance.migration_rolled_back",
            user,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            process_id=instance.process_id,
            from_version=row.to_definition.version,
            to_version=source.version,
            migration_id=row.id,
        )

    run_step(
        instance,
        user,
        step,
        prelude=record,
        also={"definition_id": source.id, "serializer_version": row.serializer_version_before},
    )
    db.session.expire(instance, ["definition"])
    return row


def _moved_on(row: InstanceMigration, instance: ProcessInstance) -> str:
    later = db.session.scalar(
        select(func.count())
        .select_from(InstanceMigration)
        .where(
            InstanceMigration.instance_id == row.instance_id,
            InstanceMigration.id > row.id,
            InstanceMigration.rolled_back_at.is_(None),
        )
    )
    if later:
        return _(
            "Case %(reference)s was migrated again after this; roll that migration back first.",
            reference=instance.reference,
        )
    return _(
        "Case %(reference)s has moved on since it was migrated (a task was completed or a timer fired); "
        "rolling back would undo that work, so it is refused.",
        reference=instance.reference,
    )
