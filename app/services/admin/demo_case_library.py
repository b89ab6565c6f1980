"""Demo case library (案例库): three customers with a live facility and no warning open, taken to the states people
look for —

- one **defaulted**: 120 days past due, its escalation freezes the facility and classifies it 次级 (the risk manager
  expects a 30% loss); the default starts its analysis, which the risk manager records (guarantee circle, funds
  diverted) and compliance approves into the library; its warnings were detected 45 days before the default (the
  demo's clock moved, as the inspections' demo dates a planned visit earlier), so the timeline and the rules'
  evidence show days ahead;
- one **success case**: negative news confirmed and watched by its officer, closed; a risk manager files it as a
  success (the warning handled well), approved;
- one **open** analysis a risk manager started by hand, waiting on their task list.

Everything goes through the services (observations, the portfolio check, tasks, the case library's start) as the
demo's people; only the warnings' detection time is moved.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select, update

from app.extensions import db
from app.localtime import local_today
from app.models import (
    CaseAnalysis,
    Customer,
    EarlyWarning,
    Facility,
    HumanTask,
    ProcessInstance,
    RatingChange,
    User,
)
from app.models.base import utcnow
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.admin import demo_training
from app.services.analytics.case_library import start
from app.services.analytics.case_library.causes import DEFAULT_CLASSES
from app.services.cases import tasks
from app.services.monitoring import observations, portfolio

DAYS_AHEAD = 45
DEFAULTED: dict[str, Any] = {
    "title": "担保圈成员相继出险，贷款资金被挪用于关联企业",
    "root_causes": ["guarantee_circle", "use_of_funds", "over_lending"],
    "missed_signals": "出险前一个半月已出现逾期及额度使用率持续高位；首次贷后检查发现部分资金转入关联企业，未及时处置。",
    "lessons": "资金用途不符应在首次检查后立即启动预警并要求收回；担保圈成员授信应合并测算。",
    "recommendation": "将“资金用途不符”设为重大预警；担保圈成员的额度使用率预警阈值由 95% 下调至 85%。",
    "tags": "担保圈，挪用，民营",
    "case_outcome": "loss",
}
SUCCESS: dict[str, Any] = {
    "title": "负面舆情及时核实并加强监测，风险未进一步扩散",
    "root_causes": ["management"],
    "missed_signals": "无遗漏：舆情次日即被捕捉，客户经理当周完成核实。",
    "lessons": "舆情类预警应在 3 个工作日内完成现场核实，并与客户实际控制人面谈。",
    "recommendation": "维持现行舆情预警规则；核实结论纳入下次定期检查。",
    "tags": "舆情，成功处置",
    "case_outcome": "recovered",
}
APPROVE = {"review_decision": "approve", "review_comment": "分析充分，同意收入案例库。"}


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    assert user is not None, username  # the demo makes its users first
    return user


def _ready(instance_id: int, spec: str) -> HumanTask | None:
    return db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
        )
    )


def _free_customers() -> list[Customer]:
    """Customers with a live facility and no warning open (their own story, not another demo part's)."""
    return list(
        db.session.scalars(
            select(Customer)
            .where(
                exists().where(
                    Facility.customer_id == Customer.id, Facility.status.in_(LIVE_FACILITY_STATUSES)
                ),
                ~exists().where(EarlyWarning.customer_id == Customer.id, EarlyWarning.status == "open"),
                Customer.officer_id.is_not(None),
            )
            .order_by(Customer.id.desc())
            .limit(3)
        )
    )


def _escalate(customer: Customer, figures: dict[str, Any], days_ago: int) -> ProcessInstance | None:
    """The figures observed ``days_ago`` (the monitoring demo observed every watched customer today: each
    figure's latest value counts, so an earlier row of other figures is still read), then the check run."""
    on = local_today() - timedelta(days=days_ago)
    observations.record(
        _user("risk"), {"uscc": customer.uscc, "observed_on": on.isoformat(), **figures}, "import"
    )
    started = portfolio.scan(_user("risk"), customer_ids=[customer.id]).started
    return db.session.get(ProcessInstance, started[0]) if started else None


def _analyse(case_id: int, record: dict[str, Any]) -> None:
    task = _ready(case_id, "record_analysis")
    if task is not None:
        tasks.complete(_user("risk"), task.id, record)
    review = _ready(case_id, "review_analysis")
    if review is not None:
        tasks.complete(_user("compliance"), review.id, APPROVE)


def _defaulted(customer: Customer) -> str | None:
    escalation = _escalate(customer, {"days_past_due": 120, "overdue_interest": 86000}, 1)
    if escalation is None:
        return None
    db.session.execute(  # the demo's clock: the warnings fired some weeks before the default
        update(EarlyWarning)
        .where(EarlyWarning.instance_id == escalation.id)
        .values(detected_at=utcnow() - timedelta(days=DAYS_AHEAD))
    )
    db.session.commit()
    investigate = _ready(escalation.id, "investigate_warning")
    if investigate is None:
        return None
    tasks.complete(
        investigate.assignee or _user("officer"),
        investigate.id,
        {"assessment": "confirmed", "findings": "企业停产，实际控制人失联，担保方亦出现逾期。"},
    )
    review = _ready(escalation.id, "risk_review")
    if review is None:
        return None
    tasks.complete(
        _user("risk"),
        review.id,
        {"action": "freeze", "expected_loss_pct": 30, "review_comment": "冻结额度，启动清收。"},
    )
    approval = _ready(escalation.id, "approve_control")
    if approval is not None:
        approver = {1: "approver", 2: "approver2"}.get(approval.required_level or 3, "cco")
        tasks.complete(
            _user(approver), approval.id, {"control_decision": "approve", "control_comment": "同意"}
        )
    change_id = db.session.scalar(
        select(RatingChange.id).where(
            RatingChange.instance_id == escalation.id, RatingChange.class_after.in_(DEFAULT_CLASSES)
        )
    )
    if change_id is None:
        return None
    start.start_for_event("default", f"rating_change:{change_id}")  # the job's work, if it has not run yet
    analysis = db.session.scalar(
        select(CaseAnalysis).where(CaseAnalysis.trigger_ref == f"rating_change:{change_id}")
    )
    if analysis is None or analysis.instance_id is None:
        return None
    _analyse(analysis.instance_id, DEFAULTED)
    return customer.name


def _success(customer: Customer) -> str | None:
    escalation = _escalate(customer, {"negative_news": True, "news_note": "媒体报道企业环保处罚"}, 2)
    if escalation is None:
        return None
    investigate = _ready(escalation.id, "investigate_warning")
    if investigate is None:
        return None
    tasks.complete(
        investigate.assignee or _user("officer"),
        investigate.id,
        {"assessment": "confirmed", "findings": "处罚属实，企业已完成整改并缴纳罚款。"},
    )
    warning = db.session.scalar(
        select(EarlyWarning).where(EarlyWarning.instance_id == escalation.id, EarlyWarning.status == "closed")
    )
    if warning is None:
        return None
    case = start.start_by_hand(_user("risk"), customer.id, {"warning_id": warning.id})
    _analyse(case.id, SUCCESS)
    return customer.name


def load() -> Iterator[str]:
    if db.session.scalar(select(CaseAnalysis.id).limit(1)):
        return  # loaded before
    free = _free_customers()
    if len(free) < 2:
        yield "case library: no customer free for its demo"
        return
    defaulted = _defaulted(free[0])
    yield f"case library: {defaulted or 'no'} default analysed and approved"
    entry = db.session.scalar(
        select(CaseAnalysis)
        .where(CaseAnalysis.trigger_kind == "default", CaseAnalysis.status == "approved")
        .order_by(CaseAnalysis.id)
        .limit(1)
    )
    if entry is not None:  # the officers learn from it: 王晓明 has it to read
        yield demo_training.assign_reading(entry.id, entry.title or DEFAULTED["title"])
    success = _success(free[1])
    yield f"case library: {success or 'no'} success case approved"
    waiting = free[2] if len(free) > 2 else free[1]
    case = start.start_by_hand(_user("risk"), waiting.id, {"kind": "manual"})
    yield f"case library: analysis {case.reference} of {waiting.name} waiting for its analyst"
