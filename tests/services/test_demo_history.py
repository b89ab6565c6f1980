"""The demo's two years of history (``demo_history``): each rated customer's changes arrive at its state on file,
spread over 24 months, with defaults; warnings closed over time, one rule nearly always a false alarm."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, EarlyWarning, RatingChange
from app.models.base import utcnow
from app.services.admin import demo_history
from tests.services.portfolio_book import build


def test_the_history_arrives_at_each_customer_s_state_and_names_a_noisy_rule(deployed, people):
    build(people)
    db.session.execute(RatingChange.__table__.delete())
    db.session.execute(EarlyWarning.__table__.delete())
    db.session.commit()
    lines = list(demo_history.load())
    assert lines[0].startswith("history:")
    for customer in db.session.scalars(select(Customer).where(Customer.grade.is_not(None))):
        last = db.session.scalar(
            select(RatingChange)
            .where(RatingChange.customer_id == customer.id)
            .order_by(RatingChange.changed_at.desc(), RatingChange.id.desc())
            .limit(1)
        )
        assert (last.grade_after, last.class_after) == (customer.grade, customer.loan_class)
    oldest = db.session.scalar(select(func.min(RatingChange.changed_at)))
    assert oldest < utcnow() - timedelta(days=700)
    classes = set(db.session.scalars(select(Customer.loan_class)))
    assert {"substandard", "doubtful", "special_mention"} <= classes
    outcomes = list(
        db.session.scalars(
            select(EarlyWarning.outcome).where(EarlyWarning.rule_id == "Rule_warning_rules_06")
        )
    )
    assert len(outcomes) >= 5 and outcomes.count("false_alarm") / len(outcomes) >= 0.7
