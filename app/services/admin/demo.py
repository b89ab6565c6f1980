"""Demo data: users for every role, customers with two years of statements, cases in every state.

Everything goes through the same services a person uses, so the demo data carries a full
audit trail and decision log.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Facility, HumanTask, ProcessInstance, User
from app.risk.uscc import make_uscc, org_code_check_character
from app.services.admin import demo_customer_file, demo_kpis, demo_training, settings, users
from app.services.approval import qualifications
from app.services.cases import cases, tasks, withdrawal
from app.services.customers.relationship import transfer
from app.services.design.deployment import deployment
from app.services.monitoring import observations, portfolio, realtime, reviews

PASSWORD = "demo-pass-2026"
DEMO_TIER1_CAPITAL = "30000000000"
DEMO_QUALIFIED_UNTIL = (
    "2028-12-31"  # approvers' training certificates  # CNY 30 billion: 15% is CNY 4.5 billion per client
)
DEMO_USERS = [
    ("officer", "officer", None, "王晓明", ()),
    ("officer2", "officer", None, "李娜", ()),
    ("officer3", "officer", None, "郑凯", ()),
    ("approver", "approver", 1, "张伟", ()),
    ("approver2", "approver", 2, "刘洋", ("committee",)),
    ("cco", "approver", 3, "陈静", ("committee",)),
    ("cro", "risk_manager", None, "黄涛", ("committee", "cro")),
    ("risk", "risk_manager", None, "赵磊", ()),
    ("compliance", "compliance", None, "孙丽", ()),
    ("designer", "designer", None, "周杰", ()),
    ("admin", "admin", None, "吴强", ()),
]
# Where the demo people work (the inbox filters by the branch a case came from); head office otherwise.
DEMO_BRANCHES = {"officer": "shanghai", "officer2": "beijing", "officer3": "shanghai", "approver": "shanghai"}
# The officers' teams: officer and officer3 work in two teams of the Shanghai branch, whose approver manages them
# (a transfer between them can be shown); officer2 in Beijing's.
DEMO_TEAMS = {"officer": "对公一部", "officer3": "对公二部", "officer2": "对公一部"}
DEMO_MAIL_DOMAIN = "demo-bank.example"  # every demo user has an address: their e-mails fill the outbox page
COMPANIES = [
    "华东精密机械",
    "江南纺织",
    "海川物流",
    "蓝海科技",
    "金穗农业",
    "恒通建设",
    "万家商贸",
    "星辰软件",
    "瑞丰食品",
    "长江航运",
    "北辰置业",
    "东方电子",
    "宏达化工",
    "绿源环保",
    "天成医药",
    "新锐汽配",
]
INDUSTRIES = [
    "manufacturing",
    "wholesale_retail",
    "construction",
    "real_estate",
    "technology",
    "services",
    "agriculture",
    "transport",
]
SIZES = {"large": 2_000_000_000, "medium": 400_000_000, "small": 60_000_000, "micro": 8_000_000}
STAGES = [
    "intake",
    "statements",
    "review",
    "approval",
    "returned",
    "approved",
    "rejected",
    "second_level",
    "committee_voting",
    "committee_approved",
    "compliance",
    "withdrawn",
]
# Stages whose case is shaped so the approval authority table routes it (size, health, amount).
ROUTED = {
    "second_level": ("large", 1.2, 150_000_000),
    "committee_voting": ("large", 1.3, 300_000_000),
    "committee_approved": ("large", 1.3, 300_000_000),
}


def statement(year: int, assets: float, health: float, rng: random.Random) -> dict:
    """One plausible annual statement; ``health`` in [0, 1] moves every ratio together."""
    liabilities = assets * (0.85 - 0.45 * health)
    current_assets = assets * rng.uniform(0.35, 0.55)
    current_liabilities = min(current_assets / (0.8 + 1.2 * health), liabilities * 0.7)
    sales = assets * rng.uniform(0.6, 1.4)
    ebit = sales * (0.01 + 0.12 * health)
    interest = liabilities * 0.045
    short_debt = current_liabilities * 0.4
    return {
        "fiscal_year": year,
        "total_assets": round(assets),
        "current_assets": round(current_assets),
        "cash": round(current_assets * 0.25),
        "inventory": round(current_assets * 0.3),
        "receivables": round(current_assets * 0.3),
        "total_liabilities": round(liabilities),
        "current_liabilities": round(current_liabilities),
        "short_term_debt": round(short_debt),
        "long_term_debt": round((liabilities - current_liabilities) * 0.8),
        "book_equity": round(assets - liabilities),
        "retained_earnings": round((assets - liabilities) * 0.4),
        "sales": round(sales),
        "ebit": round(ebit),
        "interest_expense": round(interest),
        "net_income": round((ebit - interest) * 0.75),
        "operating_cash_flow": round(ebit * 0.9),
        "depreciation": round(assets * 0.03),
    }


def demo_uscc(index: int) -> str:
    """A valid unified social credit code for demo customer ``index`` (Shanghai, enterprise)."""
    body = f"MA{index + 1:06d}"
    return make_uscc(f"91310000{body}{org_code_check_character(body)}")


def has_users() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def _find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _user(username: str) -> User:
    user = _find_user(username)
    assert user is not None, username  # load() makes the demo's users first
    return user


def _open_task(instance_id: int, spec: str) -> HumanTask:
    task = db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
        )
    )
    assert task is not None, spec  # the demo's case has just reached it
    return task


def _approver_for(level: int | None) -> User:
    return _user({1: "approver", 2: "approver2"}.get(level or 3, "cco"))


def _drive(index: int, stage: str, rng: random.Random, officer: User | None = None) -> None:
    # alternate the two officers, shifted each round of the stages: each holds approved facilities of its own
    officer = officer or _user("officer" if (index + index // len(STAGES)) % 2 == 0 else "officer2")
    size = list(SIZES)[index % 4]
    industry = INDUSTRIES[index % len(INDUSTRIES)]
    health = rng.uniform(0.2, 0.45) if stage == "rejected" else rng.uniform(0.75, 1.45)
    if stage in ROUTED:
        size, health, requested = ROUTED[stage]
    instance = cases.start_case(officer, "credit_application")
    if stage == "intake":
        return
    intake = {
        "customer_name": f"{COMPANIES[index % len(COMPANIES)]}{'有限公司' if index < 16 else f'{index}号有限公司'}",
        "uscc": demo_uscc(index),
        "industry": industry,
        "size": size,
        "listed": size == "large" and index % 3 == 0,
        "credit_record": "serious_delinquency" if stage == "rejected" and index % 2 else "clean",
        "requested_amount": requested
        if stage in ROUTED
        else round(SIZES[size] * rng.uniform(0.02, 0.08), -4),
        "requested_term_months": rng.choice([12, 24, 36]),
        "purpose": "流动资金周转",
    }
    tasks.complete(officer, _open_task(instance.id, "application_intake").id, intake)
    if stage == "withdrawn":  # the customer financed elsewhere before sending its statements
        withdrawal.withdraw(officer, instance.id, "客户已另行融资，撤回申请。")
        return
    if stage == "statements":
        return
    assets = SIZES[size] * rng.uniform(0.7, 1.3)
    years = [statement(2024, assets * 0.92, health * 0.95, rng), statement(2025, assets, health, rng)]
    if intake["listed"]:
        for st in years:
            st["market_equity"] = round(st["book_equity"] * 1.6)
    tasks.complete(officer, _open_task(instance.id, "financial_statements").id, {"statements": years})
    if stage == "review":
        return
    review = {
        "proposed_limit": instance.summary.get("proposed_limit"),
        "proposed_term_months": 12,
        "proposed_margin_pct": 1.5,
        "proposed_controls": "按季度报送财务报表",
        "officer_opinion": "经营稳定，建议按方案授信。",
    }
    tasks.complete(officer, _open_task(instance.id, "review_proposal").id, review)
    if stage == "approval":
        return
    _decide(instance.id, stage)
    checklist = _ready(instance.id, "compliance_checklist")
    if checklist and stage != "compliance":
        tasks.complete(_user("compliance"), checklist[0].id, COMPLIANT)


# A compliance sign-off with every check passed and its evidence (合规审查通过).
COMPLIANT = {
    "kyc_complete": True,
    "kyc_evidence": "营业执照、法定代表人身份证件已核验",
    "sanctions_screening": "clear",
    "sanctions_evidence": "制裁名单及反洗钱筛查未命中",
    "related_party": "none",
    "related_party_evidence": "关联方名单比对无关联",
    "regulatory_limits": True,
    "limits_evidence": "单一客户及集团客户授信集中度均在监管限额内",
    "documents_present": True,
    "documents_evidence": "授信申请书、财务报表、担保合同齐全",
    "compliance_decision": "sign_off",
}


SIGN_OFFS: dict[str, dict[str, Any]] = {
    "returned": {
        "decision": "return",
        "comment": "请补充担保安排后重新提交。",
        "fields_to_fix": ["proposed_controls"],
    },
    "rejected": {"decision": "reject", "comment": "风险过高，不予授信。"},
}
APPROVE = {"decision": "approve", "comment": "同意。"}


def _decide(instance_id: int, stage: str) -> None:
    """Sign off level by level, or have the committee vote, as ``stage`` says."""
    while True:
        signoff = _ready(instance_id, "approval_signoff")
        if signoff:
            [task] = signoff
            tasks.complete(_approver_for(task.required_level), task.id, SIGN_OFFS.get(stage, APPROVE))
            if stage in SIGN_OFFS or stage == "second_level":
                return
            continue
        votes = _ready(instance_id, "committee_vote")
        if votes:
            cast = votes[:1] if stage in ("committee_voting", "returned") else votes
            decision = {"decision": "reject", "comment": "不同意。"} if stage == "rejected" else APPROVE
            for vote in cast:
                tasks.complete(vote.assignee, vote.id, decision)
        return


def _ready(instance_id: int, spec: str) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask)
            .where(
                HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
            )
            .order_by(HumanTask.id)
        )
    )


def load(count: int = 36, seed: int = 20261130) -> Iterator[str]:
    """Create the demo; yields lines to print (users and their passwords first). Real-time monitoring is off
    while it loads: the demo runs its own checks and takes the escalations they start to their stages."""
    with realtime.off():
        for username, role, level, name, groups in DEMO_USERS:
            if _find_user(username) is None:
                users.create_user(
                    username,
                    role,
                    PASSWORD,
                    display_name=name,
                    authority_level=level,
                    groups=groups,
                    branch=DEMO_BRANCHES.get(username, "head_office"),
                    team=DEMO_TEAMS.get(username),
                    email=f"{username}@{DEMO_MAIL_DOMAIN}",
                )
                if role == "approver" or "committee" in groups:
                    qualifications.record(None, username, f"审批资格-{username}-2026", DEMO_QUALIFIED_UNTIL)
            yield f"user {username:<11} role {role:<13} level {level or '-'}  password {PASSWORD}"
        yield from demo_training.load()  # before the cases: an officer opens none without valid AML training
        if settings.amount(settings.TIER1_CAPITAL) is None:
            settings.set_amount(None, settings.TIER1_CAPITAL, DEMO_TIER1_CAPITAL)
            yield f"tier-1 capital CNY {DEMO_TIER1_CAPITAL} (flask settings set tier1_capital ...)"
        outcomes = deployment.deploy_files(note="demo")
        yield from (f"process {o.process_id} v{o.version}" for o in outcomes)
        rng = random.Random(seed)
        for index in range(count):
            _drive(index, STAGES[index % len(STAGES)], rng)
        yield f"{count} cases created, in every state: {', '.join(STAGES)}"
        yield from _monitoring()
        yield from demo_customer_file.load()
        yield from _past_transfer()
        officer3 = _user("officer3")
        yield from demo_kpis.load(lambda index, stage: _drive(index, stage, rng, officer3), first_index=count)


LATER_NEWS = {"negative_news": True, "news_note": "媒体报道实际控制人涉诉"}  # low: negative news
# Monitoring figures for the first watched customers: what each makes the early-warning rules say.
DEMO_OBSERVATIONS: list[dict[str, Any]] = [
    {"days_past_due": 45, "overdue_interest": 12000},  # high: past due over 30 days, overdue interest
    {"utilization_pct": 97.5},  # medium: the limit nearly used up
    {"negative_news": True, "news_note": "媒体报道主要股东股权被冻结"},  # low: negative news
]


def _monitoring() -> Iterator[str]:
    """Observations of the customers with a live limit, one portfolio check, and the escalations it started
    taken to different stages: at the risk manager's decision, closed as a false alarm; then a later
    observation of negative news whose escalation waits for the officer's investigation."""
    watched = list(
        db.session.scalars(
            select(Customer)
            .join(Facility, Facility.customer_id == Customer.id)
            .where(Facility.status == "active")
            .order_by(Customer.id)
        )
    )
    for index, customer in enumerate(watched):
        figures = (
            DEMO_OBSERVATIONS[index] if index < len(DEMO_OBSERVATIONS) else {"utilization_pct": 40 + index}
        )
        observations.record(
            _user("officer"),
            {"uscc": customer.uscc, "observed_on": local_today().isoformat(), **figures},
            "import",
        )
    result = portfolio.scan(_user("risk"))
    for instance in db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(result.started))):
        investigate = _ready(instance.id, "investigate_warning")
        officer = investigate[0].assignee or _user("officer")
        if instance.summary.get("warning_code") == "past_due_30":
            tasks.complete(
                officer,
                investigate[0].id,
                {"assessment": "confirmed", "findings": "已走访企业，资金周转困难属实。"},
            )
        elif instance.summary.get("warning_code") == "high_utilization":
            tasks.complete(
                officer,
                investigate[0].id,
                {"assessment": "false_alarm", "findings": "季末临时用款，已于次月初归还。"},
            )
    if len(watched) > 1:  # the second customer's news of the day before: its officer investigates
        observations.record(
            _user("officer"),
            {
                "uscc": watched[1].uscc,
                **LATER_NEWS,
                "observed_on": (local_today() - timedelta(days=1)).isoformat(),
            },
            "import",
        )
        result.raised += portfolio.scan(_user("risk")).raised
    yield f"{len(watched)} watched customers observed; {len(result.raised)} early warnings raised"
    if watched:  # the first watched customer's periodic review falls due today
        watched[0].next_review_on = local_today()
        db.session.commit()
        yield f"{len(reviews.start_due(_user('risk')))} periodic review(s) started"


TRANSFER_REASON = "客户经营地迁至浦东新区，改由对公二部就近服务。"


def _past_transfer() -> Iterator[str]:
    """One past transfer (客户移交): the Shanghai branch's approver, who manages its officers, moved one of
    ``officer``'s customers to ``officer3`` of the other team, through ``transfer`` (the history row, the audit
    trail, the notices and the tasks that went along are the real ones); ``officer`` keeps the rest, so another
    transfer can be shown from "My team's customers"."""
    theirs = list(
        db.session.scalars(
            select(Customer)
            .where(Customer.officer_id == _user("officer").id)
            .order_by(Customer.id.desc())
            .limit(2)
        )
    )
    if len(theirs) < 2:
        return
    done = transfer.transfer(_user("approver"), [theirs[0].id], "officer3", TRANSFER_REASON)
    yield f"customer {done.customers[0].name} transferred from officer to officer3 ({done.tasks_moved} open task(s))"
