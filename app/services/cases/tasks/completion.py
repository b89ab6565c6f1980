"""Completing a human task: the submission checked against the task's form, then the process run on in one
step."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app import engine
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.models import HumanTask, User
from app.models.base import utcnow
from app.services.approval.lanes import APPROVAL_LANES
from app.services.audit import audit
from app.services.cases.steps import lost_race, run_step
from app.services.cases.tasks.access import check_may_act, get_task
from app.services.customers.master.directory import for_case
from app.services.design.deployment import deployment
from app.services.design.forms.form_checks import CHECKS
from app.services.design.forms.forms import (
    accept,
    accept_post,
    check_option_groups,
    names_case_groups,
    schema_of,
)
from app.services.people.training import required as required_training
from app.services.shared.rows import write


def complete(
    user: User,
    task_id: int,
    data: dict[str, Any] | None = None,
    *,
    post: Any = None,
    expected_version: int | None = None,
    locale: str = "zh_CN",
) -> HumanTask:
    """Validate the submission against the task's form and run the process on. A task whose submission lapsed
    training withholds (``required_training.GATES``: the credit application's intake) is refused, naming the
    course."""
    task = get_task(task_id)
    check_may_act(user, task)
    required_training.check_gate(user, task.task_spec)
    instance = task.instance
    if expected_version is not None and expected_version != instance.version:
        raise lost_race(instance.id)
    bundle = deployment.bundle_for(instance.definition)
    schema = schema_of(bundle.forms, task.form)
    submitted = accept_post(schema, post, locale) if post is not None else accept(schema, data or {}, locale)
    if names_case_groups(schema):  # an option reserved for the group the case's rules named: read the case
        check_option_groups(
            schema,
            submitted,
            user,
            {**(instance.summary or {}), **engine.task_data(bundle, instance.state, task.task_uuid)},
        )
    else:
        check_option_groups(schema, submitted, user)
    try:
        for check in schema.get("x-checks", ()):
            CHECKS[check](instance, submitted, dict(instance.summary or {}), locale)
    except InvalidInput as exc:  # shown again with what the person entered, not the task's old data
        raise InvalidInput(exc.message, exc.errors, data=exc.details.get("data") or submitted) from exc
    claimed_now = task.assignee_id is None

    def recorded() -> None:
        """What the person did, written ahead of what the engine did in response (the instance row already
        carries the step's outcome)."""
        write(
            task,
            state="completed",
            completed_at=utcnow(),
            completed_by_id=user.id,
            assignee_id=user.id,
            submitted=audit.to_json_safe(submitted),
        )
        if claimed_now:
            audit.record(
                "task.claimed",
                user,
                instance_id=instance.id,
                customer_id=instance.customer_id,
                task_id=task.id,
                task_uuid=task.task_uuid,
                task=task.task_spec,
            )
        audit.record(
            "task.completed",
            user,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            task_id=task.id,
            task_uuid=task.task_uuid,
            task=task.task_spec,
            data=submitted,
        )

    task_uuid = task.task_uuid
    directory = for_case(instance, worker=None if task.lane in APPROVAL_LANES else user)
    try:
        run_step(
            instance,
            user,
            lambda b, state: engine.complete_task(
                b, state, task_uuid, submitted, directory, performer=user.username
            ),
            prelude=recorded,
            completing=task_uuid,
        )
    except engine.TaskNotReady as exc:
        db.session.rollback()
        raise Conflict(
            _("This task is no longer waiting for input; reload the case to see where it is.")
        ) from exc
    return task
