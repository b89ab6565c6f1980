"""A step that loses a race to another transaction is refused whole (HTTP 409)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from app.errors import Conflict
from app.extensions import db
from app.models import AuditEvent, DecisionLog, HumanTask, ProcessInstance
from app.services.cases import tasks
from tests.factories import case_at, open_task, review


def _counts(instance_id: int) -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == instance_id)),
        db.session.scalar(select(func.count()).select_from(DecisionLog).where(DecisionLog.instance_id == instance_id)),
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
            other.execute(update(ProcessInstance).where(ProcessInstance.id == instance.id)
                          .values(version=ProcessInstance.version + 1))
        real_apply(instance, result, actor, *args)

    monkeypatch.setattr(steps, "apply_step", someone_else_first)
    with pytest.raises(Conflict):
        tasks.complete(people.officer, task.id, review(case))

    db.session.expire_all()
    assert _counts(case.id) == before
    assert db.session.get(HumanTask, task.id).state == "ready"
    assert db.session.get(ProcessInstance, case.id).version == version + 1  # only the other writer's bump
