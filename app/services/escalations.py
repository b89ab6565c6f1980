"""One escalation per customer's warnings (预警处置): the officer investigates a customer once, not once
per signal.

The new warnings of one customer from one portfolio check start one ``warning_escalation`` together:
triaged by the worst severity among them and led by the worst one (in the rule table's order, so the
risk-control table reads the strongest signal). A warning raised while an escalation of that customer
is open joins it instead: the escalation's data learns the group (its worst severity, so a high warning
joining a low one still goes to the risk manager; the days past due now observed), the warning is listed
in the escalation's open task, and it closes with the others when the escalation ends
(``risk_controls.after_step``). The investigation's deadline stays the one triage set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from app import engine
from app.extensions import db
from app.models import EarlyWarning, ProcessInstance, User
from app.services import audit, cases
from app.services.directory import for_case
from app.services.steps import run_step

PROCESS, MESSAGE = "warning_escalation", "early_warning"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _rank(warning: EarlyWarning) -> int:
    return SEVERITY_ORDER.get(warning.severity, len(SEVERITY_ORDER))


def open_for(customer_ids: Iterable[int]) -> dict[int, ProcessInstance]:
    """The running escalation of each customer given (the oldest, should there be several from before
    warnings were grouped)."""
    ids = list(customer_ids)
    found: dict[int, ProcessInstance] = {}
    for start in range(0, len(ids), 900):
        for instance in db.session.scalars(
                select(ProcessInstance).where(ProcessInstance.process_id == PROCESS,
                                              ProcessInstance.status == "running",
                                              ProcessInstance.customer_id.in_(ids[start:start + 900]))
                .order_by(ProcessInstance.id.desc())):
            found[instance.customer_id] = instance  # newest first, so the oldest stays
    return found


def held_by(instance_id: int) -> list[EarlyWarning]:
    """The warnings an escalation holds, worst first (then in the order they were raised)."""
    warnings = db.session.scalars(select(EarlyWarning).where(EarlyWarning.instance_id == instance_id)
                                  .order_by(EarlyWarning.id))
    return sorted(warnings, key=_rank)


def _brief(warning: EarlyWarning) -> dict[str, Any]:
    return {"warning_id": warning.id, "code": warning.code, "name": warning.name, "severity": warning.severity,
            "rule_id": warning.rule_id, "observed_on": warning.observed_on.isoformat() if warning.observed_on else None}


def _names(warnings: list[EarlyWarning]) -> str:
    """The group's names as one text written "English / 中文" like each of them (shown in one language)."""
    halves = [name.partition(" / ") for name in (w.name for w in warnings)]
    english = "; ".join(h[0] for h in halves)
    chinese = "；".join(h[2] or h[0] for h in halves)
    return f"{english} / {chinese}" if any(h[1] for h in halves) else english


def _group_data(warnings: list[EarlyWarning], days_past_due: Any) -> dict[str, Any]:
    """What the escalation's steps read of its group: the lead warning (the worst) and the others."""
    ordered = sorted(warnings, key=_rank)  # stable: the table's order among equals
    lead = ordered[0]
    dates = [w.observed_on for w in ordered if w.observed_on is not None]
    return {"warning_code": lead.code, "warning_name": _names(ordered), "severity": lead.severity,
            "observed_on": max(dates).isoformat() if dates else None, "days_past_due": days_past_due,
            "warnings": [_brief(w) for w in ordered]}


def start(customer: Mapping[str, Any], warnings: list[EarlyWarning], actor: User | None) -> ProcessInstance:
    """Start one escalation for ``warnings`` (new, flushed) of one customer; commits them with it.
    ``customer`` holds its id, name, credit code, officer and the days past due observed."""
    data = _group_data(warnings, customer.get("days_past_due"))
    lead = sorted(warnings, key=_rank)[0]
    payload = {"warning_id": lead.id, "customer_id": customer["customer_id"], "customer_name": customer["customer_name"],
               "uscc": customer["uscc"], "officer": customer["officer"], "evidence": lead.evidence, **data}
    instance = cases.start_by_message(PROCESS, MESSAGE, payload, actor)
    for warning in warnings:
        warning.instance_id = instance.id
    db.session.commit()
    return instance


def join(instance: ProcessInstance, warnings: list[EarlyWarning], customer: Mapping[str, Any],
         actor: User | None) -> ProcessInstance:
    """Add ``warnings`` (new, flushed) to the customer's open escalation, in one version-checked step
    with them: a lost race (the escalation moved or ended meanwhile) rolls both back (Conflict)."""
    before = instance.summary.get("severity") if instance.summary else None
    for warning in warnings:
        warning.instance_id = instance.id
    db.session.flush()
    group = held_by(instance.id)
    data = _group_data(group, customer.get("days_past_due"))
    audit.record("warning.joined", actor, instance_id=instance.id, customer_id=instance.customer_id,
                 warning_ids=[w.id for w in warnings], codes=[w.code for w in warnings],
                 severity_before=before, severity=data["severity"])
    run_step(instance, actor, lambda bundle, state: engine.merge_data(bundle, state, data, for_case(instance)))
    return instance
