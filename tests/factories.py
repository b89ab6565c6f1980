"""Builders for test data, all through the services (so audit and projections are real)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import func, select, update

from app.extensions import db
from app.localtime import local_date, local_today
from app.models import (
    APPROVAL_COURSE,
    AuditEvent,
    Course,
    Customer,
    Facility,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    TrainingCompletion,
    User,
)
from app.risk.analysis import hand_set_rating
from app.services.admin import settings, users
from app.services.admin.demo import COMPLIANT, demo_uscc, statement
from app.services.approval import qualifications
from app.services.cases import cases, tasks
from app.services.customers.facilities.facility_terms import maturity
from app.services.design.deployment import deployment
from app.services.people.training import attendance, required

PASSWORD = "correct-horse-42"
BPMN_FIXTURES = Path(__file__).resolve().parent / "data" / "bpmn"
# Diagrams validation must refuse: (file, offending element id, word the reason must contain).
BAD_BPMN = [
    ("script_import_os.bpmn", "run_shell", "import"),
    ("script_dunder.bpmn", "climb_classes", "__class__"),
    ("script_open.bpmn", "read_secrets", "open"),
    ("condition_eval.bpmn", "flow_eval", "eval"),
    ("missing_form.bpmn", "ghost_form_task", "no_such_form.json"),
    ("missing_decision.bpmn", "ghost_decision_task", "no_such_decision"),
]
PEOPLE = [
    ("officer", "officer", None),
    ("officer2", "officer", None),
    ("approver1", "approver", 1),
    ("approver2", "approver", 2),
    ("approver3", "approver", 3),
    ("risk", "risk_manager", None),
    ("compliance", "compliance", None),
    ("designer", "designer", None),
    ("admin", "admin", None),
    # the credit committee (贷审会): two approvers and the chief risk officer, who holds the veto
    ("member1", "approver", 2, ("committee",)),
    ("member2", "approver", 3, ("committee",)),
    ("cro", "risk_manager", None, ("committee", "cro")),
]


# The directory of an engine step run without the database: the customer is new (no five-category class on file).
NEW_CUSTOMER = {
    "class_on_file": lambda uscc: None,
    "circle_on_file": lambda uscc: False,
    "concentration_over": lambda industry, amount: False,
    "model_rating": lambda uscc, analysis, facts: hand_set_rating(analysis),
}


# Tier-1 capital of a mid-sized bank (CNY 50 billion): the large-exposure limits are shares of it.
TIER1_CAPITAL = "50000000000"


def deploy():
    settings.set_amount(None, settings.TIER1_CAPITAL, TIER1_CAPITAL)
    return deployment.deploy_files()


def people() -> SimpleNamespace:
    created = {}
    for username, role, level, *groups in PEOPLE:
        user, _ = users.create_user(
            username, role, PASSWORD, authority_level=level, groups=groups[0] if groups else ()
        )
        if role == "approver" or "committee" in (groups[0] if groups else ()):
            qualifications.record(None, username, f"CQ-TEST-{username}", "2099-12-31")
        trained(user)
        created[username] = user
    return SimpleNamespace(**created)


def approval_passes():
    """The approval qualification's passes (审批资格) as a condition, for a test that takes them away."""
    return TrainingCompletion.course_id.in_(select(Course.id).where(Course.code == APPROVAL_COURSE))


def trained(user: User, until: date = date(2099, 12, 31)) -> None:
    """A pass valid until ``until`` of every course the required-training table asks of ``user``'s role (the
    approval qualification is recorded as an administrator records it, above)."""
    for req in required.of(user):
        if req.code != APPROVAL_COURSE:
            attendance.grant(None, user, req.code, date(2026, 1, 5), until)


