"""Demo guarantees (担保): ordinary guarantees on the demo's customers with a live facility, a guarantee circle
(担保圈) of four firms, and a chain of six firms, longer than the policy's four (rules/guarantee_network.dmn).

The guarantor firms are registered as customers of their own (a guarantor is always a customer) without an
officer yet (a head-office matter); every guarantee goes through ``register`` as the risk manager ``risk``, who
manages every customer, so the checks and the audit trail are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Facility, Guarantee, User
from app.risk.uscc import make_uscc, org_code_check_character
from app.services.customers.guarantees import circles_kept, register

CIRCLE = ["江南纺织印染有限公司", "江南化纤材料有限公司", "锦程服装制造有限公司", "华锦进出口贸易有限公司"]
CHAIN = [
    "申江钢结构工程有限公司",
    "浦海建材贸易有限公司",
    "临港重型装备有限公司",
    "金山石化配件有限公司",
    "奉贤物流仓储有限公司",
    "崇明生态农业有限公司",
]
GUARANTORS = ["沪东投资控股有限公司", "长三角融资担保有限公司", "宏达实业集团有限公司"]  # ordinary guarantees


def _uscc(index: int) -> str:
    body = f"GD{index:06d}"  # apart from the case customers' codes (MA…)
    return make_uscc(f"91310000{body}{org_code_check_character(body)}")


def _firm(index: int, name: str) -> Customer:
    firm = db.session.scalar(select(Customer).where(Customer.uscc == _uscc(index)))
    if firm is None:
        firm = Customer(
            name=name,
            uscc=_uscc(index),
            industry="manufacturing",
            size="medium",
            credit_record="clean",
        )
        db.session.add(firm)
        db.session.commit()
    return firm


def _give(
    writer: User, guarantor: Customer, borrower: Customer, amount: int, kind: str = "guarantee", **more
):
    signed = local_today() - timedelta(days=120)
    return register.record(
        writer,
        borrower.id,
        {
            "guarantor_id": guarantor.id,
            "kind": kind,
            "amount": str(amount),
            "signed_on": signed.isoformat(),
            "ends_on": (signed + timedelta(days=3 * 365)).isoformat(),
            **more,
        },
    )


def load() -> Iterator[str]:
    if db.session.scalar(select(Guarantee.id).limit(1)) is not None:
        return  # loaded already
    risk = db.session.scalar(select(User).where(User.username == "risk"))
    if risk is None:
        return
    circle = [_firm(1 + i, name) for i, name in enumerate(CIRCLE)]
    for index, (guarantor, borrower) in enumerate(zip(circle, circle[1:] + circle[:1], strict=True)):
        _give(risk, guarantor, borrower, 8_000_000 + 1_000_000 * index)
    yield f"a guarantee circle of {len(circle)} firms ({', '.join(f.name for f in circle)})"
    chain = [_firm(11 + i, name) for i, name in enumerate(CHAIN)]
    for guarantor, borrower in zip(chain, chain[1:], strict=False):
        _give(risk, guarantor, borrower, 5_000_000)
    yield f"a guarantee chain of {len(chain)} firms, from {chain[0].name} to {chain[-1].name}"
    guarantors = [_firm(21 + i, name) for i, name in enumerate(GUARANTORS)]
    borrowers = db.session.scalars(select(Facility).where(Facility.status == "active").order_by(Facility.id))
    given = 0
    for guarantor, facility, kind in zip(
        guarantors, borrowers, ("guarantee", "mortgage", "pledge"), strict=False
    ):
        _give(
            risk, guarantor, facility.customer, int(facility.limit_amount) // 2, kind, facility_id=facility.id
        )
        given += 1
    yield f"{given} ordinary guarantees on customers with a live facility"
    yield from _mutual(risk)
    scan = circles_kept.refresh_book()
    yield f"guarantee network scanned: {scan.circles} circle(s), {len(scan.chains)} long chain(s)"


def _mutual(risk: User) -> Iterator[str]:
    """Two customers with a live facility guaranteeing each other (互保): a circle the warning rules watch and the
    approval authority sends to head office."""
    watched = list(
        dict.fromkeys(
            db.session.scalars(
                select(Facility.customer_id).where(Facility.status == "active").order_by(Facility.id)
            )
        )
    )
    if len(watched) < 5:
        return
    a, b = (db.session.get(Customer, c) for c in watched[3:5])
    assert a is not None and b is not None
    _give(risk, a, b, 3_000_000)
    _give(risk, b, a, 3_000_000)
    yield f"a mutual guarantee (互保) between {a.name} and {b.name}, both with a live facility"
