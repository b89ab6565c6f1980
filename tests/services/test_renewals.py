"""Renewal (续授信): the renewal the beat proposes once per facility (prefilled, linked, its intake the officer's),
one proposed by hand, and the old facility ended when the renewal is approved. A facility's dates are in
``test_facility_dates``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, FacilityChange, FinancialStatement, Notification, ProcessInstance
from app.services.admin.demo import demo_uscc
from app.services.approval.exposure import exposure_of
from app.services.cases import tasks, withdrawal
from app.services.customers.facilities import renewals
from app.services.customers.facilities.facility_terms import add_months
from tests.factories import approved_case, compliance_sign_off, open_task, review
from tests.services.facilities import facility_of, maturing_in, renewal_of


def test_the_job_proposes_each_due_renewal_once_for_the_officer(deployed, people):
    due = maturing_in(approved_case(people, 1), 80)
    later = maturing_in(approved_case(people, 2), 120)  # beyond the 90 days: not yet
    first = renewals.propose_due()
    again = renewals.propose_due()  # run twice (a redelivered job, a second worker): nothing more
    assert len(first) == 1 and again == []
    renewal = renewal_of(due)
    assert renewal.id == first[0] and renewal_of(later) is None
    assert renewal.started_by_id == people.officer.id and renewal.process_id == "credit_application"
    assert renewal.summary["renews_facility_id"] == due.id
    assert renewal.summary["renews_reference"] == due.instance.reference
    assert renewal.summary["renews_matures_on"] == due.matures_on.isoformat()
    intake = open_task(renewal.id, "application_intake")
    assert intake.assignee_id == people.officer.id  # the intake is the customer's officer's
    started = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.instance_id == renewal.id, AuditEvent.event_type == "instance.started"
        )
    )
    assert started.actor_id is None  # the system proposed it
    proposed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.event_type == "facility.renewal_proposed")
    )
    assert proposed.payload["facility_id"] == due.id and proposed.instance_id == renewal.id
    [notice] = db.session.scalars(select(Notification).where(Notification.instance_id == renewal.id)).all()
    assert notice.user_id == people.officer.id and notice.kind == "renewal"
    assert notice.params["renews"] == due.instance.reference and notice.task_id == intake.id


def test_the_lead_is_one_setting_and_recently_matured_facilities_are_proposed_too(
    app, deployed, people, monkeypatch
):
    matured = maturing_in(approved_case(people, 1), -5)
    long_ago = maturing_in(approved_case(people, 3), -(renewals.OVERDUE_WINDOW_DAYS + 1))
    soon = maturing_in(approved_case(people, 2), 20)
    monkeypatch.setitem(app.config, "RENEWAL_LEAD_DAYS", 10)
    renewals.propose_due()
    assert renewal_of(matured) is not None and renewal_of(soon) is None
    assert renewal_of(long_ago) is None  # years of dated limits never flood the officers on the first run
    assert len(renewals.propose_due(today=local_today() + timedelta(days=15))) == 1  # the lead reached later
    assert renewals.propose(people.officer, long_ago.id).id == renewal_of(long_ago).id  # by hand, it may


def test_a_facility_without_an_active_officer_is_not_proposed(deployed, people):
    facility = maturing_in(approved_case(people, 1), 30)
    people.officer.active = False
    db.session.commit()
    assert renewals.propose_due() == []
    assert renewal_of(facility) is None


def test_the_renewal_is_prefilled_from_the_customer_its_facility_and_its_statements(deployed, people):
    facility = maturing_in(approved_case(people, 1, limit=4_000_000, group_name="华东控股集团"), 60)
    renewal = renewal_of(facility) or db.session.get(ProcessInstance, renewals.propose_due()[0])
    view = tasks.open_task(people.officer, open_task(renewal.id, "application_intake").id)
    customer = facility.customer
    assert {
        k: view.data.get(k)
        for k in (
            "customer_name",
            "uscc",
            "industry",
            "size",
            "credit_record",
            "listed",
            "group_name",
            "requested_amount",
            "requested_term_months",
        )
    } == {
        "customer_name": customer.name,
        "uscc": customer.uscc,
        "industry": customer.industry,
        "size": customer.size,
        "credit_record": customer.credit_record,
        "listed": customer.listed,
        "group_name": "华东控股集团",
        "requested_amount": 4_000_000,
        "requested_term_months": 12,
    }
    assert facility.instance.reference in view.data["purpose"]
    assert renewal.customer_id == customer.id  # linked when it started
    intake = {
        k: view.data[k]
        for k in (
            "customer_name",
            "uscc",
            "industry",
            "size",
            "credit_record",
            "listed",
            "group_name",
            "requested_amount",
            "requested_term_months",
            "purpose",
        )
    }
    tasks.complete(people.officer, open_task(renewal.id, "application_intake").id, intake)
    statements = tasks.open_task(people.officer, open_task(renewal.id, "financial_statements").id)
    on_file = db.session.scalars(
        select(FinancialStatement.fiscal_year)
        .where(FinancialStatement.customer_id == customer.id)
        .order_by(FinancialStatement.fiscal_year.desc())
    ).all()
    assert [s["fiscal_year"] for s in statements.data["statements"]] == list(on_file)[:3]
    stored = db.session.scalar(
        select(FinancialStatement).where(
            FinancialStatement.customer_id == customer.id, FinancialStatement.fiscal_year == on_file[0]
        )
    )
    assert statements.data["statements"][0]["total_assets"] == stored.items["total_assets"]


def drive_to_approval(people, renewal: ProcessInstance, **review_overrides) -> None:
    view = tasks.open_task(people.officer, open_task(renewal.id, "application_intake").id)
    tasks.complete(
        people.officer,
        open_task(renewal.id, "application_intake").id,
        {
            k: v
            for k, v in view.data.items()
            if k
            in (
                "customer_name",
                "uscc",
                "industry",
                "size",
                "credit_record",
                "listed",
                "group_name",
                "requested_amount",
                "requested_term_months",
                "purpose",
            )
        },
    )
    offered = tasks.open_task(people.officer, open_task(renewal.id, "financial_statements").id).data[
        "statements"
    ]
    tasks.complete(people.officer, open_task(renewal.id, "financial_statements").id, {"statements": offered})
    db.session.refresh(renewal)
    tasks.complete(
        people.officer, open_task(renewal.id, "review_proposal").id, review(renewal, **review_overrides)
    )


def test_an_approved_renewal_replaces_the_facility_it_renews(deployed, people):
    old = maturing_in(approved_case(people, 1, limit=4_000_000), 45)
    renewal = renewals.propose(people.officer, old.id)
    drive_to_approval(people, renewal)
    # measured without the facility it replaces: a renewal is no new exposure on top of it
    assert exposure_of(renewal, renewal.summary, 4_000_000).customer_existing == Decimal(0)
    signoff = open_task(renewal.id, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level, people.approver3)
    tasks.complete(approver, signoff.id, {"decision": "approve"})
    assert facility_of(old).status == "active"  # not before compliance signs off
    compliance_sign_off(renewal, people.compliance)
    new, old = facility_of(renewal), facility_of(old.instance)
    assert new.status == "active" and new.renews_facility_id == old.id and new.renews.id == old.id
    assert new.start_on == local_today() and new.matures_on == add_months(local_today(), 12)
    assert old.status == "renewed" and old.renewal_case_id == renewal.id
    change = db.session.scalar(select(FacilityChange).where(FacilityChange.facility_id == old.id))
    assert change.action == "renewed" and change.after["renewed_by_facility"] == new.id
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "facility.renewed")).payload[
            "facility_id"
        ]
        == old.id
    )
    assert renewals.propose_due(today=old.matures_on) == []  # a renewed facility is no longer live


def test_a_rejected_or_withdrawn_renewal_leaves_the_facility_to_mature(deployed, people):
    old = maturing_in(approved_case(people, 1), 45)
    renewal = renewals.propose(people.officer, old.id)
    withdrawal.withdraw(people.officer, renewal.id, "客户暂不续授信。")
    facility = facility_of(old.instance)
    assert facility.status == "active" and facility.renewal_case_id == renewal.id
    assert renewals.propose_due() == []  # one renewal per facility, ever
    with pytest.raises(Conflict) as refused:
        renewals.propose(people.officer, old.id)
    assert renewal.reference in refused.value.message


def test_the_customers_officer_proposes_by_hand_and_nobody_else(deployed, people):
    facility = maturing_in(approved_case(people, 1), 200)  # long before the job would
    for other in (people.officer2, people.risk, people.approver1, people.admin, people.designer):
        with pytest.raises(NotAuthorized):
            renewals.propose(other, facility.id)
    with pytest.raises(NotFound):
        renewals.propose(people.officer, 10**6)
    renewal = renewals.propose(people.officer, facility.id)
    assert renewal_of(facility).id == renewal.id
    started = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.instance_id == renewal.id, AuditEvent.event_type == "instance.started"
        )
    )
    assert started.actor_id == people.officer.id
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.instance_id == renewal.id)
        )
        == 0
    )  # they did it themselves
    with pytest.raises(Conflict) as twice:
        renewals.propose(people.officer, facility.id)
    assert twice.value.details["case_id"] == renewal.id


def test_a_second_start_for_the_same_facility_is_rolled_back_whole(deployed, people):
    """Two proposals racing (the job and a person): the second case's start claims nothing and vanishes."""
    facility = maturing_in(approved_case(people, 1), 30)
    first = renewals.propose(people.officer, facility.id)
    cases_before = db.session.scalar(select(func.count()).select_from(ProcessInstance))
    with pytest.raises(Conflict):
        renewals._start(
            facility_of(facility.instance), people.officer, on_behalf=True
        )  # past the may_propose check
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == cases_before
    assert renewal_of(facility).id == first.id


