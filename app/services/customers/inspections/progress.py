"""What each step of a ``post_loan_inspection`` case writes on its inspection row (the step reaction
``inspections.after_step``, in the step's transaction), each audited on the customer's trail:

- the start claims the planned row (``planned`` → ``open``, conditional: of two starts one wins, the other is
  rolled back whole) or, for an ad hoc inspection with nothing planned, inserts it (the database refuses a
  second open one); ``inspection.opened``;
- the timer on the officer's task (its due date passed) marks it escalated and tells the officer and the
  managers of the customer's relationship; ``inspection.escalated``;
- the officer's record (a first record or a revision) is kept on the row, with the worst severity of its
  findings, awaiting the manager; ``inspection.recorded``;
- the manager's return sends it back with the comment; ``inspection.returned``;
- the sign-off closes it and plans the next one on the date the diagram's frequency table gave;
  ``inspection.signed_off``. A finding of medium or high severity then asks for the warning rules to be run
  for the customer, by a job queued with the step (``check_findings``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from app import engine
from app.errors import Conflict
from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Inspection, ProcessInstance, User
from app.models.base import utcnow
from app.models.customers.inspection import SEVERITIES
from app.services.audit import audit
from app.services.cases.case_kinds import INSPECTION_RECORD
from app.services.cases.projections import TaskChanges
from app.services.customers.inspections import managers, planning
from app.services.shared import dispatch
from app.services.shared.rows import insert_returning_id, rowcount, write

PROCESS = planning.PROCESS
SIGN_OFF, REVISE, RECORD = "sign_off_inspection", "revise_visit", "record_visit"
OVERDUE = "inspection_overdue"  # the timer on the officer's task
# the record's free fields, kept on the inspection row as they were entered (its date and findings have columns)
RECORD_KEYS = tuple(k for k in INSPECTION_RECORD if k not in ("visited_on", "findings"))
WARNING_SEVERITIES = ("medium", "high")  # a finding the warning rules act on (rules 16 and 17)


def worst_of(findings: list[dict[str, Any]]) -> str | None:
    """The worst severity among ``findings`` (None: nothing found)."""
    found = [f.get("severity") for f in findings if f.get("severity") in SEVERITIES]
    return max(found, key=SEVERITIES.index) if found else None


def after_step(
    instance: ProcessInstance, result: engine.StepResult, actor: User | None, changes: TaskChanges
) -> None:
    if instance.process_id != PROCESS:
        return
    data = result.data
    if changes.started:
        _claim(instance, data, actor)
    inspection = db.session.scalar(select(Inspection).where(Inspection.instance_id == instance.id))
    if inspection is None:
        return  # a case of this process started outside the schedule (a process test's): nothing to keep
    opened = {task.task_spec: task for task in changes.opened}
    # the escalation runs on a branch of its own beside the officer's task: read from the path, not the data
    overdue = any(element == OVERDUE for element, _kind in result.path)
    if overdue and inspection.escalated_at is None:
        _escalate(inspection, instance, actor)
    if SIGN_OFF in opened:
        _recorded(inspection, instance, data, actor)
    elif REVISE in opened:
        _returned(inspection, instance, data, actor)
    if result.completed:
        _signed_off(inspection, instance, result, actor)


def _claim(instance: ProcessInstance, data: dict[str, Any], actor: User | None) -> None:
    asked = data.get("inspection") or {}
    values: dict[str, Any] = {"status": "open", "instance_id": instance.id, "opened_at": utcnow()}
    if asked.get("kind") == "ad_hoc":
        values.update(
            kind="ad_hoc",
            warning_id=asked.get("warning_id"),
            reason=asked.get("reason"),
            requested_by_id=actor.id if actor else None,
            due_on=date.fromisoformat(asked["due_on"]),
            opens_on=local_today(),
            rule_id=None,
        )
    inspection_id = asked.get("inspection_id")
    if inspection_id is not None:
        done = db.session.execute(
            update(Inspection)
            .where(Inspection.id == inspection_id, Inspection.status == "planned")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if rowcount(done) != 1:
            raise Conflict(_("This inspection was opened by someone else meanwhile; reload to see it."))
    else:
        inspection_id = insert_returning_id(
            Inspection,
            {
                "customer_id": asked["customer_id"],
                "returned_count": 0,
                "created_at": utcnow(),
                "facility_id": None,
                **values,
            },
        )
    audit.record(
        "inspection.opened",
        actor,
        instance_id=instance.id,
        customer_id=asked.get("customer_id"),
        inspection_id=inspection_id,
        kind=asked.get("kind"),
        due_on=asked.get("due_on"),
        **({"warning_id": asked["warning_id"]} if asked.get("warning_id") else {}),
    )


def _escalate(inspection: Inspection, instance: ProcessInstance, actor: User | None) -> None:
    write(inspection, escalated_at=utcnow())
    customer = db.session.get(Customer, inspection.customer_id)
    told = managers.tell_overdue(instance, inspection, customer)
    audit.record(
        "inspection.escalated",
        actor,
        instance_id=instance.id,
        customer_id=inspection.customer_id,
        inspection_id=inspection.id,
        due_on=inspection.due_on.isoformat(),
        told=told,
    )


def _findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {key: f.get(key) for key in ("severity", "area", "text")}
        for f in data.get("findings") or ()
        if isinstance(f, dict)
    ]


def _recorded(
    inspection: Inspection, instance: ProcessInstance, data: dict[str, Any], actor: User | None
) -> None:
    findings = _findings(data)
    worst = worst_of(findings)
    visited_on = date.fromisoformat(data["visited_on"])
    write(
        inspection,
        status="submitted",
        visited_on=visited_on,
        visited_by_id=actor.id if actor else None,
        record={key: data.get(key) for key in RECORD_KEYS},
        findings=findings,
        worst_severity=worst,
        submitted_at=utcnow(),
    )
    audit.record(
        "inspection.recorded",
        actor,
        instance_id=instance.id,
        customer_id=inspection.customer_id,
        inspection_id=inspection.id,
        visited_on=visited_on.isoformat(),
        findings=len(findings),
        worst_severity=worst,
        funds_match_purpose=data.get("funds_match_purpose"),
    )


def _returned(
    inspection: Inspection, instance: ProcessInstance, data: dict[str, Any], actor: User | None
) -> None:
    write(
        inspection,
        status="returned",
        returned_count=inspection.returned_count + 1,
        return_comment=data.get("signoff_comment"),
    )
    audit.record(
        "inspection.returned",
        actor,
        instance_id=instance.id,
        customer_id=inspection.customer_id,
        inspection_id=inspection.id,
        comment=data.get("signoff_comment"),
        fields=data.get("fields_to_fix") or [],
    )


def _signed_off(
    inspection: Inspection, instance: ProcessInstance, result: engine.StepResult, actor: User | None
) -> None:
    data = result.data
    write(
        inspection,
        status="signed_off",
        signed_off_by_id=actor.id if actor else None,
        signed_off_at=utcnow(),
        sign_off_comment=data.get("signoff_comment"),
    )
    rule = next(
        (",".join(d.matched_rules) for d in result.decisions if d.decision_id == "inspection_frequency"), None
    )
    due, opens = date.fromisoformat(data["next_inspection_on"]), date.fromisoformat(data["next_opens_on"])
    next_id = planning.plan_next(inspection.customer_id, due, opens, rule, actor)
    audit.record(
        "inspection.signed_off",
        actor,
        instance_id=instance.id,
        customer_id=inspection.customer_id,
        inspection_id=inspection.id,
        worst_severity=inspection.worst_severity,
        next_inspection_id=next_id,
        next_inspection_on=due.isoformat() if next_id else None,
        rule=rule,
    )


def check_findings(instance: ProcessInstance, result: engine.StepResult, actor: User | None) -> None:
    """A visit signed off with a finding the warning rules act on: the rules are run for its customer by a
    job, queued with the step (the scan starts escalations, each in a transaction of its own)."""
    if instance.process_id != PROCESS or not result.completed:
        return
    findings = _findings(result.data)
    if worst_of(findings) in WARNING_SEVERITIES and instance.customer_id is not None:
        dispatch.enqueue(dispatch.CHECK_CUSTOMER, instance.customer_id, actor.id if actor else None)
