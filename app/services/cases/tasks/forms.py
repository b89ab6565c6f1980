"""A human task opened for work: its form and current data, with what an approver decides on (the changes
since the last round, the exposure, the case's facts) and, on a form naming its customer, the customer
picker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app import engine
from app.extensions import db
from app.models import Customer, HumanTask, User
from app.services.approval.exposure import Exposure, exposure_of
from app.services.approval.lanes import APPROVAL_LANES
from app.services.cases import intake_pick, rounds
from app.services.cases.case_facts import CreditFacts, Facts, facts_of
from app.services.cases.tasks.access import check_may_act, get_task
from app.services.design.deployment import deployment
from app.services.design.forms.form_choices import with_choices
from app.services.design.forms.form_offers import offered
from app.services.design.forms.forms import for_user, schema_of


@dataclass(frozen=True)
class TaskForm:
    task: HumanTask
    schema: dict
    data: dict[str, Any]
    instance_version: int
    changes: list[rounds.Change] = field(default_factory=list)  # for an approval: what the officer changed
    exposure: Exposure | None = None  # for a proposal or its approval: customer and group exposure (统一授信)
    facts: Facts | None = None  # what the case is about (an approver decides on it without opening the memo)
    pick: intake_pick.Pick | None = None  # a form naming its customer: the search of the bank's customers


def open_task(
    user: User, task_id: int, *, customer_query: str | None = None, customer_id: int | None = None
) -> TaskForm:
    """The task with its form and current data, for the task page or the API; an approval also
    shows what the officer changed since the last round. A form that names its customer (the intake)
    offers the customers ``customer_query`` finds, and opens filled with what the bank knows of the
    customer ``customer_id`` picked; a field the case holds nothing for yet may be offered from the bank's
    records (``form_offers``: the statements on file), and a field may take its options from them
    (``form_choices``: the appraisal reports of a revaluation)."""
    task = get_task(task_id)
    check_may_act(user, task)
    instance = task.instance
    bundle = deployment.bundle_for(instance.definition)
    data = engine.task_data(bundle, instance.state, task.task_uuid)
    data = {**data, **offered(schema_of(bundle.forms, task.form), instance, data)}
    changes = (
        rounds.changes_since_last_round(instance.id, bundle.forms) if task.lane in APPROVAL_LANES else []
    )
    case_data = {**(instance.summary or {}), **data}
    schema = with_choices(for_user(schema_of(bundle.forms, task.form), user, case_data), instance)
    facts = facts_of(
        instance,
        case_data,
        list(
            db.session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)
            )
        ),
    )
    shown = None  # the exposure: where a proposal is made, and wherever a credit is decided
    if "large_exposure" in schema.get("x-checks", ()) or (
        task.lane in APPROVAL_LANES and isinstance(facts, CreditFacts)
    ):
        shown = exposure_of(instance, case_data, case_data.get("proposed_limit"))
    pick = intake_pick.pick(user, schema, customer_query, customer_id)
    if pick is not None:
        data = pick.fill(data, schema)
    return TaskForm(task, schema, data, instance.version, changes, shown, facts, pick)


def customer_matches(user: User, task_id: int, query: str | None) -> list[Customer]:
    """The customers ``query`` finds for the picker of a task's form that names its customer (the intake),
    to someone who may work the task."""
    task = get_task(task_id)
    check_may_act(user, task, record_refusal=False)
    return intake_pick.search(
        user, schema_of(deployment.bundle_for(task.instance.definition).forms, task.form), query
    )
