"""Demo contacts and contact log: most demo customers get two or three contact people and a few logged
contacts, and the officer ``officer`` finds one follow-up due today on "My tasks" (and others due later).

Everything goes through ``contacts`` and ``contact_log`` as the customer's own officer, so the audit trail
and the checks are the real ones (the identity numbers carry their true check characters).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer, User
from app.services.customers.contacts import contact_log, contacts, follow_ups
from app.services.customers.contacts.identity import check_character

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "晓梅", "志强", "丽华", "海涛", "秀英", "文斌", "静怡", "国栋", "慧敏", "立新", "雪松"]
REGIONS = ["310115", "110105", "440305", "320102", "330106"]  # 浦东, 朝阳, 南山, 玄武, 西湖
PEOPLE = [("legal_representative", True), ("financial_controller", False), ("authorised_agent", False)]
ENTRIES = [  # channel, days ago, summary, follow up after (days from the contact; None: none)
    ("visit", 40, "实地走访企业生产车间，开工率约八成。\n库存较上季度略有增加，应收账款回收正常。", None),
    ("phone", 21, "电话联系财务负责人，催收季度财务报表。", 14),
    ("meeting", 9, "与法定代表人面谈续贷安排，企业拟追加厂房抵押。\n需补充抵押物评估报告。", 30),
    ("email", 3, "邮件发送贷后检查通知及资料清单。", None),
]


def _resident_id(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 35))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_character(first17)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _people(customer: Customer, officer: User, rng: random.Random) -> list:
    made = []
    for index, (role, primary) in enumerate(PEOPLE[: rng.choice((2, 3))]):
        made.append(
            contacts.add(
                officer,
                customer.id,
                {
                    "name": _name(rng),
                    "role": role,
                    "is_primary": primary,
                    "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
                    if index != 1
                    else f"021-{rng.randrange(10**7, 10**8)}",
                    "email": f"contact{customer.id}-{index}@customer.example.cn" if index else "",
                    "id_type": "resident_id" if index != 2 else "passport",
                    "id_number": _resident_id(rng) if index != 2 else f"E{rng.randrange(10**8):08d}",
                },
            )
        )
    return made


def _log(customer: Customer, officer: User, people: list, today: date, rng: random.Random) -> int:
    count = 0
    for channel, days_ago, summary, follow_after in ENTRIES[: rng.choice((2, 3, 4))]:
        on = today - timedelta(days=days_ago + rng.randrange(3))
        follow_up = on + timedelta(days=follow_after) if follow_after else None
        entry = contact_log.add(
            officer,
            customer.id,
            {
                "contacted_on": on.isoformat(),
                "channel": channel,
                "contact_id": rng.choice(people).id,
                "summary": summary,
                "follow_up_on": follow_up.isoformat() if follow_up else None,
            },
        )
        if follow_up and follow_up < today:  # followed up in time: only today's stays open
            follow_ups.done(officer, entry.id)
        count += 1
    return count


def _officer_of(customer: Customer) -> User:
    officer = db.session.get(User, customer.officer_id)
    assert officer is not None, customer.id  # selected for having one
    return officer


def load(seed: int = 20261206) -> Iterator[str]:
    """Contacts and a contact log for four customers in five; one follow-up due today for ``officer``."""
    rng, today = random.Random(seed), local_today()
    customers = list(
        db.session.scalars(select(Customer).where(Customer.officer_id.is_not(None)).order_by(Customer.id))
    )
    logged = 0
    for index, customer in enumerate(customers):
        if index % 5 == 4:
            continue  # a customer without contacts yet, as some are
        officer = _officer_of(customer)
        logged += _log(customer, officer, _people(customer, officer, rng), today, rng)
    mine = next((c for c in customers if _officer_of(c).username == "officer"), None)
    if mine is not None:
        officer = _officer_of(mine)
        contact_log.add(
            officer,
            mine.id,
            {
                "contacted_on": (today - timedelta(days=7)).isoformat(),
                "channel": "phone",
                "contact_id": contacts.current(mine.id)[0].id,
                "follow_up_on": today.isoformat(),
                "summary": "客户承诺一周内提供最新一期纳税申报表，届时跟进。",
            },
        )
        logged += 1
    due = len(follow_ups.due_for(_officer_of(mine))) if mine is not None else 0
    yield (
        f"{sum(1 for i in range(len(customers)) if i % 5 != 4)} customers with contacts; {logged} contacts logged; "
        f"{due} follow-up(s) due today for officer"
    )
