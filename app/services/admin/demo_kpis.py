"""Demo data for the KPIs (绩效考核): the demo's cases were all worked within seconds of each other, so every
turnaround was zero and every officer alike. Here ``officer3`` opens a few applications of their own (driven
through the real services by the demo's ``drive``), then the credit applications' human tasks are spread back in
time as a bank's would be: each step took its usual days, scaled by the pace of whoever did it (quick, average,
slow), so turnaround, days per step and sign-offs within the SLA differ between officers and approvers.

Only the projections' dates move (a task's ready, due and done times; the case's start and end) — each case keeps
its steps in order and ends at its decision's recorded time; the workflows and the audit trail are untouched.
Last, the KPI pages and the portfolio dashboard of the default period are precomputed, as their beat jobs keep them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import Facility, HumanTask, ProcessInstance, User
from app.models.base import utcnow
from app.services.analytics.kpis import kpi_refresh
from app.services.analytics.portfolio_dashboard import portfolio_summary

# Days each step usually takes, and how fast each demo user is against that (1.0: as usual).
STEP_DAYS = {
    "application_intake": 1.0,
    "financial_statements": 3.0,
    "review_proposal": 2.0,
    "approval_signoff": 1.0,
    "committee_vote": 2.0,
    "compliance_checklist": 1.0,
}
PACE = {"officer": 1.0, "officer2": 2.2, "officer3": 0.6, "approver": 0.4, "approver2": 2.5, "cco": 1.0}
OFFICER3_STAGES = ("approved", "approved", "committee_approved", "returned", "rejected", "review")
SAME_STEP = timedelta(
    seconds=1
)  # tasks opened within this of each other were opened by one step (in parallel)


def load(drive: Callable[[int, str], None], first_index: int, seed: int = 20261206) -> Iterator[str]:
    """``drive(index, stage)`` opens one demo application as officer3 and takes it to ``stage``."""
    for offset, stage in enumerate(OFFICER3_STAGES):
        drive(first_index + offset, stage)
    yield f"{len(OFFICER3_STAGES)} applications opened by officer3"
    rng = random.Random(seed)
    pace = {u.id: PACE.get(u.username, 1.0) for u in db.session.scalars(select(User))}
    cases = db.session.scalars(
        select(ProcessInstance)
        # the demo's own applications: a former customer's past one (demo_scoring_history) keeps its dates
        .where(ProcessInstance.process_id == "credit_application", ProcessInstance.started_by_id.is_not(None))
        .order_by(ProcessInstance.id)
    ).all()
    decided = {i: at for i, at in db.session.execute(select(Facility.instance_id, Facility.decided_at))}
    now = utcnow()
    for case in cases:
        _spread(case, decided.get(case.id) or now - timedelta(hours=rng.uniform(1, 48)), pace, rng)
    db.session.commit()
    yield f"{len(cases)} applications' steps spread over the days they would take (KPIs differ by person)"
    # the demo's last step: both dashboards' default period kept as beat keeps it (hourly, its first run an hour
    # after the worker starts), so they open at once
    yield f"dashboards precomputed: {portfolio_summary.refresh()} portfolio and {kpi_refresh.refresh()} KPI pages"


def _spread(case: ProcessInstance, end: datetime, pace: dict[int, float], rng: random.Random) -> None:
    """Lay the case's tasks back from ``end``, group by group (a step's parallel tasks share their start)."""
    rows = db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == case.id).order_by(HumanTask.created_at, HumanTask.id)
    ).all()
    groups: list[list[HumanTask]] = []
    for task in rows:
        if groups and task.created_at - groups[-1][0].created_at < SAME_STEP:
            groups[-1].append(task)
        else:
            groups.append([task])
    cursor = end
    for group in reversed(groups):
        spans = []
        for task in group:
            who = task.completed_by_id or task.assignee_id or case.started_by_id
            spans.append(STEP_DAYS.get(task.task_spec, 1.0) * pace.get(who or 0, 1.0) * rng.uniform(0.6, 1.4))
        opened = cursor - timedelta(days=max(spans))
        for task, span in zip(group, spans, strict=True):
            due, warn = task.due_at, task.warn_at
            if due is not None:
                task.due_at = opened + (due - task.created_at)
            if warn is not None:
                task.warn_at = opened + (warn - task.created_at)
            if task.completed_at is not None:
                task.completed_at = opened + timedelta(days=span)
            task.created_at = opened
        cursor = opened - timedelta(hours=rng.uniform(0.5, 6))
    db.session.flush()
    # the case's own dates, by a plain UPDATE: its state and version are not touched (no step is taken)
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == case.id)
        .values(
            started_at=cursor,
            completed_at=end if case.completed_at is not None else None,
        )
    )
