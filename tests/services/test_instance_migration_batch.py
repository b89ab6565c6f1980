"""Migrating running cases to a newer version: the preview, the batch, the audit trail and the rollback; who may
migrate, a batch with a case whose state cannot be read, and no step run on a stale cached workflow.

Version 2 of the credit application drops the officer's review (复核授信方案): the proposal goes
straight from the large-exposure check to the adjusted grade. A case waiting at the review, or one
that has already passed it, cannot move; a case still before it can, and then runs on version 2.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import engine
from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import AuditEvent, HumanTask, InstanceMigration
from app.services.cases import tasks
from app.services.design.migration import instance_migration as migration
from app.services.design.migration import migration_preview
from tests.factories import case_at, compliance_sign_off, damage_state, intake, open_task, review, statements
from tests.services.migrating import REMOVED, deploy_without_review, fresh

pytestmark = pytest.mark.usefixtures("english_request")


@pytest.fixture
def cases(deployed, people):
    """Four cases of version 1: at intake, at the statements, at the review, at sign-off."""
    return {stage: case_at(stage, people.officer) for stage in ("intake", "statements", "review", "approval")}


@pytest.fixture
def version_2(app, tmp_path, monkeypatch, people, cases):
    return deploy_without_review(app, tmp_path, monkeypatch, people.designer)


def events(event_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.id)
        )
    )


def test_the_preview_lists_the_changes_and_refuses_the_cases_the_removed_task_holds(cases, version_2, people):
    before = {stage: (c.definition_id, c.version) for stage, c in cases.items()}
    audited = len(db.session.scalars(select(AuditEvent.id)).all())
    preview = migration_preview.preview(people.designer, "credit_application", [c.id for c in cases.values()])
    assert preview.target.version == 2
    [top] = [c for c in preview.changes[1] if c.process == "credit_application"]
    assert [e.id for e in top.removed] == [REMOVED] and not top.added
    assert {c.element.id: c.attributes for c in top.changed}["large_exposure_limits"] == ("flows",)
    by_stage = {stage: next(p for p in preview.cases if p.instance.id == c.id) for stage, c in cases.items()}
    assert by_stage["intake"].can_migrate and by_stage["statements"].can_migrate
    assert "Enter financial statements (financial_statements), which stays as it is" in " ".join(
        by_stage["statements"].notes
    )
    assert any("large_exposure_limits" in note for note in by_stage["statements"].notes)  # ahead of it
    [waiting] = by_stage["review"].refusals
    assert waiting == "It waits at Review proposal (review_proposal), which version 2 removes."
    [passed] = by_stage["approval"].refusals
    assert passed.startswith(
        "It has already passed Review proposal (review_proposal), which version 2 removes"
    )
    # a preview changes nothing
    assert {stage: (fresh(c.id).definition_id, fresh(c.id).version) for stage, c in cases.items()} == before
    assert len(db.session.scalars(select(AuditEvent.id)).all()) == audited


def test_a_batch_moves_the_cases_that_can_move_and_reports_the_others(cases, version_2, people):
    movable = cases["statements"]
    state, version, uuids = movable.state, movable.version, list(movable.open_tasks)
    task_rows = db.session.scalar(
        select(HumanTask.id).where(HumanTask.instance_id == movable.id, HumanTask.state == "ready")
    )
    outcomes = migration.migrate(people.designer, "credit_application", [movable.id, cases["review"].id])
    moved, refused = outcomes
    assert moved.migration is not None and not moved.refusals and moved.from_version == 1
    assert refused.migration is None and "review_proposal" in refused.refusals[0]
    case = fresh(movable.id)
    assert case.definition_id == version_2 and case.version == version + 1 and case.status == "running"
    assert case.open_tasks == uuids and case.current_step == "Enter financial statements / 录入财务报表"
    assert open_task(case.id, "financial_statements").id == task_rows  # the same task, still open
    assert fresh(cases["review"].id).definition_id == cases["intake"].definition_id  # left on version 1
    row = db.session.get(InstanceMigration, moved.migration.id)
    assert (row.from_definition_id, row.to_definition_id) == (cases["intake"].definition_id, version_2)
    assert (row.state_before, row.version_before, row.version_after) == (state, version, case.version)
    assert row.migrated_by_id == people.designer.id and row.rolled_back_at is None
    [event] = events("instance.migrated")
    assert event.instance_id == case.id and event.actor_name == "designer"
    assert (event.payload["from_version"], event.payload["to_version"]) == (1, 2)
    # the case now runs on version 2: after the statements it goes straight to sign-off
    tasks.complete(
        people.officer, open_task(case.id, "financial_statements").id, {"statements": statements()}
    )
    case = fresh(case.id)
    assert [
        t.task_spec
        for t in db.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.state == "ready")
        )
    ] == ["approval_signoff"]
    approver = {1: people.approver1, 2: people.approver2, 3: people.approver3}[case.summary["approval_level"]]
    tasks.complete(
        approver, open_task(case.id, "approval_signoff").id, {"decision": "approve", "comment": "同意"}
    )
    compliance_sign_off(case, people.compliance)
    assert (fresh(case.id).status, fresh(case.id).outcome) == ("completed", "approved")


def test_a_rollback_restores_state_and_version_and_is_refused_once_the_case_moved_on(
    cases, version_2, people
):
    first, second = cases["intake"], cases["statements"]
    state, v1 = first.state, first.definition_id
    outcomes = migration.migrate(people.designer, "credit_application", [first.id, second.id])
    assert all(o.migration for o in outcomes)
    row = migration.rollback(people.designer, outcomes[0].migration.id)
    case = fresh(first.id)
    assert case.state == state and case.definition_id == v1 and case.version == row.version_after + 1
    assert row.rolled_back_by_id == people.designer.id and row.rolled_back_at is not None
    assert [e.instance_id for e in events("instance.migration_rolled_back")] == [first.id]
    assert open_task(case.id, "application_intake").state == "ready"
    with pytest.raises(Conflict, match="already rolled back"):
        migration.rollback(people.designer, row.id)
    # back on version 1: the review comes after the statements again
    tasks.complete(people.officer, open_task(case.id, "application_intake").id, intake())
    tasks.complete(
        people.officer, open_task(case.id, "financial_statements").id, {"statements": statements()}
    )
    assert open_task(case.id, "review_proposal")
    # the other case moved on after its migration: rolling it back would undo a step
    tasks.complete(
        people.officer, open_task(second.id, "financial_statements").id, {"statements": statements()}
    )
    with pytest.raises(Conflict, match="has moved on since it was migrated") as caught:
        migration.rollback(people.designer, outcomes[1].migration.id)
    assert caught.value.status == 409
    assert fresh(second.id).definition_id == version_2


def test_migration_is_for_designers_only(cases, version_2, people):
    ids = [cases["intake"].id]
    for user in (people.officer, people.approver3, people.compliance):
        for attempt in (migration_preview.preview, migration.migrate):
            with pytest.raises(NotAuthorized):
                attempt(user, "credit_application", ids)
        with pytest.raises(NotAuthorized):
            migration_preview.candidates(user, "credit_application")
    [outcome] = migration.migrate(people.admin, "credit_application", ids)
    with pytest.raises(NotAuthorized):
        migration.rollback(people.officer, outcome.migration.id)
    assert fresh(cases["intake"].id).definition_id == version_2


def test_a_selection_of_nothing_unknown_or_unmovable_cases_is_refused(cases, version_2, people):
    with pytest.raises(InvalidInput):
        migration.migrate(people.designer, "credit_application", [])
    with pytest.raises(NotFound):
        migration_preview.preview(people.designer, "credit_application", [cases["intake"].id, 999_999])
    with pytest.raises(NotFound):
        migration_preview.preview(people.designer, "periodic_review", [cases["intake"].id])
    with pytest.raises(NotFound):
        migration_preview.preview(people.designer, "credit_application", [cases["intake"].id], to_version=9)
    with pytest.raises(NotFound):
        migration.rollback(people.designer, 424242)
    [moved] = migration.migrate(people.designer, "credit_application", [cases["intake"].id])
    [again] = migration_preview.preview(people.designer, "credit_application", [cases["intake"].id]).cases
    assert again.refusals == ["It is already on version 2, not older than version 2."]
    listed = migration_preview.candidates(people.designer, "credit_application")
    assert cases["intake"].id not in {i.id for i in listed.instances}
    assert {cases["statements"].id, cases["review"].id} <= {i.id for i in listed.instances}
    assert [m.id for m in migration_preview.history(people.designer, "credit_application")] == [
        moved.migration.id
    ]


@pytest.fixture
def engine_cache():
    engine.configure_cache(16)
    yield
    engine.configure_cache(0)


def test_no_step_runs_on_a_stale_cached_workflow_after_a_migration_or_a_rollback(
    cases, version_2, people, engine_cache
):
    first, second = cases["intake"], cases["statements"]
    # cache each case's workflow as it is now (opening a task's form reads it)
    for case, spec in ((first, "application_intake"), (second, "financial_statements")):
        tasks.open_task(people.officer, open_task(case.id, spec).id)
    outcomes = migration.migrate(people.designer, "credit_application", [first.id, second.id])
    migration.rollback(people.designer, outcomes[0].migration.id)
    # the migrated one runs on version 2, the rolled-back one on version 1
    tasks.complete(
        people.officer, open_task(second.id, "financial_statements").id, {"statements": statements()}
    )
    assert open_task(second.id, "approval_signoff")
    tasks.complete(people.officer, open_task(first.id, "application_intake").id, intake())
    tasks.complete(
        people.officer, open_task(first.id, "financial_statements").id, {"statements": statements()}
    )
    tasks.complete(people.officer, open_task(first.id, "review_proposal").id, review(fresh(first.id)))
    assert open_task(first.id, "approval_signoff")


def test_a_case_whose_state_cannot_be_read_is_reported_and_the_batch_moves_the_others(
    cases, version_2, people
):
    """Each case of a batch on its own: damaged stored state is refused in the preview and the migration with
    the reason; the others move."""
    broken, movable = cases["intake"], cases["statements"]
    damage_state(broken.id)
    preview = migration_preview.preview(people.designer, "credit_application", [broken.id, movable.id])
    by_id = {p.instance.id: p for p in preview.cases}
    assert "stored state cannot be read" in by_id[broken.id].refusals[0] and by_id[movable.id].can_migrate
    outcomes = {
        o.instance.id: o
        for o in migration.migrate(people.designer, "credit_application", [broken.id, movable.id])
    }
    assert (
        "stored state cannot be read" in outcomes[broken.id].refusals[0]
        and outcomes[broken.id].migration is None
    )
    assert outcomes[movable.id].migration is not None and fresh(movable.id).definition_id == version_2
