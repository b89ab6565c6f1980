"""Choosing the running cases to move to a newer deployed version of their process, and previewing it.

The cases a designer may choose (running, on a version older than the latest), the migrations done so far,
and what moving the chosen ones would do: what the target version changes, ahead of each case, or why a case
cannot move. Nothing here changes a case; ``instance_migration`` moves them, after the same check of each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import engine
from app.engine import migration as spec_migration
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.models import InstanceMigration, ProcessDefinition, ProcessInstance, User
from app.services.design.deployment import deployment
from app.services.design.migration.migration_words import blocker_text, notes_for
from app.services.design.workspace.designer import check_designer

LISTED = 500  # running cases listed for selection at most (the oldest first)


@dataclass(frozen=True)
class CasePreview:
    """One selected case: what moving it would change, or why it cannot move."""

    instance: ProcessInstance
    from_version: int
    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: spec_migration.Plan | None = None

    @property
    def can_migrate(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class Preview:
    process_id: str
    target: ProcessDefinition
    changes: dict[int, list[spec_migration.SpecChanges]]  # from version -> what the target changes
    cases: list[CasePreview]


@dataclass(frozen=True)
class Candidates:
    process_id: str
    versions: list[ProcessDefinition]  # newest first
    instances: list[ProcessInstance]  # running, on a version older than the latest


def _definitions(process_id: str) -> list[ProcessDefinition]:
    found = list(
        db.session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.process_id == process_id)
            .order_by(ProcessDefinition.version.desc())
        )
    )
    if not found:
        raise NotFound(_("No process %(process)s is deployed.", process=process_id))
    return found


def target_definition(process_id: str, to_version: int | None) -> ProcessDefinition:
    """The deployed version ``to_version`` of ``process_id``, by default its latest."""
    versions = _definitions(process_id)
    if to_version is None:
        return versions[0]
    for definition in versions:
        if definition.version == to_version:
            return definition
    raise NotFound(_("%(process)s has no version %(version)s.", process=process_id, version=to_version))


def candidates(user: User, process_id: str) -> Candidates:
    """The running cases of ``process_id`` on a version older than its latest."""
    check_designer(user)
    versions = _definitions(process_id)
    instances = list(
        db.session.scalars(
            select(ProcessInstance)
            .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(
                ProcessInstance.process_id == process_id,
                ProcessInstance.status == "running",
                ProcessDefinition.version < versions[0].version,
            )
            .options(joinedload(ProcessInstance.definition), joinedload(ProcessInstance.customer))
            .order_by(ProcessInstance.id)
            .limit(LISTED)
        )
    )
    return Candidates(process_id, versions, instances)


def history(user: User, process_id: str, limit: int = 100) -> list[InstanceMigration]:
    """The latest migrations of ``process_id``'s cases, newest first."""
    check_designer(user)
    return list(
        db.session.scalars(
            select(InstanceMigration)
            .join(ProcessInstance, InstanceMigration.instance_id == ProcessInstance.id)
            .where(ProcessInstance.process_id == process_id)
            .options(
                joinedload(InstanceMigration.instance),
                joinedload(InstanceMigration.from_definition),
                joinedload(InstanceMigration.to_definition),
                joinedload(InstanceMigration.migrated_by),
                joinedload(InstanceMigration.rolled_back_by),
            )
            .order_by(InstanceMigration.id.desc())
            .limit(limit)
        )
    )


def selected_cases(process_id: str, instance_ids: Iterable[int]) -> list[ProcessInstance]:
    """The cases chosen, in the order given; an id that is no case of ``process_id`` is refused whole."""
    ids = list(dict.fromkeys(instance_ids))
    if not ids:
        raise InvalidInput(_("Select at least one case."), {"ids": _("no case selected")})
    found = {
        i.id: i
        for i in db.session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.id.in_(ids), ProcessInstance.process_id == process_id)
            .options(joinedload(ProcessInstance.definition))
            .execution_options(populate_existing=True)
        )
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFound(_("No case %(ids)s of %(process)s.", ids=", ".join(missing), process=process_id))
    return [found[i] for i in ids]


def _not_movable(instance: ProcessInstance, target: ProcessDefinition) -> list[str]:
    if instance.status != "running":
        return [_("It is not running (%(status)s): only running cases move.", status=_(instance.status))]
    if instance.definition.version >= target.version:
        return [
            _(
                "It is already on version %(version)s, not older than version %(target)s.",
                version=instance.definition.version,
                target=target.version,
            )
        ]
    return []


def _changed_files(before: ProcessDefinition, after: ProcessDefinition) -> tuple[list[str], list[str]]:
    """The decision tables and forms that differ between the two versions."""
    tables = sorted(
        n
        for n in set(before.dmn_files) | set(after.dmn_files)
        if before.dmn_files.get(n) != after.dmn_files.get(n)
    )
    forms = sorted(
        n
        for n in set(before.forms or {}) | set(after.forms or {})
        if (before.forms or {}).get(n) != (after.forms or {}).get(n)
    )
    return tables, forms


def case_preview(instance: ProcessInstance, target: ProcessDefinition) -> CasePreview:
    """What moving one case to ``target`` would change, or why it cannot move (checked again as it moves)."""
    source = instance.definition
    refusals = _not_movable(instance, target)
    if refusals:
        return CasePreview(instance, source.version, refusals)
    try:
        plan = spec_migration.plan(
            deployment.bundle_for(source), deployment.bundle_for(target), instance.state
        )
    except engine.UnreadableState as exc:
        return CasePreview(
            instance, source.version, [_("Its stored state cannot be read: %(reason)s", reason=str(exc))]
        )
    if not plan.can_migrate:
        return CasePreview(
            instance, source.version, [blocker_text(b, target.version) for b in plan.blockers], plan=plan
        )
    tables, forms = _changed_files(source, target)
    return CasePreview(
        instance, source.version, notes=notes_for(plan, target.version, tables, forms), plan=plan
    )


def preview(
    user: User, process_id: str, instance_ids: Iterable[int], to_version: int | None = None
) -> Preview:
    """What moving the chosen cases to ``to_version`` (by default the latest) would do; changes nothing."""
    check_designer(user)
    target = target_definition(process_id, to_version)
    cases = [case_preview(instance, target) for instance in selected_cases(process_id, instance_ids)]
    changes = {}
    for definition in {c.instance.definition for c in cases if c.from_version < target.version}:
        changes[definition.version] = spec_migration.spec_changes(
            deployment.bundle_for(definition), deployment.bundle_for(target)
        )
    return Preview(process_id, target, dict(sorted(changes.items())), cases)
