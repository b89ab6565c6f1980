"""The book ``customer_pages.py`` measures its pages on, generated in Python and loaded in bulk.

200 officers in 10 branches (and one more officer, ``steady``, who holds 50 customers at every size), their
approvers and one process definition; then the customers, 50k at a time, with their facilities (and the cases
that decided them), open warnings, contacts, contact-log entries and past transfers. ``Loader`` writes the rows
with ``COPY`` on PostgreSQL, with the triggers that keep the live limits off (the rows carry them), or by
executemany on SQLite; ``analyse`` leaves the tables as autovacuum would.

Imported by ``customer_pages.py`` after it puts the repository root on ``sys.path``.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert

from app.extensions import db
from app.models import (
    ContactLogEntry,
    Customer,
    CustomerContact,
    CustomerOfficerChange,
    EarlyWarning,
    Facility,
    ProcessDefinition,
    ProcessInstance,
    User,
    UserGroup,
)
from app.services.customers.facilities.facility_terms import maturity

CHUNK = 50_000
OFFICERS, BRANCHES = 200, 10
STEADY, STEADY_BOOK = 1000, 50  # an officer who holds 50 customers at every size
NOW = datetime(2026, 12, 1, 2, 0, 0)
TODAY = date(2026, 12, 1)
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC")
CLASSES = ("normal",) * 12 + (
    "special_mention",
    "special_mention",
    "substandard",
    "doubtful",
    "loss",
    None,
    None,
)
INDUSTRIES = (
    "manufacturing",
    "wholesale_retail",
    "construction",
    "real_estate",
    "technology",
    "services",
    "agriculture",
    "transport",
)
REGIONS = "北京上海天津重庆江苏浙江安徽福建江西山东河南湖北湖南广东四川"
TRADE = "华信达利通德恒瑞泰丰源盛鑫宏兴隆昌荣辉祥安康佳美嘉禾润金星光明远天海山川江东南新创联众博雅正"
TRADES = ("科技", "贸易", "实业", "机械", "电子", "化工", "医药", "建设", "物流", "食品")


def name_of(i: int) -> str:
    j = i * 7919 % 1_000_003
    region = REGIONS[(j % 16) * 2 : (j % 16) * 2 + 2]
    return f"{region}{TRADE[j // 16 % len(TRADE)]}{TRADE[j // 997 % len(TRADE)]}{TRADES[j % 10]}{i}号有限公司"


class Loader:
    """Rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        self.postgres = db.engine.dialect.name == "postgresql"

    def __call__(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        table = model.__table__
        if not self.postgres:
            db.session.execute(insert(table), rows)
            return
        columns = list(rows[0])
        connection = db.session.connection()
        # the rows carry their customers' live limits: the triggers that keep them (and the foreign keys, the
        # generator's own) are not run for every copied row
        connection.exec_driver_sql("SET session_replication_role = replica")
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                        for v in (row[c] for c in columns)
                    ]
                )


def make_staff(load: Loader) -> dict:
    users, groups = [], []
    for k in range(OFFICERS):
        users.append(
            {
                "id": k + 1,
                "username": "officer" if k == 0 else f"officer{k:03d}",
                "display_name": f"客户经理{k:03d}",
                "password_hash": "x",
                "role": "officer",
                "branch": f"branch{k % BRANCHES}",
                "team": "对公一部" if k // BRANCHES % 2 == 0 else "对公二部",
                "active": True,
                "must_change_password": False,
                "session_epoch": 0,
                "created_at": NOW,
            }
        )
    users.append(
        {
            "id": STEADY,
            "username": "steady",
            "display_name": "客户经理（固定户数）",
            "password_hash": "x",
            "role": "officer",
            "branch": "branch0",
            "team": "对公三部",
            "active": True,
            "must_change_password": False,
            "session_epoch": 0,
            "created_at": NOW,
        }
    )
    for b in range(BRANCHES):
        users.append(
            {
                "id": OFFICERS + b + 1,
                "username": f"approver{b}",
                "display_name": f"分行审批人{b}",
                "password_hash": "x",
                "role": "approver",
                "authority_level": 1,
                "branch": f"branch{b}",
                "team": None,
                "active": True,
                "must_change_password": False,
                "session_epoch": 0,
                "created_at": NOW,
            }
        )
    groups = [{"user_id": u["id"], "group_code": u["role"]} for u in users]
    load(User, users)
    load(UserGroup, groups)
    load(
        ProcessDefinition,
        [
            {
                "id": 1,
                "process_id": "credit_application",
                "name": "Credit application",
                "version": 1,
                "content_hash": "bench",
                "bpmn_file": "credit_application.bpmn",
                "bpmn_xml": "",
                "dmn_files": {},
                "forms": {},
                "called_files": {},
                "deployed_at": NOW,
            }
        ],
    )
    db.session.commit()
    return {"officer": 1, "approver": OFFICERS + 1, "steady": STEADY}


