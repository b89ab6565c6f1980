"""Revaluation as a process (押品重估): the beat starts one case per item due, never two; the officer records the
new value with its appraisal report, a risk manager (never the recorder) confirms it, and the item takes the new
value, haircut and next date. The register's coverage feeds the warning rules: one facility short raises
``collateral_shortfall`` with the register's value as its evidence."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select, update

from app.errors import Conflict
from app.extensions import db
from app.localtime import local_today
from app.models import (
    AuditEvent,
    Collateral,
    CollateralValuation,
    EarlyWarning,
    Facility,
    HumanTask,
    ProcessInstance,
)
from app.services.cases import tasks, timers
from app.services.customers.collateral import register, revaluation
from app.services.customers.facilities.facility_terms import add_months
from app.services.monitoring import observations, portfolio
from app.services.monitoring.portfolio_inputs import portfolio_frame
from tests.factories import facility
from tests.services.collateral_data import borrower, record, refused, report
from tests.workflows.test_warning_escalation import ready

LONG_AGO = (local_today() - timedelta(days=400)).isoformat()  # a real-estate valuation past its year


def due_item(people, index: int = 1) -> Collateral:
    customer, live = borrower(people.officer, index)
    return record(people.officer, customer, live, appraised_on=LONG_AGO)


def cases_stored() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessInstance))


def valuation(doc_id: int, **overrides) -> dict:
    return {
        "new_value": 18_000_000,
        "valued_on": (local_today() - timedelta(days=2)).isoformat(),
        "appraiser": "上海东洲资产评估有限公司",
        "report_document_id": doc_id,
        "valuation_note": "周边厂房成交价下行约一成。",
        **overrides,
    }


def test_the_beat_starts_a_due_revaluation_once(deployed, people):
    item = due_item(people)
    not_due = record(people.officer, item.customer, None)  # valued a month ago: due in eleven months
    [started] = revaluation.start_due()
    assert revaluation.start_due() == []  # running: never a second
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, started)
    assert instance.reference.startswith("CV-") and instance.customer_id == item.customer_id
    assert db.session.get(Collateral, item.id).revaluation_case_id == started
    assert db.session.get(Collateral, not_due.id).revaluation_case_id is None
    task = ready(started, "record_valuation")
    assert task.assignee_id == people.officer.id and task.due_at is not None  # 30 days for real estate
    before = cases_stored()
    with pytest.raises(Conflict):  # a second scheduler that read the item as due before the first committed
        revaluation._start(db.session.get(Collateral, item.id), None)
    db.session.rollback()
    assert cases_stored() == before  # its start rolled back whole
    with pytest.raises(Conflict) as running:
        revaluation.start_now(people.officer, item.id)
    assert instance.reference in running.value.message


def test_the_revaluation_records_the_value_haircut_and_next_date(deployed, people, jobs_here):
    item = due_item(people)
    [started] = revaluation.start_due()
    task = ready(started, "record_valuation")
    doc = report(people.officer, case_id=started)
    errors = refused(lambda: tasks.complete(people.officer, task.id, valuation(doc.id + 100)))
    assert set(errors) == {"report_document_id"}
    future = (local_today() + timedelta(days=1)).isoformat()
    assert set(
        refused(lambda: tasks.complete(people.officer, task.id, valuation(doc.id, valued_on=future)))
    ) == {"valued_on"}
    assert "new_value" in refused(
        lambda: tasks.complete(people.officer, task.id, valuation(doc.id, new_value=-1))
    )
    for unconfirmable in (0.004, 1234.567, 1e16):  # never accepted, then failed at confirmation
        assert "new_value" in refused(
            lambda v=unconfirmable: tasks.complete(people.officer, task.id, valuation(doc.id, new_value=v))
        )
    tasks.complete(people.officer, task.id, valuation(doc.id))
    confirm = ready(started, "confirm_valuation")
    assert confirm.lane == "risk_manager"
    tasks.complete(people.risk, confirm.id, {"valuation_decision": "confirm"})
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, started)
    assert (instance.status, instance.outcome) == ("completed", "revalued")
    item = db.session.get(Collateral, item.id)
    valued_on = local_today() - timedelta(days=2)
    assert (item.appraised_value, item.appraised_on, item.haircut) == (
        Decimal("18000000.00"),
        valued_on,
        Decimal("0.3000"),
    )
    assert item.next_revaluation_on == add_months(valued_on, 12) and item.revaluation_case_id is None
    latest = db.session.scalar(select(CollateralValuation).order_by(CollateralValuation.id.desc()).limit(1))
    assert (latest.instance_id, latest.report_id, latest.recorded_by_id, latest.confirmed_by_id) == (
        started,
        doc.id,
        people.officer.id,
        people.risk.id,
    )
    assert latest.haircut_rule == "Rule_collateral_haircut_02"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "collateral.revalued"))
    assert event.instance_id == started and event.payload["after"]["appraised_value"] == "18000000.00"
    # the coverage changed: the warning rules ran for the customer at once (a job queued with the step)
    checked = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event_type == "monitoring.customers_checked")
    )
    assert checked.payload["customer_ids"] == [item.customer_id] and checked.actor_id == people.risk.id
    assert revaluation.start_due() == []  # not due again for a year


def test_a_returned_valuation_goes_back_to_the_officer(deployed, people):
    item = due_item(people)
    [started] = revaluation.start_due()
    doc = report(people.officer, customer_id=item.customer_id)  # the customer's own report counts too
    tasks.complete(people.officer, ready(started, "record_valuation").id, valuation(doc.id))
    assert "valuation_comment" in refused(
        lambda: tasks.complete(
            people.risk, ready(started, "confirm_valuation").id, {"valuation_decision": "return"}
        )
    )
    tasks.complete(
        people.risk,
        ready(started, "confirm_valuation").id,
        {"valuation_decision": "return", "valuation_comment": "评估基准日与报告不符。"},
    )
    again = ready(started, "record_valuation")
    assert again.assignee_id == people.officer.id
    db.session.expire_all()
    assert db.session.get(Collateral, item.id).appraised_value == Decimal("20000000.00")  # unchanged yet


def test_an_overdue_revaluation_goes_to_the_risk_managers_and_its_recorder_never_confirms_it(
    deployed, people
):
    item = due_item(people)
    with time_machine.travel(local_today().isoformat() + " 02:00:00+00:00", tick=False) as clock:
        [started] = revaluation.start_due()
        clock.shift(timedelta(days=31))  # real estate: thirty days to revalue
        assert timers.fire_due() == 1
    escalated = ready(started, "record_overdue_valuation")
    assert escalated.lane == "risk_manager"
    doc = report(people.risk, case_id=started)
    tasks.complete(people.risk, escalated.id, valuation(doc.id))
    confirm = ready(started, "confirm_valuation")
    errors = refused(lambda: tasks.complete(people.risk, confirm.id, {"valuation_decision": "confirm"}))
    assert set(errors) == {"valuation_decision"}
    db.session.rollback()
    assert db.session.get(HumanTask, confirm.id).state == "ready"  # rolled back whole
    tasks.complete(people.cro, confirm.id, {"valuation_decision": "confirm"})  # another risk manager
    db.session.expire_all()
    assert db.session.get(ProcessInstance, started).summary["revaluation_escalated"] is True
    assert db.session.get(Collateral, item.id).appraised_value == Decimal("18000000.00")


def test_a_revaluation_is_started_by_hand_only_by_who_may_write(deployed, people):
    customer, live = borrower(people.officer)
    item = record(people.officer, customer, live)
    with pytest.raises(Exception) as refused_start:
        revaluation.start_now(people.compliance, item.id)
    assert refused_start.value.status == 403
    case = revaluation.start_now(people.approver1, item.id)
    assert case.process_id == "collateral_revaluation"


def test_the_frame_takes_coverage_from_the_register_where_it_secures_a_facility(deployed, people):
    secured, first = borrower(people.officer, 1, 10_000_000)
    second = facility(secured, 5_000_000)
    record(people.officer, secured, first)  # 14m over 10m: 1.4
    record(people.officer, secured, second, kind="deposit", appraised_value="1000000")  # 0.95m over 5m: 0.19
    observed, _live = borrower(people.officer, 2, 10_000_000)
    for customer, value in ((secured, "50000000"), (observed, "5000000")):
        observations.record(
            people.officer,
            {"uscc": customer.uscc, "observed_on": local_today().isoformat(), "collateral_value": value},
        )
    frame = portfolio_frame()
    assert frame.loc[secured.id, "collateral_coverage"] == pytest.approx(0.19)  # its worst facility
    assert frame.loc[secured.id, "collateral_value"] == pytest.approx(14_950_000)
    assert frame.loc[secured.id, "on_collateral_coverage"] == local_today()
    assert frame.loc[observed.id, "collateral_coverage"] == pytest.approx(0.5)  # observed: as before


def test_a_facility_short_of_its_limit_raises_the_shortfall_warning(deployed, people):
    customer, live = borrower(people.officer, 1, 10_000_000)
    item = record(people.officer, customer, live, "50")  # 7m over 10m
    other, _live = borrower(people.officer, 2)
    assert portfolio.scan(people.officer, customer_ids=[other.id]).raised == []  # a check of another customer
    assert len(portfolio.scan(people.officer, customer_ids=[customer.id]).raised) == 1  # of this one
    portfolio.scan(people.risk)
    warning = db.session.scalar(
        select(EarlyWarning).where(
            EarlyWarning.customer_id == customer.id, EarlyWarning.code == "collateral_shortfall"
        )
    )
    assert warning.evidence["collateral_coverage"] == pytest.approx(0.7)
    assert warning.evidence["collateral_value"] == pytest.approx(7_000_000)
    assert warning.basis == f"observation:{local_today().isoformat()}"
    portfolio.scan(people.risk)  # open already: not raised twice
    assert (
        db.session.scalar(
            select(func.count()).select_from(EarlyWarning).where(EarlyWarning.code == "collateral_shortfall")
        )
        == 1
    )
    register.set_links(people.officer, item.id, {"links": [{"facility_id": live.id, "share": 100}]})
    assert portfolio_frame().loc[customer.id, "collateral_coverage"] == pytest.approx(1.4)


def test_the_job_is_registered_in_the_beat_schedule(app):
    entry = app.extensions["celery"].conf.beat_schedule["start-revaluations"]
    assert entry["task"] == "app.jobs.customers.start_revaluations"
    assert entry["schedule"] == float(app.config["COLLATERAL_CHECK_SECONDS"])
    assert "app.jobs.customers.start_revaluations" in app.extensions["celery"].tasks


def test_an_item_released_while_it_is_revalued_keeps_its_history_not_a_new_value(deployed, people):
    item = due_item(people)
    [started] = revaluation.start_due()
    doc = report(people.officer, case_id=started)
    tasks.complete(people.officer, ready(started, "record_valuation").id, valuation(doc.id))
    register.release(people.risk, item.id)
    tasks.complete(people.risk, ready(started, "confirm_valuation").id, {"valuation_decision": "confirm"})
    db.session.expire_all()
    released = db.session.get(Collateral, item.id)
    assert released.status == "released" and released.appraised_value == Decimal("20000000.00")
    assert db.session.scalar(select(func.count()).select_from(CollateralValuation)) == 2


def test_a_facility_covered_to_the_cent_is_not_short_for_the_rules_either(deployed, people):
    customer, live = borrower(people.officer, 1, 10_000_000)
    db.session.execute(
        update(Facility).where(Facility.id == live.id).values(limit_amount=Decimal("45162052.60"))
    )
    db.session.commit()
    record(people.officer, customer, live, appraised_value="64,517,218.00")  # 30% off: 45,162,052.60 exactly
    assert portfolio_frame().loc[customer.id, "collateral_coverage"] == 1.0
    assert portfolio.scan(people.risk, customer_ids=[customer.id]).raised == []
