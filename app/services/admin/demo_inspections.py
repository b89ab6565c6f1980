"""Demo post-loan inspections (贷后检查): the schedule planned for every customer with a live facility, and four of
them taken to the states people look for —

- one **signed off with findings** (funds partly diverted to a related firm: high; stock piling up: medium), whose
  serious finding raised an early warning for its customer (the warning rules run for it at once), and the
  customer's next one **due soon**: opened today, due in ten days, waiting for its officer's visit;
- one **overdue**: due five days ago and not recorded, escalated to the managers, still on its officer's list;
- one **awaiting the manager's sign-off** in the approvers' inbox.

The plan, the openings, the records and the sign-off go through the services (``planning``, ``tasks``,
``findings``) as the customers' officers and the Shanghai approver; only the demo's clock is moved, by dating a
planned inspection earlier, as the facilities' demo dates its facilities.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer, EarlyWarning, HumanTask, Inspection, User
from app.services.cases import tasks
from app.services.customers.inspections import planning
from app.services.monitoring import customer_checks

MANAGER = "approver"  # the Shanghai branch's approver signs the demo's visits off


def _record(**changes: Any) -> dict[str, Any]:
    """What an officer records after a visit (changes for each demo case)."""
    return {
        "visited_on": (local_today() - timedelta(days=3)).isoformat(),
        "visit_mode": "on_site",
        "people_met": "财务总监 陈建国",
        "operations": "主要生产线正常开工，订单排产至下季度；用工人数与上次检查相当。",
        "premises": "厂区及仓库正常使用，未见闲置或出租。",
        "use_of_funds": "抽查贷款发放后的银行流水、采购合同及增值税发票，资金支付对象为原材料供应商。",
        "funds_match_purpose": "matches",
        "collateral_seen": "seen",
        "collateral_state": "抵押厂房完好，仍由借款人自用，未出租、未被查封。",
        "guarantors_condition": "保证人经营正常，未发现涉诉或被执行信息。",
        "findings": [],
        "conclusion": "经营正常，资金用途与约定一致，维持现有检查频率。",
        **changes,
    }


SERIOUS = _record(
    funds_match_purpose="partly",
    use_of_funds="贷款发放后三日内，约 30% 资金转入关联企业账户，用途说明为“往来款”，未提供合同。",
    findings=[
        {
            "severity": "high",
            "area": "use_of_funds",
            "text": "部分贷款资金转入关联企业，涉嫌挪用，需限期说明并收回。",
        },
        {"severity": "medium", "area": "operations", "text": "成品库存较上次检查增加约四成，销售回款放缓。"},
    ],
    conclusion="资金用途部分不符，建议启动预警处置并加密检查。",
)
AWAITING = _record(
    findings=[{"severity": "low", "area": "premises", "text": "二号仓库消防通道堆放杂物，已提醒整改。"}],
)


def load() -> Iterator[str]:
    if db.session.scalar(select(Inspection.id).where(Inspection.instance_id.is_not(None)).limit(1)):
        return  # loaded before
    today = local_today()
    planned = planning.plan(today)
    yield f"{planned} post-loan inspections planned"
    rows = list(
        db.session.scalars(
            select(Inspection)
            .join(Customer, Customer.id == Inspection.customer_id)
            .join(User, User.id == Customer.officer_id)
            .where(Inspection.status == "planned", User.active.is_(True))
            .order_by(Customer.id)
        )
    )
    if len(rows) < 3:
        yield "too few customers with a live facility for the demo's inspections"
        return
    signed, overdue, awaiting = rows[:3]
    manager = db.session.scalar(select(User).where(User.username == MANAGER))
    case = _open(signed, today - timedelta(days=12), today + timedelta(days=3))
    _complete(case.id, "record_visit", SERIOUS)
    sign_off = {"signoff_decision": "sign_off", "signoff_comment": "同意，转预警处置。"}
    _complete(case.id, "sign_off_inspection", sign_off, manager)
    customer_checks.check(signed.customer_id, manager.id if manager else None)  # the job's work, at once
    warned = db.session.scalars(
        select(EarlyWarning.code).where(
            EarlyWarning.customer_id == signed.customer_id, EarlyWarning.code.startswith("inspection_finding")
        )
    ).all()
    yield f"inspection {case.reference} signed off with a high finding (warning: {', '.join(warned) or 'none'})"
    following = db.session.scalar(
        select(Inspection).where(Inspection.customer_id == signed.customer_id, Inspection.status == "planned")
    )
    if following is not None:  # its next one (planned by the table), dated for the demo: due in ten days
        case = _open(following, today, today + timedelta(days=10))
        yield f"inspection {case.reference} due in 10 days"
    case = _open(overdue, today - timedelta(days=20), today - timedelta(days=5))
    yield f"inspection {case.reference} overdue by 5 days, escalated"
    case = _open(awaiting, today - timedelta(days=10), today + timedelta(days=5))
    _complete(case.id, "record_visit", AWAITING)
    yield f"inspection {case.reference} awaiting the manager's sign-off"


def _open(inspection: Inspection, opens, due):
    """The planned inspection dated as the demo needs, then opened by the schedule."""
    inspection.opens_on, inspection.due_on = opens, due
    db.session.commit()
    return planning.open_planned(inspection.id, None)


def _complete(case_id: int, spec: str, data: dict[str, Any], who: User | None = None) -> None:
    task = db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == case_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
        )
    )
    assert task is not None, f"no {spec} task in case {case_id}"
    user = who or db.session.get(User, task.assignee_id)
    assert user is not None
    earliest = (task.instance.summary or {}).get("earliest_visit_on")
    if "visited_on" in data and earliest and earliest > data["visited_on"]:  # a drawdown traced since
        data = {**data, "visited_on": earliest}
    tasks.complete(user, task.id, data)
