"""Revaluation (押品重估) as a process: each active item is revalued as often as
``rules/collateral_revaluation.dmn`` says for its kind. A beat job (``start_due``, every
``CREDIT_COLLATERAL_CHECK_SECONDS``) starts a ``collateral_revaluation`` case for every item whose next revaluation
has fallen due, catching up after downtime; the borrower's officer or a manager of its relationship may also start
one by hand (``start_now``: after a fall in prices).

One revaluation per item at a time: the case claims its item when it starts (``revaluation_case_id``, set only
where empty or where the case it names no longer runs), in the start's transaction, so a second start — two
beats at once, a person pressing the button meanwhile — is rolled back whole (409).

The steps of a case (the step reaction ``collateral.after_step``): the officer records the new value, its date,
the appraiser and the appraisal report (a boundary timer hands it to the risk managers when it is overdue); a risk
manager confirms it or returns it — never the one who recorded it; on confirmation the diagram applies the
haircut table and sets the next date from the revaluation table, and the item takes the new value, haircut and
date, a valuation row keeps the report, who recorded and who confirmed, and ``collateral.revalued`` is audited.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select, update

from app.errors import Conflict, DomainError, InvalidInput, Unavailable
from app.extensions import db
from app.localtime import local_today
from app.models import Collateral, CollateralValuation, HumanTask, ProcessInstance, User
from app.services.audit import audit
from app.services.cases import cases
from app.services.cases.reactions import StepTaken
from app.services.customers.collateral import register
from app.services.shared import dispatch, one_by_one, rows

PROCESS, MESSAGE = "collateral_revaluation", "collateral_revaluation_due"
RECORDING = ("record_valuation", "record_overdue_valuation")  # the tasks that record a valuation
CONFIRMING = "confirm_valuation"


def free() -> ColumnElement[bool]:
    """The items no running revaluation holds (none claimed it, or the case that did has ended)."""
    ended = select(ProcessInstance.id).where(ProcessInstance.status != "running")
    return or_(Collateral.revaluation_case_id.is_(None), Collateral.revaluation_case_id.in_(ended))


def start_due(actor: User | None = None, today: date | None = None) -> list[int]:
    """Start the revaluation of every active item due on ``today`` (or before) that none holds; returns the new
    cases' ids. Each in its own transaction: one item's failure is recorded and the others still start."""
    today = today or local_today()
    due = db.session.scalars(
        select(Collateral.id)
        .where(Collateral.status == "active", Collateral.next_revaluation_on <= today, free())
        .order_by(Collateral.next_revaluation_on, Collateral.id)
    ).all()
    started = []
    for item_id in due:
        try:
            item = db.session.get(Collateral, item_id)
            if item is None or item.status != "active":
                continue
            started.append(_start(item, actor).id)
        except Unavailable:  # the database is away or the audit log held: the next run starts it again
            db.session.rollback()
            raise
        except DomainError:  # started meanwhile (one per item), or its process failed (recorded)
            db.session.rollback()
        except Exception as exc:  # noqa: BLE001 - this item's failure, recorded; the others still start
            db.session.rollback()
            audit.record(
                "engine.error",
                actor,
                customer_id=_customer_of(item_id),
                process_id=PROCESS,
                element=None,
                reason=one_by_one.failed("revaluation of collateral", item_id, exc),
            )
            db.session.commit()
    if started:
        audit.record("collateral.revaluations_started", actor, count=len(started), on=today.isoformat())
        db.session.commit()
    return started


def _customer_of(item_id: int) -> int | None:
    return db.session.scalar(select(Collateral.customer_id).where(Collateral.id == item_id))


def running_case(item: Collateral) -> ProcessInstance | None:
    """The revaluation running for ``item``, if any."""
    case = item.revaluation_case
    return case if case is not None and case.status == "running" else None


def start_now(user: User, item_id: int) -> ProcessInstance:
    """Start a revaluation of an item now (its officer or a manager of its relationship); 409 naming the case
    when one runs already."""
    item = register.get(user, item_id)
    register.writable_customer(user, item.customer_id)
    if item.status != "active":
        raise Conflict(_("This collateral was released; it is no longer revalued."))
    if running_case(item) is not None:
        raise already_running(item)
    return _start(item, user)


def already_running(item: Collateral) -> Conflict:
    case = item.revaluation_case
    return Conflict(
        _(
            "Collateral %(id)s is being revalued already: case %(case)s.",
            id=item.id,
            case=case.reference if case else "-",
        ),
        case_id=item.revaluation_case_id,
    )


def _start(item: Collateral, actor: User | None) -> ProcessInstance:
    return cases.start_by_message(PROCESS, MESSAGE, payload(item), actor)


def payload(item: Collateral) -> dict[str, Any]:
    """What the case starts with: the item, its last valuation and its borrower's officer."""
    customer = item.customer
    officer = db.session.get(User, customer.officer_id) if customer.officer_id else None
    return {
        "collateral_id": item.id,
        "customer_id": customer.id,
        "customer_name": customer.name,
        "uscc": customer.uscc,
        "officer": officer.username if officer is not None and officer.active else None,
        "collateral_kind": item.kind,
        "description": item.description,
        "certificate_no": item.certificate_no,
        "owner_name": item.owner_name,
        "previous_value": float(item.appraised_value),
        "previous_valued_on": item.appraised_on.isoformat(),
        "previous_appraiser": item.appraiser,
        "due_on": item.next_revaluation_on.isoformat(),
    }


