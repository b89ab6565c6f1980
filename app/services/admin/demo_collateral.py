"""Demo collateral (押品): items on the demo's customers with a live facility, through the register as the risk
manager ``risk`` (who manages every customer), so the checks, the haircut table and the audit trail are the real
ones:

- a plant mortgaged by a third party, covering the first live facility well, insured for the year;
- machines valued seven months ago, securing the last live facility: half-yearly, so due — the demo starts its
  revaluation as the beat does, and its officer finds the task to record the new value — and, after their 50%
  haircut, worth less than that facility's limit: the portfolio check ("Run the portfolio check now") raises
  ``collateral_shortfall`` for it;
- stock in a warehouse whose insurance expires in a fortnight, and a pledged deposit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Collateral, Facility, User
from app.services.customers.collateral import register, revaluation

APPRAISER = "上海东洲资产评估有限公司"


def _item(
    writer: User, facility: Facility, kind: str, description: str, value: Decimal, days_ago: int, **more
):
    return register.record(
        writer,
        facility.customer_id,
        {
            "owner_name": more.pop("owner_name", facility.customer.name),
            "kind": kind,
            "description": description,
            "appraised_value": str(value.quantize(Decimal("0.01"))),
            "appraised_on": (local_today() - timedelta(days=days_ago)).isoformat(),
            "appraiser": APPRAISER,
            **more,
        },
    )


def load() -> Iterator[str]:
    if db.session.scalar(select(Collateral.id).limit(1)) is not None:
        return  # loaded already
    risk = db.session.scalar(select(User).where(User.username == "risk"))
    live = list(
        db.session.scalars(select(Facility).where(Facility.status == "active").order_by(Facility.id).limit(4))
    )
    if risk is None or len(live) < 2:
        return
    today = local_today()
    plant, machines = live[0], live[-1]
    _item(
        risk,
        plant,
        "real_estate",
        "嘉定区马陆镇工业厂房及土地使用权",
        plant.limit_amount * 2,
        40,
        owner_name="沪东投资控股有限公司",
        certificate_no="沪(2025)嘉字不动产权第0031562号",
        insured_amount=str(plant.limit_amount * 2),
        insurer="中国人民财产保险股份有限公司",
        insurance_expires_on=(today + timedelta(days=300)).isoformat(),
        **{f"share_{plant.id}": "100"},
    )
    _item(
        risk,
        machines,
        "equipment",
        "数控加工中心及配套生产线",
        machines.limit_amount * Decimal("1.6"),  # 50% off: 80% of the limit
        210,  # half-yearly: due
        certificate_no="动产抵押登记 2025-0412",
        **{f"share_{machines.id}": "100"},
    )
    yield "2 collateral items: a third party's plant, and machines due for revaluation and short of the limit"
    _item(
        risk,
        plant,
        "inventory",
        "外高桥保税仓库存钢材（动态质押）",
        plant.limit_amount / 2,
        20,
        insured_amount=str(plant.limit_amount / 2),
        insurer="中国平安财产保险股份有限公司",
        insurance_expires_on=(today + timedelta(days=14)).isoformat(),
        **{f"share_{plant.id}": "60"},
    )
    _item(risk, plant, "deposit", "单位定期存单质押", Decimal(1_000_000), 10, **{f"share_{plant.id}": "100"})
    yield "insured stock whose insurance expires in 14 days, and a pledged deposit"
    started = revaluation.start_due(risk)
    yield f"{len(started)} collateral revaluation(s) started"
