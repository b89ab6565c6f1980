"""A step that loses a race to another transaction is refused whole (HTTP 409); every write of a case's row is
checked against its version (``app.services.cases.instance_row``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import event, func, select, update

from app.errors import Conflict
from app.extensions import db
from app.models import (
    AuditEvent,
    Customer,
    DecisionLog,
    HumanTask,
    InstanceMigration,
    ProcessInstance,
    Timer,
    User,
)
from app.models.base import utcnow
from app.services.cases import cases, tasks, timers, withdrawal
from app.services.design.deployment import deployment
from app.services.design.migration import instance_migration as migration
from app.services.shared import rows
from tests.factories import case_at, case_routed, intake, open_task, review
from tests.services.migrating import deploy_without_review


def _counts(instance_id: int) -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(
            select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == instance_id)
        ),
        db.session.scalar(
            select(func.count()).select_from(DecisionLog).where(DecisionLog.instance_id == instance_id)
        ),
    )


def test_a_step_that_loses_the_race_changes_nothing(deployed, people, monkeypatch):
    case = case_at("review", people.officer)
    task = open_task(case.id, "review_proposal")
    before = _counts(case.id)
    version = case.version

    # Another worker commits a step on the same instance after we loaded it, before we commit.
    from app.services.cases import steps

    real_apply = steps.apply_step

    def someone_else_first(instance, result, actor, *args):
        with db.engine.begin() as other:
            other.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id == instance.id)
                .values(version=ProcessInstance.version + 1)
            )
        real_apply(instance, result, actor, *args)

    monkeypatch.setattr(steps, "apply_step", someone_else_first)
    with pytest.raises(Conflict):
        tasks.complete(people.officer, task.id, review(case))

    db.session.expire_all()
    assert _counts(case.id) == before
    assert db.session.get(HumanTask, task.id).state == "ready"
    assert db.session.get(ProcessInstance, case.id).version == version + 1  # only the other writer's bump


def test_two_sessions_completing_the_same_task_make_one_win_and_name_the_winner(
    app, deployed, people, monkeypatch
):
    """Two approvers sign the same case off at once, each in a session of their own: the one who commits first
    wins; the other's step is refused whole, naming who won."""
    case = case_routed("single", people.officer)
    task = open_task(case.id, "approval_signoff")
    version = case.version
    from app.services.cases import steps

    real_apply = steps.apply_step
    winner_id = people.approver2.id

    def the_other_session_first(instance, result, actor, *args):
        monkeypatch.setattr(
            steps, "apply_step", real_apply
        )  # once: the other session's own step runs as ever
        with app.app_context():  # a session of its own, committed before ours writes
            tasks.complete(
                db.session.get(User, winner_id), task.id, {"decision": "approve", "comment": "同意"}
            )
            db.session.remove()
        real_apply(instance, result, actor, *args)

    monkeypatch.setattr(steps, "apply_step", the_other_session_first)
    with pytest.raises(Conflict) as lost:
        tasks.complete(people.approver1, task.id, {"decision": "reject", "comment": "不同意"})

    assert people.approver2.display_name in lost.value.message
    db.session.expire_all()
    done = db.session.get(HumanTask, task.id)
    assert (done.state, done.completed_by_id, done.submitted["decision"]) == (
        "completed",
        winner_id,
        "approve",
    )
    assert db.session.get(ProcessInstance, case.id).version == version + 1  # one step only: the winner's
    completions = db.session.scalars(
        select(AuditEvent.actor_id).where(
            AuditEvent.event_type == "task.completed", AuditEvent.payload["task_id"].as_integer() == task.id
        )
    ).all()
    assert completions == [winner_id]


# Every way the instance row is written, each from a case it can write; ``act`` says whether it took.
def _complete_intake(people, **_):
    case = case_at("intake", people.officer)  # completing the intake links the customer: a second write
    task = open_task(case.id, "application_intake")
    return lambda: bool(tasks.complete(people.officer, task.id, intake()))


def _start(people, **_):
    def act() -> bool:
        # A refused start's row was rolled back, and SQLite gives its id again: its object goes, as with the
        # session at the end of a request.
        for gone in [row for row in db.session.identity_map.values() if isinstance(row, ProcessInstance)]:
            db.session.expunge(gone)
        return bool(cases.start_case(people.officer, "credit_application"))

    return act