def after_step(step: StepTaken) -> None:
    """A revaluation's step: the start claims its item; a confirmation is never its recorder's; the end records
    the valuation on the item."""
    instance, data = step.instance, step.result.data
    if instance.process_id != PROCESS:
        return
    if step.changes.started:
        _claim(instance, data.get("collateral_id"))
    recorder = _check_four_eyes(instance)
    if step.result.completed and data.get("valuation_decision") == "confirm":
        _record(instance, step, recorder)


def _claim(instance: ProcessInstance, item_id: Any) -> None:
    claimed = db.session.execute(
        update(Collateral)
        .where(Collateral.id == item_id, Collateral.status == "active", free())
        .values(revaluation_case_id=instance.id)
        .execution_options(synchronize_session=False)
    )
    if rows.rowcount(claimed) != 1:
        item = db.session.get(Collateral, item_id)
        if item is None or item.status != "active":
            raise Conflict(_("Collateral %(id)s is gone or released; it is not revalued.", id=item_id))
        raise already_running(item)


def _done(instance: ProcessInstance) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance.id, HumanTask.state == "completed")
            .order_by(HumanTask.completed_at, HumanTask.id)
        )
    )


def _check_four_eyes(instance: ProcessInstance) -> int | None:
    """Who recorded the valuation now under (or past) confirmation; refused (the step rolled back) when the same
    person confirms it."""
    done = _done(instance)
    recorded = [t for t in done if t.task_spec in RECORDING]
    if not recorded:
        return None
    recorder = recorded[-1].completed_by_id
    if (
        done[-1].task_spec == CONFIRMING
        and done[-1].id > recorded[-1].id
        and done[-1].completed_by_id == recorder
    ):
        raise InvalidInput(
            _("You recorded this valuation: another risk manager confirms it."),
            {"valuation_decision": _("whoever recorded the valuation does not confirm it")},
        )
    return recorder


def _haircut_rule(step: StepTaken, item: Collateral) -> str:
    matched = [d.matched_rules for d in step.result.decisions if d.decision_id == "collateral_haircut"]
    return matched[-1][0] if matched and matched[-1] else item.haircut_rule


def _record(instance: ProcessInstance, step: StepTaken, recorder: int | None) -> None:
    data, actor = step.result.data, step.actor
    item = db.session.get(Collateral, data.get("collateral_id"))
    if item is None:
        return
    db.session.refresh(item)  # as it stands now (a release meanwhile): sessions keep rows after commit
    value = Decimal(str(data["new_value"])).quantize(Decimal("0.01"))
    valued_on = date.fromisoformat(str(data["valued_on"]))
    haircut = Decimal(str(data["haircut"])).quantize(Decimal("0.0001"))
    rule = _haircut_rule(step, item)
    next_on = date.fromisoformat(str(data["next_revaluation_on"]))
    before = {
        "appraised_value": str(item.appraised_value),
        "appraised_on": item.appraised_on.isoformat(),
        "haircut": str(item.haircut),
        "next_revaluation_on": item.next_revaluation_on.isoformat(),
    }
    db.session.add(
        CollateralValuation(
            collateral_id=item.id,
            value=value,
            valued_on=valued_on,
            appraiser=str(data.get("appraiser") or "")[:200],
            haircut=haircut,
            haircut_rule=rule,
            report_id=data.get("report_document_id"),
            note=data.get("valuation_note") or None,
            instance_id=instance.id,
            recorded_by_id=recorder,
            confirmed_by_id=actor.id if actor else None,
        )
    )
    if item.status == "active":  # a released item keeps its history, not a new value
        # the coverage of its facilities changed: the warning rules run for the customer at once
        dispatch.enqueue(dispatch.CHECK_CUSTOMER, item.customer_id, actor.id if actor else None)
        item.appraised_value, item.appraised_on, item.appraiser = (
            value,
            valued_on,
            str(data["appraiser"])[:200],
        )
        item.haircut, item.haircut_rule, item.next_revaluation_on = haircut, rule, next_on
        item.changed_on = local_today()
    db.session.execute(  # its claim ends with it: the next one may start when due
        update(Collateral)
        .where(Collateral.id == item.id, Collateral.revaluation_case_id == instance.id)
        .values(revaluation_case_id=None)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        "collateral.revalued",
        actor,
        customer_id=item.customer_id,
        instance_id=instance.id,
        collateral_id=item.id,
        before=before,
        after={
            "appraised_value": str(value),
            "appraised_on": valued_on.isoformat(),
            "haircut": str(haircut),
            "haircut_rule": rule,
            "next_revaluation_on": next_on.isoformat(),
            "report_document_id": data.get("report_document_id"),
        },
    )
