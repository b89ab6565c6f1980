"""What starts a case analysis (``workflows/case_analysis.bpmn``), once per event:

- **a default**: a customer's five-category class becomes 次级 or worse (a ``RatingChange`` into
  ``causes.DEFAULT_CLASSES`` from a better class or none), whoever recorded it — an escalation's classification,
  an approved review or application;
- **a control**: a warning's escalation closed (``outcome`` closed) after a risk-control action on the credit
  (not the watchlist a low warning's officer keeps, nor "no action"); when the same escalation recorded a default,
  that analysis covers the control too.

A step that records either event queues a job with itself (``queue_after_step``, the step reactions' jobs hook):
the analysis starts in a transaction of its own once the step committed, and never twice for one event
(``trigger_kind`` + ``trigger_ref`` are unique; a second start of the same event is skipped, or loses the race
and is rolled back whole). A risk manager may start one by hand (``start_by_hand``): a success case from a
closed warning handled well, or an analysis of a customer the events did not reach.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.inputs import numbers
from app.localtime import local_date
from app.models import CaseAnalysis, Customer, EarlyWarning, ProcessInstance, RatingChange, User
from app.services.analytics.case_library import rights
from app.services.analytics.case_library.causes import DEFAULT_CLASSES
from app.services.cases import cases
from app.services.cases.reactions import StepTaken
from app.services.shared import dispatch
from app.services.shared.nullsafe import outside

PROCESS, MESSAGE = "case_analysis", "case_analysis_due"
ESCALATION = "warning_escalation"
# the processes that record a class on a customer, and the steps that may (``classification.settle``)
CLASSIFYING = ("warning_escalation", "periodic_review", "credit_application")
UNDER_WAY = ("open", "in_review", "returned")
# what an escalation may close with that is not a control on the credit (the officer's watch on a low warning)
NOT_CONTROLS = (None, "none", "watchlist")
HAND = "hand"  # the trigger of an analysis started by hand with no warning: hand:<customer id>:<n>


def queue_after_step(step: StepTaken) -> None:
    """The step reaction (jobs hook): queue the start of an analysis for each event the step recorded."""
    instance, result = step.instance, step.result
    if instance.process_id not in CLASSIFYING:
        return
    classified = any(element == "classify_loan" for element, _kind in result.path)
    if result.completed or classified:
        for change_id in db.session.scalars(
            select(RatingChange.id).where(
                RatingChange.instance_id == instance.id,
                RatingChange.class_after.in_(DEFAULT_CLASSES),
                outside(RatingChange.class_before, DEFAULT_CLASSES),
            )
        ):
            dispatch.enqueue(dispatch.START_CASE_ANALYSIS, "default", f"rating_change:{change_id}")
    data = result.data
    if (
        instance.process_id == ESCALATION
        and result.completed
        and data.get("outcome") == "closed"
        and (data.get("control_applied") or {}).get("action") not in NOT_CONTROLS
    ):
        dispatch.enqueue(dispatch.START_CASE_ANALYSIS, "control", f"escalation:{instance.id}")


def start_for_event(kind: str, ref: str) -> ProcessInstance | None:
    """Start the analysis of one event (the job's work); None when it was started before or the event is gone."""
    if db.session.scalar(
        select(CaseAnalysis.id).where(CaseAnalysis.trigger_kind == kind, CaseAnalysis.trigger_ref == ref)
    ):
        return None
    found = _event(kind, ref)
    if found is None:
        return None
    customer, default_on, label = found
    try:
        return _start(customer, kind, ref, default_on, label, None, None)
    except Conflict:
        return None  # started meanwhile by another run of the same job


def _event(kind: str, ref: str) -> tuple[Customer, date | None, str] | None:
    _prefix, _sep, raw_id = ref.partition(":")
    if not raw_id.isdigit():
        return None
    if kind == "default":
        change = db.session.get(RatingChange, int(raw_id))
        if change is None:
            return None
        customer = db.session.get(Customer, change.customer_id)
        on = local_date(change.changed_at)
        label = (
            f"Class {change.class_before or 'none'} to {change.class_after} on {on.isoformat()} / "
            f"五级分类降为{_CLASS_ZH.get(change.class_after or '', change.class_after)}（{on.isoformat()}）"
        )
        return (customer, on, label) if customer is not None else None
    if kind == "control":
        escalation = db.session.get(ProcessInstance, int(raw_id))
        if escalation is None or escalation.customer_id is None:
            return None
        if db.session.scalar(  # it also recorded a default: that analysis covers the control too
            select(RatingChange.id)
            .where(RatingChange.instance_id == escalation.id, RatingChange.class_after.in_(DEFAULT_CLASSES))
            .limit(1)
        ):
            return None
        customer = db.session.get(Customer, escalation.customer_id)
        label = (
            f"Warning escalation {escalation.reference} closed after a risk control / "
            f"预警处置 {escalation.reference} 采取风控措施后关闭"
        )
        return (customer, default_date(escalation.customer_id), label) if customer is not None else None
    return None


_CLASS_ZH = {"substandard": "次级", "doubtful": "可疑", "loss": "损失"}


def default_date(customer_id: int) -> date | None:
    """The day the customer's class first became 次级 or worse (None: it never did)."""
    first = db.session.scalar(
        select(RatingChange.changed_at)
        .where(
            RatingChange.customer_id == customer_id,
            RatingChange.class_after.in_(DEFAULT_CLASSES),
            outside(RatingChange.class_before, DEFAULT_CLASSES),
        )
        .order_by(RatingChange.changed_at)
        .limit(1)
    )
    return local_date(first) if first is not None else None


def start_by_hand(user: User, customer_id: int, data: Mapping[str, Any]) -> ProcessInstance:
    """A risk manager starts an analysis of the customer, held by them: ``warning_id`` (a closed warning of the
    customer: a success case of that warning, once per warning) or ``kind`` success | manual. Refused, nothing
    stored: a role that may not (403), no such customer (404), a bad field (422, named), an analysis of the
    customer already started by hand and not yet approved, or of that warning (409), even when two start at the
    same moment."""
    rights.check_start(user)
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("No customer %(id)s.", id=customer_id))
    errors: dict[str, str] = {}
    warning = _closed_warning(data.get("warning_id"), customer_id, errors)
    kind = "success" if warning is not None else (data.get("kind") or "success")
    if kind not in ("success", "manual"):
        errors["kind"] = _("success or manual")
    if errors:
        raise InvalidInput(_("The analysis cannot be started: check the fields named."), errors)
    if warning is not None:
        ref = f"warning:{warning.id}"
        if db.session.scalar(
            select(CaseAnalysis.id).where(CaseAnalysis.trigger_kind == kind, CaseAnalysis.trigger_ref == ref)
        ):
            raise Conflict(_("This warning has its success case already."))
    else:
        current = hand_started_under_way(customer_id)
        if current is not None:
            raise Conflict(
                _(
                    "An analysis of this customer is already under way (%(reference)s): finish it there.",
                    reference=current.instance.reference if current.instance else "—",
                )
            )
        ref = _next_hand_ref(customer_id)
    label = (
        f"Success case: warning {warning.code} handled / 成功案例：预警 {warning.code} 妥善处置"
        if warning is not None
        else (
            "Success case started by a risk manager / 风险经理发起的成功案例"
            if kind == "success"
            else "Analysis started by a risk manager / 风险经理发起的案例分析"
        )
    )
    return _start(customer, kind, ref, default_date(customer_id), label, user, user.username)


