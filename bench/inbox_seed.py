"""The data ``inbox.py`` measures its pages on, bulk-inserted with SQLAlchemy Core (never through the engine).

The measured staff (officer, officer2, three approvers with valid certificates, compliance) made through the
services, the other officers by bulk insert, ``credit_application`` deployed; then ``process_instance`` rows
with a realistic summary and a small fake state, and the ``human_task`` rows such a case leaves (4 completed
for a finished case, the completed ones and one ready task for an open one), 10k rows a transaction, one
customer row for every tenth case, the tables analysed at the end. Customers are named as Chinese companies are
(``--names realistic``, all distinct) or by a short list + a serial number (``--names serial``).

Imported by ``inbox.py`` after it puts the repository root on ``sys.path``.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from sqlalchemy import insert, select, text

from app.extensions import db
from app.models import Customer, HumanTask, ProcessInstance, User, UserGroup
from app.risk.uscc import make_uscc, org_code_check_character
from app.services.admin import users
from app.services.admin.demo import COMPANIES, INDUSTRIES, SIZES
from app.services.approval import qualifications
from app.services.design.deployment import deployment

BATCH = 10_000
PASSWORD = "bench-pass-2026"
TASKS = [  # (spec, name, lane, form)
    ("application_intake", "Capture application / 录入授信申请", "officer", "application_intake.json"),
    (
        "financial_statements",
        "Enter financial statements / 录入财务报表",
        "officer",
        "financial_statements.json",
    ),
    ("review_proposal", "Review proposal / 复核授信方案", "officer", "review_proposal.json"),
    ("approval_signoff", "Sign off / 审批", "approver", "approval_signoff.json"),
]
GRADES = ["AAA", "AA", "A", "BBB", "BB", "B", "CCC"]
SEGMENTS = ["large_corporate", "mid_corporate", "sme", "micro"]
FAKE_STATE = '{"serializer_version":"bench","tasks":{},"root":"00000000-0000-0000-0000-000000000000"}'
NOW = datetime(2026, 11, 30, 9, 0, 0)
# Lets sign_off_inbox's "cases I investigated" subquery seek instead of scanning human_task.


class World:
    """Users and counters shared by the populating batches."""

    def __init__(self, seed: int = 20261130) -> None:
        self.rng = random.Random(seed)
        self.next_instance = 1
        self.next_task = 1
        self.instances = 0


def uscc(i: int) -> str:
    """A valid unified social credit code for customer ``i`` (up to 9,999,999; demo_uscc stops at 999,999)."""
    body = f"M{i:07d}"
    return make_uscc(f"91310000{body}{org_code_check_character(body)}")


# Names built as Chinese company names are (企业名称: region + trade name + industry + form), one per customer:
# "one customer's name" then selects one customer's cases at every size. The former names (a company of a
# short list + the serial number, ``--names serial``) shared most of their characters with thousands of
# others, and the searched one also matched more cases the more there were (…1230号, …11230号 …).
REGIONS = (
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "广西",
    "宁夏",
    "新疆",
    "深圳",
    "苏州",
    "杭州",
    "南京",
    "武汉",
    "成都",
)
TRADE = "华信达利通德恒瑞泰丰源盛鑫宏兴隆昌荣辉祥安康佳美嘉禾润金星光明远天海山川江东南新创联众博雅正同仁诚益邦环宇辰阳晨锦"
TRADES = (
    "科技",
    "贸易",
    "实业",
    "机械",
    "电子",
    "化工",
    "医药",
    "建设",
    "物流",
    "食品",
    "纺织",
    "能源",
    "材料",
    "汽车",
    "地产",
    "投资",
    "农业",
    "传媒",
    "环保",
    "电气",
)
_NAMES = len(REGIONS) * len(TRADE) ** 2 * len(TRADES)
NAMES = "realistic"


def customer_name(i: int) -> str:
    if NAMES == "serial":
        return f"{COMPANIES[i % len(COMPANIES)]}{i}号有限公司"
    j = (i * 7919 + 12345) % _NAMES  # a permutation (7919 is prime to the count): distinct names up to it
    j, trade = divmod(j, len(TRADES))
    j, second = divmod(j, len(TRADE))
    region, first = divmod(j, len(TRADE))
    return f"{REGIONS[region]}{TRADE[first]}{TRADE[second]}{TRADES[trade]}有限公司"


def use_names(style: str) -> None:
    """How ``customer_name`` names customers from now on: ``realistic`` (the default) or ``serial``."""
    global NAMES
    NAMES = style


def summary(i: int, rng: random.Random, stage: int, outcome: str | None) -> dict:
    size = list(SIZES)[i % 4]
    amount = round(SIZES[size] * rng.uniform(0.02, 0.08), -4)
    data = {
        "customer_name": customer_name(i),
        "uscc": uscc(i),
        "industry": INDUSTRIES[i % len(INDUSTRIES)],
        "size": size,
        "credit_record": "clean",
        "listed": False,
        "requested_amount": amount,
        "requested_term_months": 24,
    }
    if stage >= 1:
        data.update({"segment": SEGMENTS[i % 4], "z_model": "z_prime"})
    if stage >= 2:
        data.update(
            {
                "pd": round(rng.uniform(0.002, 0.08), 4),
                "score_points": rng.randint(480, 720),
                "z_score": round(rng.uniform(0.8, 4.5), 2),
                "grade": GRADES[i % len(GRADES)],
                "limit_cap": amount,
                "pricing_margin_pct": 1.2,
                "max_term_months": 36,
                "proposed_limit": amount,
                "proposed_term_months": 12,
                "proposed_margin_pct": 1.2,
                "risk_controls": "按季报送财务报表",
            }
        )
    if stage >= 3:
        data.update(
            {
                "officer_opinion": "经营稳健，建议授信。",
                "approval_level": 1 + i % 3,
                "approval_level_name": ["支行", "分行", "总行"][i % 3],
            }
        )
    if outcome:
        data.update(
            {
                "decision": "approve" if outcome == "approved" else "reject",
                "comment": "同意。",
                "outcome": outcome,
            }
        )
    return data


def populate(world: World, count: int, open_cases: int, staff: dict) -> float:
    """Insert ``count`` more instances (the first ``open_cases`` ever inserted are running)."""
    t0 = time.perf_counter()
    rng = world.rng
    officers, approvers = staff["officers"], staff["approvers"]
    definition_id = staff["definition_id"]
    done = 0
    while done < count:
        n = min(BATCH, count - done)
        instances, human = [], []
        for _ in range(n):
            iid = world.next_instance
            world.next_instance += 1
            running = world.instances < open_cases
            world.instances += 1
            starter = officers[iid % len(officers)]
            if running:
                started = NOW - timedelta(minutes=rng.randint(10, 60 * 24 * 20))
                stage = rng.choices([0, 1, 2, 3], weights=[2, 3, 3, 4])[0]
                outcome = None
            else:
                started = NOW - timedelta(days=rng.randint(21, 3 * 365), minutes=rng.randint(0, 1440))
                stage = 4
                outcome = "approved" if rng.random() < 0.8 else "rejected"
            step_at = started
            for k in range(stage + (1 if running else 0)):
                spec, name, lane, form = TASKS[k]
                ready = running and k == stage
                created = step_at
                step_at = step_at + timedelta(hours=rng.randint(1, 48))
                if lane == "approver":
                    completer = approvers[iid % len(approvers)]
                    assignee = completer if not ready else None
                else:
                    completer = starter
                    # the open officer task is claimed by its starter 1 time in 3, else in the queue
                    assignee = starter if (not ready or iid % 3 == 0) else None
                human.append(
                    {
                        "id": world.next_task,
                        "instance_id": iid,
                        "task_uuid": f"{iid:08x}-0000-4000-8000-{k:012x}",
                        "task_spec": spec,
                        "name": name,
                        "lane": lane,
                        "form": form,
                        "state": "ready" if ready else "completed",
                        "required_level": (1 + iid % 3) if lane == "approver" else None,
                        "assignee_id": assignee,
                        "claimed_at": created if assignee else None,
                        "due_at": None,
                        "created_at": created,
                        "completed_at": None if ready else step_at,
                        "completed_by_id": None if ready else completer,
                        "submitted": None if ready else {"ok": True},
                    }
                )
                world.next_task += 1
            current = TASKS[stage][1] if running else None
            instances.append(
                {
                    "id": iid,
                    "reference": f"CA-{started:%Y}-{iid:07d}",
                    "definition_id": definition_id,
                    "process_id": "credit_application",
                    "customer_id": None,
                    "status": "running" if running else "completed",
                    "outcome": outcome,
                    "current_step": current,
                    "summary": summary(iid, rng, stage if running else 3, outcome),
                    "state": FAKE_STATE,
                    "serializer_version": "bench",
                    "version": stage + 2,
                    "started_by_id": starter,
                    "started_at": started,
                    "updated_at": step_at,
                    "completed_at": None if running else step_at,
                }
            )
        db.session.execute(insert(ProcessInstance.__table__), instances)
        db.session.execute(insert(HumanTask.__table__), human)
        db.session.execute(
            insert(Customer.__table__),
            [
                {
                    "name": customer_name(row["id"]),
                    "uscc": row["summary"]["uscc"],
                    "industry": row["summary"]["industry"],
                    "size": row["summary"]["size"],
                    "credit_record": "clean",
                    "listed": False,
                    "watchlist": False,
                    "created_at": row["started_at"],
                    "updated_at": row["started_at"],
                }
                for row in instances
                if row["id"] % 10 == 0
            ],
        )
        db.session.commit()
        done += n
    if db.engine.dialect.name == "postgresql":
        # what autovacuum leaves a table in: statistics, and the GIN indexes' pending lists merged
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return time.perf_counter() - t0


def make_staff(extra_officers: int = 18) -> dict:
    """The measured users through the service (groups, audit), the rest of the staff by bulk insert."""
    named = {}
    for username, role, level in [
        ("officer", "officer", None),
        ("officer2", "officer", None),
        ("approver1", "approver", 1),
        ("approver2", "approver", 2),
        ("approver3", "approver", 3),
        ("compliance", "compliance", None),
    ]:
        named[username] = users.create_user(username, role, PASSWORD, authority_level=level)[0].id
        if role == "approver":  # without a valid certificate the sign-off inbox is empty (and costs nothing)
            qualifications.record(None, username, f"CQ-BENCH-{username}", "2099-12-31")
    outcomes = deployment.deploy_files()
    definition_id = deployment.latest_definition(outcomes[0].process_id).id
    rows = [
        {
            "username": f"officer_x{i:02d}",
            "display_name": f"客户经理{i:02d}",
            "password_hash": "x",
            "role": "officer",
            "authority_level": None,
            "branch": "head_office",
            "active": True,
            "created_at": NOW,
        }
        for i in range(extra_officers)
    ]
    db.session.execute(insert(User.__table__), rows)
    db.session.commit()
    extra = list(db.session.scalars(select(User.id).where(User.username.like("officer_x%"))))
    db.session.execute(
        insert(UserGroup.__table__), [{"user_id": uid, "group_code": "officer"} for uid in extra]
    )
    db.session.commit()
    return {
        "named": named,
        "definition_id": definition_id,
        "officers": [named["officer"], *extra],  # officer2 starts nothing and has nothing assigned
        "approvers": [named["approver1"], named["approver2"], named["approver3"]],
    }
