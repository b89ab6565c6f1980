"""A small book for the portfolio dashboard's tests: customers in two branches with live facilities, observed
utilisations, a history of grade and class changes and warnings — each figure is checked against a direct
computation over ``SPECS`` (plain Python, no query)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from app.extensions import db
from app.localtime import local_today
from app.models import EarlyWarning, Observation, RatingChange
from app.services.admin import users
from app.services.analytics.filters import Filters
from tests.factories import PASSWORD, book_customer, facility

# (branch, grade, class, industry, segment, group, [(limit, term months)], utilisation %)
SPECS = [
    ("head_office", "AA", "normal", "manufacturing", "large_corporate", "华润系", [(300, 12), (100, 36)], 50),
    ("head_office", "A", "normal", "real_estate", "large_corporate", "华润系", [(250, 24)], 80),
    ("head_office", "BBB", "special_mention", "real_estate", "mid_corporate", None, [(120, 12)], None),
    ("shanghai", "CCC", "substandard", "construction", "sme", None, [(60, 12)], 90),
    ("shanghai", "C", "doubtful", "manufacturing", "sme", "申能系", [(40, 6)], 100),
    ("shanghai", "A", "normal", "technology", "mid_corporate", "申能系", [(90, 12), (10, 12)], 20),
    ("shanghai", "BB", None, "services", "micro", None, [(5, 12)], 10),
]
MILLION = 1_000_000  # limits in SPECS are in millions of CNY (a book of CNY 975m: the limits apply)
T0 = datetime(2025, 1, 15, 4)  # stored UTC
# (customer index, days after T0, grade before→after, class before→after)
CHANGES = [
    (0, 0, (None, "A"), (None, "normal")),
    (0, 200, ("A", "AA"), ("normal", "normal")),
    (1, 0, (None, "A"), (None, "normal")),
    (2, 0, (None, "A"), (None, "normal")),
    (2, 300, ("A", "BBB"), ("normal", "special_mention")),
    (3, 10, (None, "BB"), (None, "special_mention")),
    (3, 400, ("BB", "CCC"), ("special_mention", "substandard")),
    (4, 20, (None, "B"), (None, "special_mention")),
    (4, 250, ("B", "CCC"), ("special_mention", "substandard")),
    (4, 500, ("CCC", "C"), ("substandard", "doubtful")),
    (5, 100, (None, "A"), (None, "normal")),
    (4, 550, ("C", "C"), (None, None)),  # an application rates again and classifies nothing: still doubtful
]
# (customer index, code, severity, rule, days after T0 detected, days to close or None, outcome)
WARNINGS = [
    (0, "high_utilization", "medium", "Rule_warning_rules_06", 30, 3, "false_alarm"),
    (1, "high_utilization", "medium", "Rule_warning_rules_06", 60, 5, "false_alarm"),
    (2, "high_utilization", "medium", "Rule_warning_rules_06", 90, 2, "false_alarm"),
    (3, "high_utilization", "medium", "Rule_warning_rules_06", 120, 4, "false_alarm"),
    (5, "high_utilization", "medium", "Rule_warning_rules_06", 150, 6, "false_alarm"),
    (3, "past_due", "high", "Rule_warning_rules_07", 390, 20, "closed"),
    (4, "past_due", "high", "Rule_warning_rules_07", 240, 10, "closed"),
    (4, "tax_arrears", "low", "Rule_warning_rules_11", 200, None, None),
]


def build(people) -> SimpleNamespace:
    """The book: officers in head office and Shanghai, a Shanghai approver; returns them and the customers."""
    shanghai, _ = users.create_user("sh_officer", "officer", PASSWORD, branch="shanghai")
    sh_approver, _ = users.create_user(
        "sh_approver", "approver", PASSWORD, branch="shanghai", authority_level=1
    )
    officers = {"head_office": people.officer, "shanghai": shanghai}
    customers = []
    for index, (branch, grade, loan_class, industry, segment, group, limits, util) in enumerate(SPECS, 1):
        customer = book_customer(
            officers[branch],
            index,
            grade=grade,
            loan_class=loan_class,
            industry=industry,
            segment=segment,
            group_name=group,
        )
        for limit, term in limits:
            facility(customer, limit * MILLION, term_months=term)
        if util is not None:
            for days, pct in ((40, util / 2), (2, util)):  # the latest counts
                db.session.add(
                    Observation(
                        customer_id=customer.id,
                        observed_on=local_today() - timedelta(days=days),
                        utilization_pct=Decimal(pct),
                        source="screen",
                    )
                )
        customers.append(customer)
    for index, days, grades, classes in CHANGES:
        db.session.add(
            RatingChange(
                customer_id=customers[index].id,
                reason="review",
                grade_before=grades[0],
                grade_after=grades[1],
                class_before=classes[0],
                class_after=classes[1],
                changed_at=T0 + timedelta(days=days),
            )
        )
    for index, code, severity, rule, days, closed, outcome in WARNINGS:
        detected = T0 + timedelta(days=days)
        db.session.add(
            EarlyWarning(
                customer_id=customers[index].id,
                code=code,
                name=f"{code} / 信号",
                severity=severity,
                status="closed" if closed is not None else "open",
                outcome=outcome,
                evidence={},
                rule_id=rule,
                rules_hash="test",
                detected_at=detected,
                closed_at=detected + timedelta(days=closed) if closed is not None else None,
            )
        )
    db.session.commit()
    for customer in customers:
        db.session.refresh(customer)
    return SimpleNamespace(customers=customers, sh_approver=sh_approver, shanghai=shanghai)


def whole_period() -> Filters:
    return Filters(date(2025, 1, 1), local_today())


def limit_of(spec) -> Decimal:
    return Decimal(sum(limit for limit, _term in spec[6]) * MILLION)


def used_of(spec) -> Decimal:
    return limit_of(spec) * Decimal(spec[7] or 0) / 100


def state_at(index: int, instant: datetime, which: int) -> str | None:
    """Customer ``index``'s grade (which 0) or class (1) at ``instant``, read from CHANGES by hand."""
    mine = [c for c in CHANGES if c[0] == index and c[2 + which] != (None, None)]  # a field left untouched
    done = [c for c in mine if T0 + timedelta(days=c[1]) <= instant]
    if done:
        return done[-1][2 + which][1]
    if mine:
        return mine[0][2 + which][0]
    return SPECS[index][1 + which]
