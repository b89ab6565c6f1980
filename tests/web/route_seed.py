"""One seeding for the route × role probe and the API fuzz run: a user of each role, cases at several steps,
and one of each object a route names by id, all through the services (so every check is the real one)."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import CaseAnalysis, DecisionLog, EarlyWarning, Facility, HumanTask, Notification, Timer
from app.scoring import synthetic
from app.services.admin import users
from app.services.analytics.case_library import start as case_analyses
from app.services.analytics.stress import stress_runs, stress_scenarios
from app.services.attachments import attachments
from app.services.audit import documents
from app.services.customers.collateral import register as collateral_register
from app.services.customers.contacts import contact_log, contacts
from app.services.customers.guarantees import register
from app.services.customers.relationship import transfer
from app.services.design.deployment import deployment_requests
from app.services.monitoring import imports, observations, portfolio, portfolio_checks
from app.services.people.training import attendance, catalog, readings
from app.services.scoring import drift, training_runs, versions
from tests import factories, files

# The user who stands for each role (factories.PEOPLE); None is the anonymous visitor.
ROLE_USERS = {
    "officer": "officer",
    "approver": "approver1",
    "risk_manager": "risk",
    "compliance": "compliance",
    "designer": "designer",
    "admin": "admin",
}
ROLES = (*ROLE_USERS, None)


def seed() -> dict[str, int]:
    """Deploy, people, and the objects routes name; the ids by the name of the route parameter (and the
    sign-off task and the case to withdraw, which some routes take instead)."""
    factories.deploy()
    people = factories.people()
    spare, _ = users.create_user("spare_officer", "officer", factories.PASSWORD)  # the one the admin edits
    at_approval = factories.case_routed("single", people.officer)
    sign_off = db.session.scalar(
        select(HumanTask).where(HumanTask.instance_id == at_approval.id, HumanTask.state == "ready")
    )
    intake_task = factories.open_task(factories.case_at("intake", people.officer).id, "application_intake")
    to_withdraw = factories.case_at("intake", people.officer)
    log = db.session.scalar(select(DecisionLog).where(DecisionLog.instance_id == at_approval.id))
    notification = db.session.scalar(
        select(Notification).where(Notification.user_id == people.approver1.id).order_by(Notification.id)
    )
    timer = db.session.scalar(select(Timer).order_by(Timer.id))
    job = imports.upload(people.risk, "seed.csv", b"uscc,observed_on\n")
    check, _new = portfolio_checks.request(people.risk)
    memo = documents.document(people.officer, at_approval.id, "credit_memo", "en")
    asked = deployment_requests.request(people.designer, "a request the probe reads")
    customer_id = at_approval.customer_id
    facility = db.session.scalar(
        select(Facility).where(Facility.instance_id == factories.approved_case(people, 1).id)
    )  # the officer's customer's
    # a transfer away and back (客户移交): the customer's page shows its history; it stays the officer's
    transfer.transfer(people.risk, [customer_id], "officer2", "route probe: away")
    transfer.transfer(people.risk, [customer_id], "officer", "route probe: back")
    contact = contacts.add(
        people.officer,
        customer_id,
        {"name": "陈建国", "role": "financial_controller", "phone": "13812345678"},
    )
    entry = contact_log.add(
        people.officer,
        customer_id,
        {
            "contacted_on": local_today().isoformat(),
            "channel": "phone",
            "contact_id": contact.id,
            "summary": "询问季度报表",
            "follow_up_on": local_today().isoformat(),
        },
    )
    photo = attachments.attach_to_customer(
        people.officer,
        customer_id,
        attachments.Upload("site.png", "image/png", io.BytesIO(files.png())),
        {"kind": "photo", "title": "厂房照片"},
    )
    guarantor = factories.book_customer(people.officer2, 90)
    guarantee = register.record(
        people.officer,
        customer_id,
        {
            "guarantor_uscc": guarantor.uscc,
            "kind": "guarantee",
            "amount": "1000000",
            "signed_on": "2026-01-05",
        },
    )
    item = collateral_register.record(  # on the officer's customer; it secures no facility
        people.officer,
        customer_id,
        {
            "owner_name": "华东精密机械有限公司",
            "kind": "real_estate",
            "description": "浦东新区张江路 88 号厂房",
            "appraised_value": "20000000",
            "appraised_on": local_today().isoformat(),
            "appraiser": "上海东洲资产评估有限公司",
        },
    )
    # an open warning of the officer's customer (its escalation started), for an inspection started from it
    observations.record(
        people.officer,
        {"uscc": at_approval.customer.uscc, "observed_on": local_today().isoformat(), "days_past_due": "45"},
    )
    portfolio.scan(people.risk, customer_ids=[customer_id])
    warning = db.session.scalar(select(EarlyWarning).where(EarlyWarning.customer_id == customer_id))
    scenario = stress_scenarios.create(
        people.risk, {"name": "利率上行", "shocks": [{"industry": "*", "rate_bp": 300}]}
    )
    stress = stress_runs.request(people.risk, scenario.id)
    stress_runs.run(stress.id)
    # training (培训): a session of the AML course, and a case-library entry the officer is to read
    course = catalog.by_code("KYC_AML")
    session = attendance.create_session(
        people.risk,
        {"course_id": str(course.id), "held_on": "2026-01-05", "trainer": "王老师", "place": "总行"},
    )
    reading = readings.assign(
        people.risk, {"user_id": str(people.officer.id), "entry_ref": "7", "title": "案例"}
    )
    book = synthetic.book(600, seed=4).to_csv(index=False).encode()  # 模型管理: a version and a training
    model = versions.train_from_file("seed.csv", book, "defaulted", "1")
    training = training_runs.request(people.risk, "seed.csv", book, {"target": "defaulted", "bad": "1"})
    training_runs.run(training.id)  # here, whatever a worker does with its job (it finds it done)
    model_check = drift.check()  # 模型监测: last month's
    assert model_check is not None
    analysis = case_analyses.start_by_hand(people.risk, customer_id, {"kind": "manual"})  # 案例库: an entry
    return {
        "case_id": at_approval.id,
        "customer_id": at_approval.customer_id,
        "log_id": log.id,
        "task_id": intake_task.id,
        "notification_id": notification.id,
        "timer_id": timer.id if timer else 1,
        "user_id": spare.id,
        "import_id": job.id,
        "check_id": check.id,
        "document_id": memo.id,
        "request_id": asked.id,
        "sign_off_id": sign_off.id,
        "withdrawn_case_id": to_withdraw.id,
        "contact_id": contact.id,
        "entry_id": entry.id,
        "attachment_id": photo.id,
        "facility_id": facility.id,
        "guarantee_id": guarantee.id,
        "item_id": item.id,
        "warning_id": warning.id,
        "scenario_id": scenario.id,
        "run": stress.id,
        "model_id": model.id,
        "run_id": training.id,
        "drift_check_id": model_check.id,
        "course_id": course.id,
        "session_id": session.id,
        "assignment_id": reading.id,
        "analysis_id": db.session.scalar(
            select(CaseAnalysis.id).where(CaseAnalysis.instance_id == analysis.id)
        ),
    }