def test_the_schedule_leaves_a_frozen_facility_to_its_officer_and_an_exited_one_alone(deployed, people):
    frozen = maturing_in(approved_case(people, 1), 10)
    exited = maturing_in(approved_case(people, 2), 10)
    active = maturing_in(approved_case(people, 3), 10)
    frozen.status, exited.status = "frozen", "exited"
    db.session.commit()
    [proposed] = renewals.propose_due()
    assert renewal_of(active).id == proposed and renewal_of(frozen) is None and renewal_of(exited) is None
    assert renewals.propose(people.officer, frozen.id).id == renewal_of(frozen).id
    with pytest.raises(Conflict):
        renewals.propose(people.officer, exited.id)


def test_renewing_a_frozen_facility_never_lifts_the_freeze(deployed, people):
    old = maturing_in(approved_case(people, 1, limit=4_000_000), 45)
    renewal = renewals.propose(people.officer, old.id)
    old.status, old.risk_controls = "frozen", "冻结额度，停止提款"  # a risk control freezes it meanwhile
    db.session.commit()
    drive_to_approval(people, renewal)
    signoff = open_task(renewal.id, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level, people.approver3)
    tasks.complete(approver, signoff.id, {"decision": "approve"})
    compliance_sign_off(renewal, people.compliance)
    new, old = facility_of(renewal), facility_of(old.instance)
    assert old.status == "renewed" and new.status == "frozen"
    assert new.risk_controls.startswith("冻结额度，停止提款")


