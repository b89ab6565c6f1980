"""One seeding for the route × role probe and the API fuzz run: a user of each role, cases at several steps,
and one of each object a route names by id, all through the services (so every check is the real one)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from app.extensions import db
from app.models import DecisionLog, HumanTask, Notification, Timer
from app.services import deployment_requests, documents, imports, portfolio_checks, users
from tests import factories

# The user who stands for each role (factories.PEOPLE); None is the anonymous visitor.
ROLE_USERS = {"officer": "officer", "approver": "approver1", "risk_manager": "risk", "compliance": "compliance",
              "designer": "designer", "admin": "admin"}
ROLES = (*ROLE_USERS, None)


def seed() -> SimpleNamespace:
    """Deploy, people, and the objects routes name; returns the ids by the name of the route parameter."""
    factories.deploy()
    people = factories.people()
    spare, _ = users.create_user("spare_officer", "officer", factories.PASSWORD)
    at_approval = factories.case_routed("single", people.officer)
    at_intake = factories.case_at("intake", people.officer)
    sign_off = factories.open_task(at_approval.id, "single_approval") if _has(at_approval, "single_approval") \
        else db.session.scalar(select(HumanTask).where(HumanTask.instance_id == at_approval.id,
                                                       HumanTask.state == "ready"))
    intake_task = factories.open_task(at_intake.id, "application_intake")
    log = db.session.scalar(select(DecisionLog).where(DecisionLog.instance_id == at_approval.id))
    notification = db.session.scalar(select(Notification).order_by(Notification.id))
    timer = db.session.scalar(select(Timer).order_by(Timer.id))
    job = imports.upload(people.risk, "seed.csv", b"uscc,observed_on\n")
    check, _new = portfolio_checks.request(people.risk)
    to_withdraw = factories.case_at("intake", people.officer)
    memo = documents.document(people.officer, at_approval.id, "credit_memo", "en")
    asked = deployment_requests.request(people.designer, "a request the probe reads")
    return SimpleNamespace(
        people=people, spare=spare, case=at_approval, intake_case=at_intake, sign_off=sign_off,
        intake_task=intake_task, ids={
            "case_id": at_approval.id, "customer_id": at_approval.customer_id, "log_id": log.id,
            "task_id": intake_task.id, "notification_id": notification.id if notification else 1,
            "timer_id": timer.id if timer else 1, "user_id": spare.id, "import_id": job.id, "check_id": check.id, "sign_off_id": sign_off.id,
            "document_id": memo.id, "request_id": asked.id, "withdrawn_case_id": to_withdraw.id,
        })


def _has(instance, spec: str) -> bool:
    return db.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance.id,
                                                        HumanTask.task_spec == spec,
                                                        HumanTask.state == "ready")) is not None
