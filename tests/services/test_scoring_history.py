"""Training data from the system's own history: each decided credit application read as it stood on its decision
date (a later or later-recorded observation never leaks in), its outcome from rules/default_definition.dmn (the
table, not the code, says what a default is and the window), and the cases left out counted by reason."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.localtime import local_date, to_utc
from app.models import Observation, ProcessInstance, RatingChange
from app.models.base import utcnow
from app.scoring import case_features
from app.scoring.case_features import Seen
from app.services.customers.facilities.facility_terms import add_months
from app.services.scoring import history, versions
from tests import factories


@pytest.fixture
def summary(people):
    """The summary a real approved application keeps (its shape is what the builder reads)."""
    factories.deploy()
    return dict(factories.approved_case(people).summary)


def decided(
    index: int, summary: dict, months_ago: int, *, status: str = "exited", **facts
) -> tuple[int, datetime]:
    """A credit application of a customer of its own, decided ``months_ago``, with ``summary`` (and ``facts``)."""
    customer = factories.book_customer(None, 500 + index)
    at = to_utc(datetime.combine(add_months(local_date(utcnow()), -months_ago), time(10)))
    row = factories.facility(customer, 1_000_000, status=status, decided_at=at)
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == row.instance_id)
        .values(summary={**summary, **facts})
    )
    db.session.commit()
    return customer.id, at


def observed(customer_id: int, day, recorded_at: datetime | None = None, **figures) -> None:
    db.session.add(
        Observation(
            customer_id=customer_id,
            observed_on=day,
            source="import",
            recorded_at=recorded_at or to_utc(datetime.combine(day, time(18))),
            **figures,
        )
    )
    db.session.commit()


def classified(customer_id: int, at: datetime, loan_class: str) -> None:
    db.session.add(
        RatingChange(customer_id=customer_id, reason="escalation", class_after=loan_class, changed_at=at)
    )
    db.session.commit()


def test_each_case_is_read_as_it_stood_and_judged_by_the_definition(app, summary):
    past_due, _ = decided(1, summary, 24)
    observed(past_due, add_months(local_date(utcnow()), -21), days_past_due=95)  # 3 months after: a default
    late, late_at = decided(2, summary, 24)
    classified(late, late_at + timedelta(days=400), "substandard")  # 13 months after: outside the window
    doubtful, doubtful_at = decided(3, summary, 24)
    classified(doubtful, doubtful_at + timedelta(days=60), "doubtful")
    decided(4, summary, 2)  # not a year yet, nothing recorded: not known
    early, _ = decided(5, summary, 2)
    observed(early, add_months(local_date(utcnow()), -1), days_past_due=120)  # a default already: used
    decided(6, summary, 24, status="rejected")
    decided(7, summary, 24, loan_class="substandard")
    backfilled, backfilled_at = decided(8, summary, 24)  # seen before the decision, recorded after it
    observed(
        backfilled,
        local_date(backfilled_at) - timedelta(days=30),
        backfilled_at + timedelta(days=5),
        days_past_due=60,
    )
    known, known_at = decided(9, summary, 24)
    observed(known, local_date(known_at) - timedelta(days=30), days_past_due=45, negative_news=True)

    found = history.build()

    assert found.report() == {
        "cases": 10,  # the nine and the real application, decided today
        "used": 6,
        "defaults": 3,
        "excluded": {"declined": 1, "no_analysis": 0, "in_default": 1, "not_mature": 2},
        "window_months": 12,
    }
    assert len(found.target) == len(found.features) == 6  # one outcome per case used, in the same order
    seen = found.features["max_days_past_due_12m"]
    assert seen.tolist().count(45.0) == 1 and 60.0 not in seen.tolist()  # the backfilled one is not known
    assert found.features["negative_news_12m"].tolist().count("yes") == 1
    ratios = summary["analysis"]["ratios"]
    assert found.features["debt_to_asset"].iloc[0] == pytest.approx(ratios["debt_to_asset"])
    assert set(found.features["industry"]) == {summary["industry"]}
    assert found.table is None and found.refused.problems[0].code == "too_few"  # 3 defaults: too few to learn


def test_what_a_default_is_and_the_window_are_the_rule_tables(app, summary, rules_copy):
    twelve_plus, at = decided(1, summary, 30)
    classified(twelve_plus, at + timedelta(days=400), "substandard")
    thirty, at = decided(2, summary, 30)
    observed(thirty, local_date(at) + timedelta(days=40), days_past_due=45)
    assert history.build().defaults == 0

    path = rules_copy / "default_definition.dmn"
    text = (
        path.read_text(encoding="utf-8")
        .replace("&gt;= 90", "&gt;= 30")
        .replace("<text>12</text>", "<text>18</text>")
    )
    path.write_text(text, encoding="utf-8")
    found = history.build()
    assert (found.defaults, found.window_months) == (2, 18)


def test_too_little_history_is_refused_with_what_the_builder_found(app, summary, english_request):
    decided(1, summary, 24)
    with pytest.raises(versions.DataRefused) as refused:
        versions.train_from_history()
    words = refused.value.message
    assert "default_definition has 0 defaults and 1 goods" in words
    assert (
        "2 decided credit applications read: 1 used" in words and "1 decided less than 12 months ago" in words
    )


def test_a_feature_is_what_was_known_on_the_day():
    on = datetime(2025, 6, 30).date()
    facts = {
        "analysis": {"ratios": {"debt_to_asset": 0.6, "roe": None}},
        "z_score": "2.5",
        "industry": "construction",
        "listed": False,
        "loan_class": "normal",
        "requested_amount": 5e6,
    }
    seen = [
        Seen(on - timedelta(days=400), days_past_due=80, enforcement_records=1),  # more than a year before
        Seen(on - timedelta(days=100), days_past_due=20, tax_arrears=1000.0),
        Seen(on + timedelta(days=1), days_past_due=200, enforcement_records=5, negative_news=True),  # after
    ]
    row = case_features.case_row(facts, seen, on)
    assert (
        row["max_days_past_due_12m"] == 20 and row["enforcement_records"] == 1 and row["tax_arrears"] == 1000
    )
    assert row["negative_news_12m"] is None and row["listed"] == "no" and row["class_at_decision"] == "normal"
    assert row["debt_to_asset"] == 0.6 and math.isnan(row["roe"]) and row["z_score"] == 2.5
    assert math.isnan(case_features.case_row({}, [], on)["current_ratio"])
    assert list(case_features.frame([row]).columns) == list(case_features.CASE_FEATURES)


def test_what_the_rating_saw_and_what_came_after_the_decision(app, summary):
    in_arrears, at = decided(1, summary, 24)  # 120 days past due a month before: in default when rated
    observed(in_arrears, local_date(at) - timedelta(days=30), days_past_due=120)
    same_day, at = decided(2, summary, 24)  # classified 次级 the afternoon it was decided: a default
    classified(same_day, at + timedelta(hours=5), "substandard")
    rated_at = utcnow() - timedelta(days=730 + 10)
    late, at = decided(
        3, summary, 24, pd_model={"source": "scorecard", "rated_at": rated_at.isoformat() + "Z"}
    )
    # seen the day before the decision, recorded after the rating and before the sign-off: the rating never saw it
    observed(late, local_date(at) - timedelta(days=1), rated_at + timedelta(days=2), days_past_due=60)

    found = history.build()

    assert found.excluded["in_default"] == 1 and found.defaults == 1
    assert 60.0 not in found.features["max_days_past_due_12m"].tolist()