def intake(index: int = 1, **overrides) -> dict:
    data = {
        "customer_name": "华东精密机械有限公司",
        "uscc": demo_uscc(index),
        "industry": "manufacturing",
        "size": "medium",
        "credit_record": "clean",
        "listed": False,
        "requested_amount": 5_000_000,
        "requested_term_months": 24,
        "purpose": "流动资金周转",
    }
    data.update(overrides)
    return data


def statements(health: float = 1.3, assets: float = 400_000_000) -> list[dict]:
    import random

    rng = random.Random(7)
    return [statement(2024, assets * 0.95, health, rng), statement(2025, assets, health, rng)]


class Snapshot(NamedTuple):
    """What a refused or failed step must leave exactly as it was."""

    tasks: int
    audit_rows: int
    version: int
    task_rows: list[tuple]


def snapshot(instance_id: int) -> Snapshot:
    db.session.expire_all()
    return Snapshot(
        db.session.scalar(select(func.count()).select_from(HumanTask)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.get(ProcessInstance, instance_id).version,
        [
            tuple(r)
            for r in db.session.execute(
                select(HumanTask.id, HumanTask.state, HumanTask.assignee_id).order_by(HumanTask.id)
            )
        ],
    )


def damage_state(instance_id: int) -> None:
    """Store a workflow state that cannot be read, as a damaged row would hold it: written behind the
    application's back (the application writes the row only with its version check)."""
    db.session.execute(
        update(ProcessInstance).where(ProcessInstance.id == instance_id).values(state='{"tasks": [1, 2')
    )
    db.session.commit()


def open_task(instance_id: int, spec: str) -> HumanTask:
    task = db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
        )
    )
    assert task is not None, f"no ready {spec} task in case {instance_id}"
    return task


def ready_tasks(instance_id: int, specs: tuple[str, ...]) -> list[HumanTask]:
    """The case's ready tasks of ``specs``, oldest first."""
    return list(
        db.session.scalars(
            select(HumanTask)
            .where(
                HumanTask.instance_id == instance_id,
                HumanTask.task_spec.in_(specs),
                HumanTask.state == "ready",
            )
            .order_by(HumanTask.id)
        )
    )


def case_at(stage: str, officer: User, **intake_overrides) -> ProcessInstance:
    """A credit application driven by ``officer`` up to ``stage``:
    intake | statements | review | approval."""
    instance = cases.start_case(officer, "credit_application")
    if stage == "intake":
        return instance
    tasks.complete(officer, open_task(instance.id, "application_intake").id, intake(**intake_overrides))
    if stage == "statements":
        return instance
    tasks.complete(officer, open_task(instance.id, "financial_statements").id, {"statements": statements()})
    if stage == "review":
        return instance
    tasks.complete(officer, open_task(instance.id, "review_proposal").id, review(instance))
    assert stage == "approval", stage
    return instance


# Cases that the approval authority table routes each way (grades from the statements' health).
ROUTES = {
    "single": dict(size="medium", health=1.3, requested_amount=5_000_000),  # A, CNY 5m: branch
    "sequential": dict(size="large", health=1.2, requested_amount=150_000_000),  # BBB, CNY 150m
    "committee": dict(size="large", health=1.3, requested_amount=300_000_000),  # A, CNY 300m
}


def case_routed(route: str, officer: User, index: int = 1) -> ProcessInstance:
    """A case at its first approval step on ``route`` (single | sequential | committee), for the ``index``-th
    customer of ``intake``."""
    shape = ROUTES[route]
    instance = cases.start_case(officer, "credit_application")
    tasks.complete(
        officer,
        open_task(instance.id, "application_intake").id,
        intake(index, size=shape["size"], requested_amount=shape["requested_amount"]),
    )
    tasks.complete(
        officer,
        open_task(instance.id, "financial_statements").id,
        {"statements": statements(health=shape["health"])},
    )
    tasks.complete(officer, open_task(instance.id, "review_proposal").id, review(instance))
    db.session.refresh(instance)
    assert instance.summary["approval_route"] == route, instance.summary
    return instance