def test_the_job_is_registered_in_the_beat_schedule(app):
    entry = app.extensions["celery"].conf.beat_schedule["propose-renewals"]
    assert entry["task"] == "app.jobs.customers.propose_renewals"
    assert entry["schedule"] == float(app.config["RENEWAL_CHECK_SECONDS"])
    assert "app.jobs.customers.propose_renewals" in app.extensions["celery"].tasks


def test_a_renewals_intake_cannot_move_it_to_another_customer(deployed, people):
    facility = maturing_in(approved_case(people, 1), 30)
    renewal = renewals.propose(people.officer, facility.id)
    task = open_task(renewal.id, "application_intake")
    data = {
        k: v
        for k, v in tasks.open_task(people.officer, task.id).data.items()
        if k
        in (
            "customer_name",
            "industry",
            "size",
            "credit_record",
            "listed",
            "requested_amount",
            "requested_term_months",
            "purpose",
        )
    }
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(people.officer, task.id, {**data, "uscc": demo_uscc(2)})
    assert facility.customer.uscc in refused.value.errors["uscc"]
    assert open_task(renewal.id, "application_intake").id == task.id  # nothing moved
    tasks.complete(people.officer, task.id, {**data, "uscc": facility.customer.uscc})


def test_a_renewal_that_cannot_start_is_recorded_once_per_reason_and_the_others_go_on(
    deployed, people, monkeypatch
):
    broken = maturing_in(approved_case(people, 1), 20)
    fine = maturing_in(approved_case(people, 2), 40)
    start_case = renewals.cases.start_case
    reason = {"text": "disk full"}

    def start_or_fail(officer, process, data, **kw):
        if kw["carried"]["renews_facility_id"] == broken.id:
            raise RuntimeError(reason["text"])
        return start_case(officer, process, data, **kw)

    monkeypatch.setattr(renewals.cases, "start_case", start_or_fail)

    def failures():
        return db.session.scalars(
            select(AuditEvent.payload)
            .where(AuditEvent.event_type == "facility.renewal_failed")
            .order_by(AuditEvent.id)
        ).all()

    assert len(renewals.propose_due()) == 1  # the other facility is proposed all the same
    assert renewal_of(fine) is not None and renewal_of(broken) is None
    assert failures() == [{"facility_id": broken.id, "reason": "RuntimeError: disk full"}]
    renewals.propose_due()  # the hourly job fails the same way again: not a row every hour
    renewals.propose_due()
    assert len(failures()) == 1
    reason["text"] = "permission denied"  # a new reason is news
    renewals.propose_due()
    assert [f["reason"] for f in failures()] == ["RuntimeError: disk full", "RuntimeError: permission denied"]
    monkeypatch.setattr(renewals.cases, "start_case", start_case)
    assert renewals.propose_due() and renewal_of(broken) is not None