def _withdraw(people, **_):
    case = case_at("statements", people.officer)
    return lambda: bool(withdrawal.withdraw(people.officer, case.id, "客户不再需要"))


def _migrate(people, version_2, **_):
    case = case_at("intake", people.officer)
    version_2()
    return lambda: (
        migration.migrate(people.designer, "credit_application", [case.id])[0].migration is not None
    )


def _roll_back(people, version_2, **_):
    case = case_at("intake", people.officer)
    version_2()
    [moved] = migration.migrate(people.designer, "credit_application", [case.id])
    return lambda: bool(migration.rollback(people.designer, moved.migration.id))


def _fire_timer(people, clock, **_):
    deployment.deploy_files([TIMER])
    cases.start_case(people.officer, "timer_wait")
    clock.shift(timedelta(seconds=5))
    return lambda: timers.fire_due() == 1


TIMER = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "timer_wait.bpmn"
WRITERS = {
    "a task completed": _complete_intake,
    "a case started": _start,
    "a withdrawal": _withdraw,
    "a migration to another version": _migrate,
    "a migration rolled back": _roll_back,
    "a timer fired": _fire_timer,
}


def _everything() -> tuple:
    """All a refused write must leave as it was."""
    rows = [
        select(
            ProcessInstance.id,
            ProcessInstance.version,
            ProcessInstance.status,
            ProcessInstance.definition_id,
            ProcessInstance.customer_id,
        ).order_by(ProcessInstance.id),
        select(HumanTask.id, HumanTask.state).order_by(HumanTask.id),
        select(Timer.id, Timer.status).order_by(Timer.id),
        select(InstanceMigration.id, InstanceMigration.rolled_back_at).order_by(InstanceMigration.id),
        select(func.count()).select_from(AuditEvent),
        select(func.count()).select_from(Customer),
    ]
    db.session.expire_all()
    return tuple(tuple(tuple(r) for r in db.session.execute(query)) for query in rows)


@pytest.mark.parametrize("writer", WRITERS)
def test_every_writer_of_the_instance_row_goes_through_its_version_check(
    app, deployed, people, tmp_path, monkeypatch, writer
):
    """Whoever writes a case's row (a step, a withdrawal, a migration and its rollback, a timer, the customer
    link a step makes) writes it ``WHERE version = :expected``. Another transaction moving the row just before
    any one of those writes makes the whole write lost, changing nothing; only with no one in between does it
    take. A writer that updated the row without the check would take regardless, and fail here."""
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        time_machine.travel(utcnow().replace(tzinfo=UTC), tick=False) as clock,
    ):
        act = WRITERS[writer](
            people=people,
            clock=clock,
            version_2=lambda: deploy_without_review(app, tmp_path, monkeypatch, people.designer),
        )
        before = _everything()
        written: list[str] = []
        for moved_before in range(1, 10):  # someone else moves the row before our 1st write, our 2nd...
            written.clear()
            with _someone_else_moves_the_row_before(moved_before, written):
                try:
                    took = act()
                except Conflict:
                    took = False
            if len(written) < moved_before:  # nobody came in between: it takes
                break
            assert not took, f"{writer} wrote over another transaction's change (write {moved_before})"
            assert _everything() == before
        assert took and written, writer
        assert all(re.search(r"WHERE .*\bversion = ", statement) for statement in written), written


@contextmanager
def _someone_else_moves_the_row_before(nth: int, written: list[str]) -> Iterator[None]:
    """Just before the ``nth`` UPDATE of process_instance, move every instance's version on, in the same
    transaction (as another transaction's commit would have, unseen by the writer): rolled back with it."""

    def moved(_conn, cursor, statement, _parameters, _context, _executemany):
        if re.match(r"\s*UPDATE process_instance\b", statement, re.IGNORECASE):
            written.append(statement)
            if len(written) == nth:
                cursor.connection.cursor().execute("UPDATE process_instance SET version = version + 1")

    event.listen(db.engine, "before_cursor_execute", moved)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", moved)


def test_the_orm_never_writes_the_instance_row(deployed, people):
    """A case's attribute set and flushed would write the row without its version check: refused."""
    case = case_at("intake", people.officer)
    case.current_step = "somewhere else"
    with pytest.raises(RuntimeError, match="instance_row.write"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(TypeError):
        rows.write(case, current_step="somewhere else")