def _hand_started(customer_id: int):
    """The analyses of the customer started by hand without a warning: ``hand:<customer>:<n>``, or None for those
    started before they were numbered."""
    return or_(
        CaseAnalysis.trigger_ref.is_(None), CaseAnalysis.trigger_ref.like(f"{HAND}:{customer_id}:%")
    ) & (CaseAnalysis.customer_id == customer_id)


def hand_started_under_way(customer_id: int) -> CaseAnalysis | None:
    return db.session.scalar(
        select(CaseAnalysis).where(_hand_started(customer_id), CaseAnalysis.status.in_(UNDER_WAY)).limit(1)
    )


def _next_hand_ref(customer_id: int) -> str:
    """The customer's next number of an analysis by hand: two risk managers starting one at the same moment
    both read none under way, and both ask for this number; the database's uniqueness of the trigger refuses the
    second (409), which the check above alone could not."""
    started = db.session.scalar(
        select(func.count()).select_from(CaseAnalysis).where(_hand_started(customer_id))
    )
    return f"{HAND}:{customer_id}:{(started or 0) + 1}"


def _closed_warning(raw: Any, customer_id: int, errors: dict[str, str]) -> EarlyWarning | None:
    if raw in (None, ""):
        return None
    warning_id = numbers.row_id(raw)
    warning = db.session.get(EarlyWarning, warning_id) if warning_id is not None else None
    if warning is None or warning.customer_id != customer_id:
        errors["warning_id"] = _("not a warning of this customer")
        return None
    if warning.status != "closed":
        errors["warning_id"] = _("this warning is still open")
        return None
    return warning


def _start(
    customer: Customer,
    kind: str,
    ref: str | None,
    default_on: date | None,
    label: str,
    actor: User | None,
    analyst: str | None,
) -> ProcessInstance:
    payload = {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "uscc": customer.uscc,
        "industry": customer.industry,
        "trigger_kind": kind,
        "trigger_ref": ref,
        "trigger_label": label,
        "default_on": default_on.isoformat() if default_on else None,
        "analyst": analyst,
    }
    return cases.start_by_message(PROCESS, MESSAGE, payload, actor)
