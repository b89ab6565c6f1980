"""A customer's live limit is kept by the database on every write of its facilities (a decided case, a risk
control, a bulk statement), and migration 0035 fills it for the facilities already stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, text, update

from app.extensions import db
from app.models import Customer, Facility
from app.services.cases import tasks
from tests.factories import book_customer, case_routed, compliance_sign_off, facility, open_task
from tests.migrated import insert_customer, migrated_app


def live(customer_id: int) -> Decimal:
    return Decimal(
        str(db.session.scalar(text("SELECT live_limit FROM customer WHERE id = :id"), {"id": customer_id}))
    )


def test_the_live_limit_follows_every_write_of_the_facilities(deployed, people):
    first, second = book_customer(people.officer, 1), book_customer(people.officer, 2)
    one = facility(first, 3_000_000)
    facility(first, 2_000_000)
    facility(first, 9_000_000, status="rejected")
    assert (live(first.id), live(second.id)) == (Decimal(5_000_000), 0)
    db.session.execute(update(Facility).where(Facility.id == one.id).values(limit_amount=Decimal(1_500_000)))
    assert live(first.id) == Decimal(3_500_000)
    db.session.execute(update(Facility).where(Facility.id == one.id).values(status="frozen"))
    assert live(first.id) == Decimal(3_500_000)  # frozen still counts, as in every exposure
    db.session.execute(update(Facility).where(Facility.id == one.id).values(status="exited"))
    assert live(first.id) == Decimal(2_000_000)
    db.session.execute(
        update(Facility).where(Facility.id == one.id).values(status="active", customer_id=second.id)
    )
    assert (live(first.id), live(second.id)) == (Decimal(2_000_000), Decimal(1_500_000))
    db.session.execute(delete(Facility).where(Facility.id == one.id))
    assert live(second.id) == 0
    db.session.commit()


def test_an_approved_case_adds_its_limit(deployed, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    compliance_sign_off(case, people.compliance)
    db.session.refresh(case)
    assert live(case.customer_id) == Decimal(str(case.summary["proposed_limit"]))
    assert db.session.get(Customer, case.customer_id).live_limit == live(case.customer_id)


def test_the_migration_fills_the_live_limits_and_builds_the_triggers(tmp_path):
    with migrated_app(tmp_path / "old.sqlite", "0032_customer_contacts"):
        with db.engine.begin() as connection:
            insert_customer(connection, "2026-01-01")
            connection.execute(
                text(
                    "INSERT INTO facility (id, customer_id, instance_id, status, limit_amount, decided_at) VALUES "
                    "(1, 7, 1, 'active', 4000000, '2026-01-01'), (2, 7, 2, 'exited', 8000000, '2025-01-01')"
                )
            )
        upgrade()
        with db.engine.begin() as connection:
            assert (
                connection.execute(text("SELECT live_limit FROM customer WHERE id = 7")).scalar() == 4000000
            )
            connection.execute(text("UPDATE facility SET status = 'active' WHERE id = 2"))
            assert (
                connection.execute(text("SELECT live_limit FROM customer WHERE id = 7")).scalar() == 12000000
            )


def test_two_writes_of_one_customers_facilities_at_once_leave_the_exact_sum(deployed, people):
    """PostgreSQL (READ COMMITTED): the second writer waits for the customer row, then sums what the first
    committed; without the lock taken in a statement of its own, its sum missed the other's new facility."""
    import threading
    import time

    from sqlalchemy import insert

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one write at a time")
    customer = book_customer(people.officer, 1)
    spare_a, spare_b = facility(customer, 100, status="exited"), facility(customer, 50, status="exited")
    cases_ab = (spare_a.instance_id, spare_b.instance_id)
    db.session.execute(delete(Facility).where(Facility.id.in_((spare_a.id, spare_b.id))))  # their cases stay
    db.session.commit()

    def row(instance_id: int, amount: int) -> dict:
        return {
            "customer_id": customer.id,
            "instance_id": instance_id,
            "status": "active",
            "limit_amount": Decimal(amount),
        }

    engine = db.engine  # the thread has no app context of its own
    writer_a = engine.connect()
    held = writer_a.begin()
    writer_a.execute(insert(Facility.__table__).values(**row(cases_ab[0], 100)))

    def writer_b():
        with engine.begin() as connection:
            connection.execute(insert(Facility.__table__).values(**row(cases_ab[1], 50)))

    thread = threading.Thread(target=writer_b)
    thread.start()
    time.sleep(1)  # writer B is waiting for the customer row writer A's trigger holds
    held.commit()
    writer_a.close()
    thread.join(timeout=30)
    db.session.expire_all()
    assert live(customer.id) == Decimal(150)
