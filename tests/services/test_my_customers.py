"""My customers (我的客户): an officer's own book, a branch's approver's branch, a risk manager's bank; every
filter, the totals (count, live limit, by class), sorting and pages, in a fixed number of statements."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import EarlyWarning
from app.models.base import utcnow
from app.services.admin import users
from app.services.customers.relationship import my_customers
from app.services.customers.relationship.relationship_rights import manages_customer, manages_officer
from tests.factories import PASSWORD, book_customer, facility

TODAY = local_today()


@pytest.fixture
def staff(people):
    def officer(name, branch, team):
        return users.create_user(name, "officer", PASSWORD, branch=branch, team=team)[0]

    sh1, sh2 = officer("sh1", "shanghai", "对公一部"), officer("sh2", "shanghai", "对公二部")
    bj = officer("bj1", "beijing", "对公一部")
    sh_head = users.create_user("sh_head", "approver", PASSWORD, authority_level=1, branch="shanghai")[0]
    return SimpleNamespace(
        sh1=sh1,
        sh2=sh2,
        bj=bj,
        sh_head=sh_head,
        risk=people.risk,
        compliance=people.compliance,
        admin=people.admin,
    )


def warn(customer) -> None:
    db.session.add(
        EarlyWarning(
            customer_id=customer.id,
            code="past_due_30",
            name="Past due / 逾期",
            severity="high",
            rule_id="r1",
            rules_hash="x",
            evidence={},
        )
    )
    db.session.commit()


@pytest.fixture
def book(staff, deployed):
    """sh1 holds three customers, sh2 one, bj1 one."""
    c1 = book_customer(
        staff.sh1,
        1,
        name="甲精密机械有限公司",
        grade="AA",
        loan_class="normal",
        next_review_on=TODAY + timedelta(days=10),
    )
    facility(
        c1, 5_000_000, term_months=1, decided_at=utcnow() - timedelta(days=10)
    )  # matures in about 20 days
    c2 = book_customer(
        staff.sh1,
        2,
        name="乙建设有限公司",
        grade="BBB",
        loan_class="special_mention",
        industry="construction",
        next_review_on=TODAY - timedelta(days=5),
    )
    facility(c2, 2_000_000, term_months=36)
    facility(c2, 9_000_000, status="rejected")  # not live: never counted
    warn(c2)
    c3 = book_customer(staff.sh1, 3, name="丙服务有限公司", industry="services")  # unrated, unclassified
    c4 = book_customer(staff.sh2, 4, name="丁贸易有限公司", grade="A", loan_class="normal")
    facility(c4, 1_000_000, term_months=1, decided_at=utcnow() - timedelta(days=100))  # matured long ago
    c5 = book_customer(staff.bj, 5, name="戊科技有限公司", grade="AAA", loan_class="normal")
    facility(c5, 7_000_000)
    return SimpleNamespace(c1=c1, c2=c2, c3=c3, c4=c4, c5=c5)


def names(result) -> list[str]:
    return [r.customer.name for r in result.rows]


def test_an_officer_sees_their_own_book_with_its_totals_by_class(staff, book):
    mine = my_customers.page(staff.sh1, {})
    assert mine.scope.kind == "own" and not mine.scope.managed and mine.officers == []
    assert names(mine) == ["丙服务有限公司", "乙建设有限公司", "甲精密机械有限公司"]  # by name
    assert (mine.total, mine.live_limit) == (3, Decimal("7000000"))
    assert [(c.loan_class, c.customers, c.live_limit) for c in mine.by_class] == [
        ("normal", 1, Decimal("5000000")),
        ("special_mention", 1, Decimal("2000000")),
        ("unclassified", 1, Decimal(0)),
    ]
    row = {r.customer.id: r for r in mine.rows}
    assert row[book.c2.id].open_warnings == 1 and row[book.c1.id].open_warnings == 0
    assert TODAY + timedelta(days=17) <= row[book.c1.id].next_maturity <= TODAY + timedelta(days=22)
    assert row[book.c3.id].next_maturity is None and row[book.c3.id].live_limit == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"grade": "AA"}, ["甲精密机械有限公司"]),
        ({"loan_class": "special_mention"}, ["乙建设有限公司"]),
        ({"loan_class": "unclassified"}, ["丙服务有限公司"]),
        ({"industry": "construction"}, ["乙建设有限公司"]),
        ({"warning": "1"}, ["乙建设有限公司"]),
        ({"review_days": "0"}, ["乙建设有限公司"]),  # past due
        ({"review_days": "30"}, ["乙建设有限公司", "甲精密机械有限公司"]),
        ({"maturity_days": "30"}, ["甲精密机械有限公司"]),
        ({"maturity_days": "10"}, []),
        ({"sort": "limit"}, ["甲精密机械有限公司", "乙建设有限公司", "丙服务有限公司"]),
        ({"sort": "grade"}, ["甲精密机械有限公司", "乙建设有限公司", "丙服务有限公司"]),
        ({"grade": "BBB", "warning": "1", "review_days": "0"}, ["乙建设有限公司"]),
    ],
)
def test_each_filter_narrows_the_book_and_its_totals(staff, book, args, expected):
    found = my_customers.page(staff.sh1, args)
    assert found.errors == {}
    assert names(found) == expected
    assert found.total == len(expected)
    assert found.live_limit == sum((r.live_limit for r in found.rows), Decimal(0))


def test_a_branch_approver_manages_the_branch_and_a_risk_manager_the_bank(staff, book):
    branch = my_customers.page(staff.sh_head, {})
    assert branch.scope.kind == "branch" and branch.scope.managed
    assert {r.customer.name for r in branch.rows} == {
        "甲精密机械有限公司",
        "乙建设有限公司",
        "丙服务有限公司",
        "丁贸易有限公司",
    }
    assert [o.username for o in branch.officers] == ["sh1", "sh2"] and branch.teams == [
        "对公一部",
        "对公二部",
    ]
    assert {r.officer.username for r in branch.rows} == {"sh1", "sh2"}
    assert names(my_customers.page(staff.sh_head, {"officer": str(staff.sh2.id)})) == ["丁贸易有限公司"]
    assert names(my_customers.page(staff.sh_head, {"team": "对公二部"})) == ["丁贸易有限公司"]
    assert my_customers.page(staff.sh_head, {"maturity_days": "30"}).total == 1  # sh2's matured long ago
    bank = my_customers.page(staff.risk, {})
    assert bank.scope.kind == "bank" and bank.total == 5 and bank.live_limit == Decimal("15000000")
    assert [o.username for o in bank.officers][:3] == ["bj1", "sh1", "sh2"]  # by team, then branch
    assert names(my_customers.page(staff.risk, {"officer": str(staff.bj.id)})) == ["戊科技有限公司"]
    assert manages_officer(staff.sh_head, staff.sh2) and not manages_officer(staff.sh_head, staff.bj)
    assert manages_customer(staff.sh_head, book.c4) and not manages_customer(staff.sh_head, book.c5)
    assert manages_customer(staff.risk, book.c5) and not manages_customer(staff.sh1, book.c1)


def test_another_branchs_officer_is_no_filter_of_a_branch_approver(staff, book):
    found = my_customers.page(staff.sh_head, {"officer": str(staff.bj.id), "team": "无此团队"})
    assert set(found.errors) == {"officer", "team"} and found.total == 4  # left out, named
    with pytest.raises(InvalidInput) as caught:
        my_customers.page(staff.sh_head, {"officer": str(staff.bj.id)}, strict=True)
    assert set(caught.value.errors) == {"officer"}
    assert my_customers.page(staff.sh1, {"officer": str(staff.sh2.id)}).errors  # an officer has no officers


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"grade": "ZZ"}, "grade"),
        ({"loan_class": "bad"}, "loan_class"),
        ({"industry": "mining"}, "industry"),
        ({"review_days": "-1"}, "review_days"),
        ({"review_days": "abc"}, "review_days"),
        ({"maturity_days": "99999"}, "maturity_days"),
        ({"warning": "maybe"}, "warning"),
        ({"sort": "size"}, "sort"),
        ({"officer": "1e3"}, "officer"),
        ({"team": "x" * 101}, "team"),
        ({"team": "a\x00"}, "team"),
    ],
)
def test_a_filter_that_cannot_be_read_is_named_and_the_others_still_apply(staff, book, args, field):
    found = my_customers.page(staff.sh1, {**args, "industry": args.get("industry", "construction")})
    assert field in found.errors
    if field != "industry":
        assert names(found) == ["乙建设有限公司"]
    with pytest.raises(InvalidInput):
        my_customers.page(staff.sh1, args, strict=True)


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_roles_that_hold_no_customers_are_refused(staff, book, role):
    with pytest.raises(NotAuthorized):
        my_customers.page(getattr(staff, role), {})


def test_pages_and_a_fixed_number_of_statements_whatever_the_book(staff, book):
    assert names(my_customers.page(staff.sh1, {}, page=2, per_page=2)) == ["甲精密机械有限公司"]
    assert my_customers.page(staff.sh1, {}, page=2, per_page=2).pages == 2

    def statements(args) -> int:
        seen = []
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            my_customers.page(staff.sh_head, args)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements({"sort": "limit"})
    for index in range(6, 26):
        customer = book_customer(staff.sh1, index, grade="A")
        facility(customer, 100_000)
        warn(customer)
    assert statements({"sort": "limit"}) == few  # no query per row
