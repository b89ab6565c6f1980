"""Two years of demo history for the portfolio dashboard (风险管理驾驶舱): what the book would have recorded had the
demo's customers been with the bank since then — each customer's grades and classes over 24 months (rated on
application, then up- and downgrades at reviews), a few defaults (次级, 可疑) and a special mention (关注) taken
to where the customers stand now, and early warnings detected and closed month by month, one rule's nearly all
false alarms (the dashboard names it).

Written straight to the history tables (``RatingChange``, ``EarlyWarning``), dated in the past: only the demo's
clock is moved, as the facilities' and inspections' demos date theirs. Deterministic (one seeded generator,
customers in id order) and one flush per table. Each customer's last change arrives at its state on file, so the
history and the customer's page agree.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, EarlyWarning, RatingChange
from app.models.base import utcnow
from app.services.monitoring.observations import RATINGS
from app.services.shared.rows import insert_rows, write
from app.services.shared.unit_of_work import unit_of_work

SEED = 20241206
DAYS = 730  # two years
BOOK = RATINGS[:7]  # AAA … CCC: the grades a performing customer moves between
# (position among the book's customers from the smallest live limits, class, grade): the defaults and the special mention the demo shows
DEFAULTS = ((0, "doubtful", "C"), (1, "substandard", "CCC"), (2, "special_mention", "BB"))
# (code, severity, name, rule, share of false alarms): the signals the demo's warnings were raised by
SIGNALS = (
    ("high_utilization", "medium", "Limit nearly used up / 额度使用率过高", "Rule_warning_rules_06", 0.9),
    ("past_due", "high", "Payment past due / 出现逾期", "Rule_warning_rules_07", 0.3),
    ("past_due_30", "high", "Past due over 30 days / 逾期超过30天", "Rule_warning_rules_08", 0.0),
    ("tax_arrears", "low", "Tax arrears / 欠税", "Rule_warning_rules_11", 0.5),
    ("negative_news", "low", "Negative news / 负面舆情", "Rule_warning_rules_13", 0.6),
    (
        "current_ratio_below_one",
        "medium",
        "Current ratio under 1.0 / 流动比率低于1",
        "Rule_warning_rules_04",
        0.2,
    ),
)
WARNINGS = 60


def _path(rng: random.Random, grade: str, loan_class: str, changes: int) -> list[tuple[str, str]]:
    """States (grade, class) going back from the one on file: ``changes`` earlier ones, the oldest first."""
    states = [(grade, loan_class)]
    for _step in range(changes):
        now_grade, now_class = states[0]
        if now_class in ("doubtful", "loss"):
            earlier = ("CCC", "substandard")
        elif now_class == "substandard":
            earlier = ("B", "special_mention")
        elif now_class == "special_mention":
            earlier = (rng.choice(("BBB", "A")), "normal")
        else:
            index = BOOK.index(now_grade) if now_grade in BOOK else 3
            earlier = (BOOK[min(max(index + rng.choice((-1, 1, 1)), 0), len(BOOK) - 2)], "normal")
        states.insert(0, earlier)
    return states


def _rating_changes(rng: random.Random, book: list[Customer], now: datetime) -> list[dict]:
    rows = []
    for customer in book:
        states = _path(rng, customer.grade or "BBB", customer.loan_class or "normal", rng.randint(1, 3))
        days = sorted(rng.sample(range(20, DAYS - 30), len(states) - 1), reverse=True)
        opened = now - timedelta(days=DAYS - rng.randint(0, 30))
        rows.append(rating_change(customer.id, "application", (None, None), states[0], opened))
        for before, after, ago in zip(states[:-1], states[1:], days, strict=True):
            rows.append(rating_change(customer.id, "review", before, after, now - timedelta(days=ago)))
    return rows


def rating_change(
    customer_id: int, reason: str, before: tuple, after: tuple, at: datetime, instance_id: int | None = None
) -> dict:
    """A row of a customer's rating history: (grade, class) before and after, recorded ``at`` for ``reason``."""
    return {
        "customer_id": customer_id,
        "instance_id": instance_id,
        "reason": reason,
        "grade_before": before[0],
        "class_before": before[1],
        "grade_after": after[0],
        "class_after": after[1],
        "changed_at": at,
    }


def _warnings(rng: random.Random, book: list[Customer], now: datetime) -> list[dict]:
    rows = []
    for _n in range(WARNINGS):
        code, severity, name, rule, false_share = rng.choice(SIGNALS)
        detected = now - timedelta(days=rng.randint(30, DAYS), hours=rng.randint(0, 23))
        false_alarm = rng.random() < false_share
        rows.append(
            {
                "customer_id": rng.choice(book).id,
                "code": code,
                "name": name,
                "severity": severity,
                "status": "closed",
                "outcome": "false_alarm" if false_alarm else "closed",
                "evidence": {},
                "rule_id": rule,
                "rules_hash": "demo-history",
                "basis": "history",
                "detected_at": detected,
                "closed_at": detected + timedelta(days=rng.randint(2, 9 if false_alarm else 40)),
            }
        )
    return rows


def load() -> Iterator[str]:
    """Write the history of the rated customers (the defaults among those holding live limits); yields lines
    to print."""
    rng = random.Random(SEED)
    now = utcnow()
    rated = list(
        db.session.scalars(select(Customer).where(Customer.grade.is_not(None)).order_by(Customer.id))
    )
    book = [c for c in rated if c.live_limit > 0]
    if not book:
        yield "history: no customer in the book"
        return
    with unit_of_work():
        smallest = sorted(book, key=lambda c: (c.live_limit, c.id))
        for position, loan_class, grade in DEFAULTS:
            if position < len(smallest) - 1:
                write(smallest[position], loan_class=loan_class, grade=grade)
        changes = _rating_changes(rng, rated, now)
        warnings = _warnings(rng, rated, now)
        insert_rows(RatingChange, changes)
        insert_rows(EarlyWarning, warnings)
    yield f"history: {len(changes)} rating changes and {len(warnings)} closed warnings over two years"
