"""The exceptions dashboard (例外事项): what an auditor looks at first — rating overrides, sign-offs above
the level the authority table asked (escalations), returned and resubmitted cases, SLA breaches,
delegations and reassignments, the same person signing twice in one chain, and four-eyes near misses
(someone who investigated a case tried to approve it and was refused). Each list is read from the
projections and the audit log; compliance staff only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance, User
from app.services.audit_search import check_auditor
from app.services.projections import APPROVAL_LANES

LIMIT = 100


@dataclass(frozen=True)
class Finding:
    instance: ProcessInstance | None
    who: str | None
    when: object
    detail: str


def _cases(ids) -> dict[int, ProcessInstance]:
    ids = list(ids)
    return {i.id: i for i in db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))} if ids else {}


def _from_events(event_types: tuple[str, ...], detail) -> list[Finding]:
    rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.event_type.in_(event_types))
                                   .order_by(AuditEvent.id.desc()).limit(LIMIT)))
    cases = _cases({r.instance_id for r in rows if r.instance_id})
    return [Finding(cases.get(r.instance_id), r.actor_name, r.occurred_at, detail(r)) for r in rows]


def overrides() -> list[Finding]:
    rows = db.session.scalars(select(ProcessInstance).where(ProcessInstance.summary["rating_override"].as_string()
                                                            .is_not(None)).order_by(ProcessInstance.id.desc())
                              .limit(LIMIT))
    found = []
    for case in rows:
        o = (case.summary or {}).get("rating_override")
        if isinstance(o, dict):
            found.append(Finding(case, None, case.updated_at, f"{o.get('model_grade')} → {o.get('grade')}: {o.get('reason')}"))
    return found


def escalations() -> list[Finding]:
    """Sign-offs moved above the table's level because they were overdue."""
    return _from_events(("engine.timer_fired",), lambda r: r.payload.get("element") or "")


def returned() -> list[Finding]:
    """Cases whose proposal was reviewed more than once (returned by an approver or compliance)."""
    rows = db.session.execute(select(HumanTask.instance_id, func.count()).where(
        HumanTask.task_spec == "review_proposal", HumanTask.state == "completed")
        .group_by(HumanTask.instance_id).having(func.count() > 1).order_by(HumanTask.instance_id.desc())
        .limit(LIMIT)).all()
    cases = _cases(r[0] for r in rows)
    return [Finding(cases.get(i), None, cases[i].updated_at if i in cases else None, str(n)) for i, n in rows]


def delegations() -> list[Finding]:
    return _from_events(("task.delegated", "task.reassigned"),
                        lambda r: f"{r.payload.get('from') or '—'} → {r.payload.get('to')} ({r.payload.get('task')})")


def signed_twice() -> list[Finding]:
    """One person completing two or more sign-offs or votes of the same case."""
    rows = db.session.execute(select(HumanTask.instance_id, User.username, func.count()).join(
        User, User.id == HumanTask.completed_by_id).where(HumanTask.lane.in_(APPROVAL_LANES),
                                                           HumanTask.state == "completed")
        .group_by(HumanTask.instance_id, User.username).having(func.count() > 1)
        .order_by(HumanTask.instance_id.desc()).limit(LIMIT)).all()
    cases = _cases(r[0] for r in rows)
    return [Finding(cases.get(i), who, None, str(n)) for i, who, n in rows]


def near_misses() -> list[Finding]:
    """Someone who investigated a case tried to approve it (refused, 审贷分离)."""
    return _from_events(("task.refused",),
                        lambda r: f"{r.payload.get('task')}: segregation of duties / 审贷分离")


SECTIONS = (("overrides", overrides), ("escalations", escalations), ("returned", returned),
            ("delegations", delegations), ("signed_twice", signed_twice), ("near_misses", near_misses))


def dashboard(user: User) -> dict[str, list[Finding]]:
    check_auditor(user)
    return {name: read() for name, read in SECTIONS}
