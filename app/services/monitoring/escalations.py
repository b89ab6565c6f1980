"""One escalation per customer's warnings (预警处置): the officer investigates a customer once, not once
per signal, and no warning is decided on without an investigation that saw it.

The new warnings of one customer from one portfolio check start one ``warning_escalation`` together:
triaged by the worst severity among them and led by the worst one (in the rule table's order, so the
risk-control table reads the strongest signal). A warning raised while an escalation of that customer is
still at its investigation joins it: the diagram's ``warning_joined`` event, on the investigation, takes
the group in, the triage (``rules/warning_triage.dmn``) runs again on it — the worst severity sets the time
to investigate and whether a confirmed group goes to the risk manager — and the investigation starts over
with every warning listed, its time limit never later than the one it had left. Once the officer has
concluded (the escalation is with the risk manager, an approver, or waits for its follow-up date), nothing
waits for the event: the warning starts an escalation of its own, investigated and triaged for itself,
rather than reaching a decision made on findings that never saw it. Where a warning may join is the
diagram's to say (where the event waits), not this module's.

Each warning belongs to one escalation (``EarlyWarning.instance_id``; ``joined_at`` when it joined one
already open) and closes with it (``risk_controls.after_step``). What an escalation holds is read by
``escalation_reads``, which the case page uses without importing this module (it starts cases).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import exists, select

from app import engine
from app.extensions import db
from app.models import Customer, EarlyWarning, HumanTask, ProcessInstance, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.cases import cases, steps
from app.services.customers.master.directory import for_case
from app.services.monitoring.escalation_reads import PROCESS, held_by, rank

MESSAGE, JOINED = "early_warning", "warning_joined"


def hold(customer_id: int) -> None:
    """Lock the customer's row until the transaction ends: whoever places its warnings next waits (PostgreSQL;
    SQLite has one writer at a time anyway). FOR NO KEY UPDATE: a row that refers to the customer (an audit row
    inserted at another transaction's commit, under the audit chain's lock) is not held up, else the two would
    wait for each other."""
    db.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update(key_share=True))


def open_for(customer_ids: Iterable[int]) -> dict[int, list[ProcessInstance]]:
    """The running escalations of each customer given that wait for a person, newest first: those a
    warning may join (the diagram says which of them still take one)."""
    ids = list(customer_ids)
    found: dict[int, list[ProcessInstance]] = {}
    waits_for_someone = exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.state == "ready"
    )
    for start in range(0, len(ids), 900):
        for instance in db.session.scalars(
            select(ProcessInstance)
            .where(
                ProcessInstance.process_id == PROCESS,
                ProcessInstance.status == "running",
                waits_for_someone,
                ProcessInstance.customer_id.in_(ids[start : start + 900]),
            )
            .order_by(ProcessInstance.id.desc())
        ):
            assert instance.customer_id is not None  # selected by it
            found.setdefault(instance.customer_id, []).append(instance)
    return found


def _brief(warning: EarlyWarning) -> dict[str, Any]:
    return {
        "warning_id": warning.id,
        "code": warning.code,
        "name": warning.name,
        "severity": warning.severity,
        "rule_id": warning.rule_id,
        "observed_on": warning.observed_on.isoformat() if warning.observed_on else None,
    }


def _names(warnings: list[EarlyWarning]) -> str:
    """The group's names as one text written "English / 中文" like each of them (shown in one language)."""
    halves = [name.partition(" / ") for name in (w.name for w in warnings)]
    english = "; ".join(h[0] for h in halves)
    chinese = "；".join(h[2] or h[0] for h in halves)
    return f"{english} / {chinese}" if any(h[1] for h in halves) else english


def _group_data(warnings: list[EarlyWarning], days_past_due: Any) -> dict[str, Any]:
    """What the escalation's steps read of its group: the lead warning (the worst) and the others."""
    ordered = sorted(warnings, key=rank)  # stable: the table's order among equals
    lead = ordered[0]
    dates = [w.observed_on for w in ordered if w.observed_on is not None]
    return {
        "warning_id": lead.id,
        "warning_code": lead.code,
        "warning_name": _names(ordered),
        "severity": lead.severity,
        "evidence": lead.evidence,
        "observed_on": max(dates).isoformat() if dates else None,
        "days_past_due": days_past_due,
        "warnings": [_brief(w) for w in ordered],
    }


def place(
    customer: Mapping[str, Any],
    warnings: list[EarlyWarning],
    actor: User | None,
    candidates: Iterable[ProcessInstance] = (),
) -> tuple[ProcessInstance, bool]:
    """Put ``warnings`` (new, flushed) of one customer in the first of ``candidates`` (``open_for``) still at
    its investigation, else in a new escalation; commits them with it. True when they joined one.
    ``customer`` holds its id, name, credit code, officer and the days past due observed."""
    for instance in candidates:
        if instance.status == "running" and _join(
            instance, warnings, customer, actor
        ):  # read again: it may have ended
            return instance, True
    return start(customer, warnings, actor), False


def start(customer: Mapping[str, Any], warnings: list[EarlyWarning], actor: User | None) -> ProcessInstance:
    """Start one escalation for ``warnings`` (new, flushed) of one customer; commits them with it."""
    payload = {
        "customer_id": customer["customer_id"],
        "customer_name": customer["customer_name"],
        "uscc": customer["uscc"],
        "officer": customer["officer"],
        **_group_data(warnings, customer.get("days_past_due")),
    }
    instance = cases.start_by_message(PROCESS, MESSAGE, payload, actor)
    for warning in warnings:
        warning.instance_id = instance.id
    db.session.commit()
    return instance


def _time_left(instance: ProcessInstance) -> str | None:
    """What the escalation's open task has left of its time limit (ISO 8601; none left is "PT0S"), or None
    when it has none."""
    due = db.session.scalar(
        select(HumanTask.due_at)
        .where(
            HumanTask.instance_id == instance.id, HumanTask.state == "ready", HumanTask.due_at.is_not(None)
        )
        .order_by(HumanTask.due_at)
        .limit(1)
    )
    if due is None:
        return None
    return f"PT{max(0, int((due - utcnow()).total_seconds()))}S"


def _join(
    instance: ProcessInstance, warnings: list[EarlyWarning], customer: Mapping[str, Any], actor: User | None
) -> bool:
    """Deliver ``warnings`` with their whole group to the escalation's ``warning_joined`` event, in one
    version-checked step with them; False, changing nothing, when nothing waits for it there (its
    investigation has concluded). A lost race (the escalation moved meanwhile) rolls both back (Conflict)."""
    before = instance.summary.get("severity") if instance.summary else None
    group = [*held_by(instance.id), *warnings]
    message = {**_group_data(group, customer.get("days_past_due")), "time_left": _time_left(instance)}

    def joined() -> None:  # recorded ahead of what the engine does in response (the triage, the new task)
        now = utcnow()
        for warning in warnings:
            warning.instance_id, warning.joined_at = instance.id, now
        audit.record(
            "warning.joined",
            actor,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            warning_ids=[w.id for w in warnings],
            codes=[w.code for w in warnings],
            severity_before=before,
            severity=message["severity"],
            time_left=message["time_left"],
        )

    try:
        steps.run_step(
            instance,
            actor,
            lambda bundle, state: engine.deliver_message(bundle, state, JOINED, message, for_case(instance)),
            prelude=joined,
        )
    except engine.TaskNotReady:  # past its investigation (or a version of the diagram no warning joins)
        return False
    return True
