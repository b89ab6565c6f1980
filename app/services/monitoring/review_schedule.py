"""When a customer's next periodic review falls: ``rules/review_frequency.dmn`` gives the months between
reviews by grade and five-category class (a 次级 customer monthly, a good grade yearly).

A review sets the next date when it completes (its diagram reads the same table). Between reviews, a case
that changes the customer's class or grade — an escalation's classification, a review's re-rating, an
approved application — brings the next review forward when the table now asks for it sooner
(:func:`follow_policy`); it never puts a review off: a milder class or better grade waits for the review due.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import current_app

from app.engine.dmn import Decision, decision_in_force
from app.localtime import local_today
from app.models import Customer, ProcessInstance, User
from app.services.audit import audit
from app.services.shared.rows import write

FREQUENCY_FILE, FREQUENCY = "review_frequency.dmn", "review_frequency"


def frequency() -> Decision:
    """The review frequency table in force, parsed once per change of the file."""
    return decision_in_force(Path(current_app.config["RULES_DIR"]) / FREQUENCY_FILE, FREQUENCY)


def due_after(start: date, grade: str | None, loan_class: str | None) -> tuple[date, str]:
    """The review date the table gives counting from ``start``, and the rule that gave it."""
    result = frequency().evaluate({"grade": grade, "loan_class": loan_class})
    months = float(result.single_output["review_months"])
    return start + timedelta(days=round(months * 365 / 12)), ",".join(result.matched_rule_ids)


def follow_policy(
    customer: Customer, instance: ProcessInstance, actor: User | None, today: date | None = None
) -> None:
    """Bring the customer's next review forward to what the table asks for its grade and class now, counted
    from today, when that is sooner than the date on file (audited with before, after and the rule). A
    customer with no date yet gets its first one when its reviews are scheduled (``reviews.start_due``)."""
    if customer.next_review_on is None:
        return
    due, rule = due_after(today or local_today(), customer.grade, customer.loan_class)
    if due >= customer.next_review_on:
        return
    before = customer.next_review_on
    write(customer, next_review_on=due)
    audit.record(
        "customer.review_rescheduled",
        actor,
        customer_id=customer.id,
        instance_id=instance.id,
        before=before.isoformat(),
        after=due.isoformat(),
        grade=customer.grade,
        loan_class=customer.loan_class,
        rule=rule,
    )