def compliance_sign_off(instance: ProcessInstance, compliance: User, **overrides) -> None:
    """The compliance officer signs the approved case off (合规审查通过): the limit becomes active."""
    tasks.complete(compliance, open_task(instance.id, "compliance_checklist").id, {**COMPLIANT, **overrides})
    db.session.refresh(instance)


def review(instance: ProcessInstance, **overrides) -> dict:
    data = {
        "proposed_limit": instance.summary["proposed_limit"],
        "proposed_term_months": 12,
        "proposed_margin_pct": 1.2,
        "proposed_controls": "按季报送财务报表",
        "officer_opinion": "经营稳健，建议授信。",
    }
    data.update(overrides)
    return data


def approved_case(
    people: SimpleNamespace, index: int = 1, limit: int | None = None, **intake_overrides
) -> ProcessInstance:
    """A credit application for the ``index``-th customer of ``intake`` approved and signed off by compliance: an
    active facility (of ``limit``, else the proposal's), decided today."""
    case = cases.start_case(people.officer, "credit_application")
    tasks.complete(
        people.officer, open_task(case.id, "application_intake").id, intake(index, **intake_overrides)
    )
    tasks.complete(
        people.officer, open_task(case.id, "financial_statements").id, {"statements": statements()}
    )
    db.session.refresh(case)
    proposal = review(case, **({"proposed_limit": limit} if limit is not None else {}))
    tasks.complete(people.officer, open_task(case.id, "review_proposal").id, proposal)
    signoff = open_task(case.id, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level, people.approver3)
    tasks.complete(approver, signoff.id, {"decision": "approve"})
    compliance_sign_off(case, people.compliance)
    assert (case.status, case.outcome) == ("completed", "approved"), case.summary
    return case


def book_customer(officer: User | None, index: int, **values) -> Customer:
    """A customer of ``officer``'s book (the ``index``-th credit code), stored directly: its master data as
    given (grade, loan_class, industry, next_review_on…)."""
    customer = Customer(
        **{
            "name": f"客户{index:04d}有限公司",
            "uscc": demo_uscc(index),
            "industry": "manufacturing",
            "size": "medium",
            "credit_record": "clean",
            "officer_id": officer.id if officer else None,
            **values,
        }
    )
    db.session.add(customer)
    db.session.commit()
    return customer


def facility(
    customer: Customer,
    limit: int,
    *,
    status: str = "active",
    term_months: int | None = 12,
    decided_at: datetime | None = None,
) -> Facility:
    """A decided facility of ``customer`` (with the decided application it needs; a definition must be
    deployed)."""
    definition_id = db.session.scalar(select(ProcessDefinition.id).order_by(ProcessDefinition.id).limit(1))
    number = (db.session.scalar(select(func.count()).select_from(ProcessInstance)) or 0) + 1
    instance = ProcessInstance(
        reference=f"CA-TEST-{number:07d}",
        definition_id=definition_id,
        process_id="credit_application",
        customer_id=customer.id,
        status="completed",
        outcome="approved",
        state="{}",
        serializer_version="test",
    )
    db.session.add(instance)
    db.session.flush()
    start = local_date(decided_at) if decided_at else local_today()  # dated as a recorded facility is
    row = Facility(
        customer_id=customer.id,
        instance_id=instance.id,
        status=status,
        limit_amount=Decimal(limit),
        term_months=term_months,
        start_on=start,
        matures_on=maturity(start, term_months),
        **({"decided_at": decided_at} if decided_at else {}),
    )
    db.session.add(row)
    db.session.commit()
    return row


def shown(figure) -> list[list]:
    """What a page shows of a dashboard's figure: each row's (and the total's) cells by column, and its drill-down
    (what a precomputed page keeps of it)."""
    rows = [*figure.rows, *([figure.total] if figure.total else [])]
    return [[row.get(c.key) for c in figure.columns] + [row.get("drill")] for row in rows]
