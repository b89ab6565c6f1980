"""A small book for the KPI tests, stored row by row with chosen times (no engine: the figures read projections):
applications opened by two officers of two branches, each with its steps, a sign-off at level 1 or 2 by the
approver of that level (some late, some escalated by their timer, some returned), a decision (approved or
rejected), and on the customers grade and class changes (downgrades, one new NPL) and warnings.

``Book`` keeps what was stored as plain Python lists, so a test computes each figure again by hand."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Customer,
    EarlyWarning,
    Facility,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    RatingChange,
)
from app.models.base import utcnow
from tests.factories import demo_uscc


@dataclass
class Book:
    now: datetime
    cases: list[dict] = field(default_factory=list)  # id, officer, started_at, decided_at, approved, route
    tasks: list[dict] = field(
        default_factory=list
    )  # instance, spec, state, created, completed, due, by, decision
    changes: list[dict] = field(default_factory=list)  # customer, officer, downgrade, npl_case
    warnings: list[dict] = field(default_factory=list)  # customer, officer


def build(people: SimpleNamespace, count: int = 24, seed: int = 16) -> Book:
    """``count`` applications over the last 50 days, officer in Shanghai and officer2 in Beijing (approver1 in
    Shanghai): see the module."""
    people.officer.branch, people.approver1.branch = "shanghai", "shanghai"
    people.officer2.branch = "beijing"
    db.session.commit()
    rng = random.Random(seed)
    now = utcnow()
    book = Book(now)
    definition = db.session.scalar(select(ProcessDefinition.id).order_by(ProcessDefinition.id).limit(1))
    for n in range(count):
        officer = people.officer if n % 3 else people.officer2
        customer = Customer(
            name=f"客户{n:03d}有限公司",
            uscc=demo_uscc(200 + n),
            industry="manufacturing",
            size="medium",
            credit_record="clean",
            officer_id=officer.id,
            segment="sme" if n % 2 else "mid_corporate",
        )
        db.session.add(customer)
        db.session.flush()
        started = now - timedelta(days=rng.uniform(20, 50))
        route = "committee" if n % 5 == 0 else "single"
        decided = n % 4 != 3  # a quarter still running
        case = ProcessInstance(
            reference=f"CA-KPI-{n:04d}",
            definition_id=definition,
            process_id="credit_application",
            customer_id=customer.id,
            status="completed" if decided else "running",
            current_step=None if decided else "Sign off / 审批",
            summary={"approval_route": route},
            state="{}",
            serializer_version="test",
            started_by_id=officer.id,
            started_at=started,
        )
        db.session.add(case)
        db.session.flush()
        at = started
        for spec in ("application_intake", "review_proposal"):
            took = timedelta(days=rng.uniform(0.2, 3) * (2 if officer is people.officer2 else 1))
            _task(book, case, spec, at, at + took, officer.id, None, None)
            at += took
        level = 1 if n % 2 else 2
        approver = people.approver1 if level == 1 else people.approver2
        if n % 6 == 1:  # escalated: its timer fired two days on, it went to the next sign-off
            _task(
                book,
                case,
                "approval_signoff",
                at,
                at + timedelta(days=2),
                None,
                None,
                level,
                due=2,
                approver=approver,
            )
            at += timedelta(days=2)
        if n % 7 == 2:  # returned for revision first
            took = timedelta(days=rng.uniform(0.1, 1.5))
            _task(book, case, "approval_signoff", at, at + took, approver.id, "return", level, due=2)
            at += took
        if not decided:
            _task(book, case, "approval_signoff", at, None, None, None, level, due=2)
            book.cases.append(
                {"id": case.id, "officer": officer.id, "customer": customer.id, "decided_at": None}
            )
            continue
        took = timedelta(days=rng.uniform(0.1, 3.5))
        _task(book, case, "approval_signoff", at, at + took, approver.id, "approve", level, due=2)
        at += took
        approved = n % 8 != 0
        db.session.add(
            Facility(
                customer_id=customer.id,
                instance_id=case.id,
                status="active" if approved else "rejected",
                limit_amount=Decimal(1_000_000 + n),
                decided_by_id=approver.id,
                decided_at=at,
            )
        )
        book.cases.append(
            {
                "id": case.id,
                "officer": officer.id,
                "customer": customer.id,
                "started_at": started,
                "decided_at": at,
                "approved": approved,
                "route": route,
                "approver": approver.id,
            }
        )
    _quality(book, rng)
    db.session.commit()
    return book


def _task(book, case, spec, created, completed, by, decision, level, due=None, approver=None) -> None:
    state = "ready" if completed is None else ("cancelled" if by is None else "completed")
    row = HumanTask(
        instance_id=case.id,
        task_uuid=f"{case.id}-{len(book.tasks)}",
        task_spec=spec,
        name=f"{spec} / 步骤",
        lane="approver" if spec == "approval_signoff" else "officer",
        state=state,
        required_level=level,
        assignee_id=approver.id if approver is not None else by,
        created_at=created,
        completed_at=completed,
        due_at=created + timedelta(days=due) if due else None,
        completed_by_id=by,
        submitted={"decision": decision} if decision else None,
    )
    db.session.add(row)
    book.tasks.append(
        {
            "instance": case.id,
            "officer": case.started_by_id,
            "spec": spec,
            "state": state,
            "created": created,
            "completed": completed,
            "due": row.due_at,
            "person": by if by is not None else row.assignee_id,
            "decision": decision,
            "level": level,
        }
    )


def _quality(book: Book, rng: random.Random) -> None:
    """Downgrades on a few customers, one into 次级 (a new NPL of an approved case), warnings on others."""
    approved = [c for c in book.cases if c.get("approved")]
    for i, case in enumerate(approved[:4]):
        npl = i == 0
        db.session.add(
            RatingChange(
                customer_id=case["customer"],
                reason="review",
                grade_before="A",
                grade_after="BBB" if i < 3 else "A",
                class_before="normal",
                class_after="substandard" if npl else "normal",
                changed_at=book.now - timedelta(days=1),
            )
        )
        book.changes.append(
            {"officer": case["officer"], "downgrade": i < 3, "npl_case": case["id"] if npl else None}
        )
    for case in book.cases[::5]:
        db.session.add(
            EarlyWarning(
                customer_id=case["customer"],
                code="kpi_test",
                name="Test / 测试",
                severity="medium",
                rule_id="r1",
                rules_hash="x",
                detected_at=book.now - timedelta(days=rng.uniform(1, 10)),
            )
        )
        book.warnings.append({"officer": case["officer"]})