def populate(size: int, load: Loader) -> None:
    rng = random.Random(20261201)
    ids = {"instance": 0, "facility": 0, "warning": 0, "contact": 0, "entry": 0, "change": 0}

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    for start in range(1, size + 1, CHUNK):
        rows = {
            m: []
            for m in (
                Customer,
                ProcessInstance,
                Facility,
                EarlyWarning,
                CustomerContact,
                ContactLogEntry,
                CustomerOfficerChange,
            )
        }
        for i in range(start, min(start + CHUNK, size + 1)):
            officer = STEADY if i % (size // STEADY_BOOK) == 7 else (i - 1) % OFFICERS + 1
            created = NOW - timedelta(days=rng.randrange(1, 2000))
            rows[Customer].append(
                {
                    "id": i,
                    "name": name_of(i),
                    "uscc": f"B{i:017d}",
                    "industry": INDUSTRIES[i % len(INDUSTRIES)],
                    "size": ("large", "medium", "small", "micro")[i % 4],
                    "credit_record": "clean",
                    "listed": False,
                    "segment": None,
                    "grade": GRADES[rng.randrange(len(GRADES))] if i % 9 else None,
                    "group_name": None,
                    "officer_id": officer,
                    "loan_class": CLASSES[rng.randrange(len(CLASSES))],
                    "watchlist": False,
                    "next_review_on": TODAY + timedelta(days=rng.randrange(-30, 365)),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            customer = rows[Customer][-1]
            customer["live_limit"] = Decimal(0)
            if rng.random() < 0.7:
                for live in (True, False) if rng.random() < 0.1 else (True,):
                    instance_id = next_id("instance")
                    decided = NOW - timedelta(days=rng.randrange(1, 3 * 365))
                    rows[ProcessInstance].append(
                        {
                            "id": instance_id,
                            "reference": f"CA-B-{instance_id:08d}",
                            "definition_id": 1,
                            "process_id": "credit_application",
                            "customer_id": i,
                            "status": "completed",
                            "outcome": "approved",
                            "summary": {"customer_name": name_of(i)},
                            "open_tasks": [],
                            "waiting_timers": 0,
                            "state": "{}",
                            "serializer_version": "bench",
                            "version": 5,
                            "started_by_id": officer,
                            "started_at": decided - timedelta(days=20),
                            "updated_at": decided,
                            "completed_at": decided,
                        }
                    )
                    amount = Decimal(rng.randrange(50, 50_000) * 10_000)
                    customer["live_limit"] += amount if live else 0
                    term = rng.choice((12, 24, 36))
                    rows[Facility].append(
                        {
                            "id": next_id("facility"),
                            "customer_id": i,
                            "instance_id": instance_id,
                            "status": "active" if live else "exited",
                            "limit_amount": amount,
                            "margin_pct": Decimal("1.200"),
                            "term_months": term,
                            "grade": None,
                            "risk_controls": None,
                            "decided_by_id": None,
                            "decided_at": decided,
                            "start_on": decided.date(),
                            "matures_on": maturity(decided.date(), term),
                        }
                    )
            if rng.random() < 0.03:
                rows[EarlyWarning].append(
                    {
                        "id": next_id("warning"),
                        "customer_id": i,
                        "code": "past_due_30",
                        "name": "Past due / 逾期",
                        "severity": "high",
                        "status": "open",
                        "evidence": {},
                        "rule_id": "r1",
                        "rules_hash": "bench",
                        "detected_at": NOW - timedelta(days=rng.randrange(1, 60)),
                    }
                )
            people = []
            if rng.random() < 0.2:
                for role in ("legal_representative", "financial_controller"):
                    people.append(next_id("contact"))
                    rows[CustomerContact].append(
                        {
                            "id": people[-1],
                            "customer_id": i,
                            "name": "陈建国",
                            "role": role,
                            "phone": "13812345678",
                            "is_primary": role == "legal_representative",
                            "created_at": created,
                            "updated_at": created,
                        }
                    )
            if rng.random() < 0.1:
                for _entry in range(3):
                    on = TODAY - timedelta(days=rng.randrange(1, 400))
                    rows[ContactLogEntry].append(
                        {
                            "id": next_id("entry"),
                            "customer_id": i,
                            "contacted_on": on,
                            "channel": "visit",
                            "contact_id": people[0] if people else None,
                            "contact_name": "陈建国",
                            "summary": "走访企业，经营正常。",
                            "logged_by_id": officer,
                            "logged_at": NOW,
                        }
                    )
            if rng.random() < 0.01:
                rows[CustomerOfficerChange].append(
                    {
                        "id": next_id("change"),
                        "customer_id": i,
                        "officer_before_id": officer % OFFICERS + 1,
                        "officer_after_id": officer,
                        "reason": "团队调整",
                        "tasks_moved": 0,
                        "changed_by_id": OFFICERS + 1 + (officer - 1) % BRANCHES,
                        "changed_at": created,
                    }
                )
        for model, found in rows.items():
            load(model, found)
        db.session.commit()


def analyse() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.connection().exec_driver_sql("ANALYZE")
        db.session.commit()
