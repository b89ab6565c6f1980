"""A customer's grade and five-category class (五级分类) kept from contradicting each other, with their history.

The class caps the grade through ``rules/classification_grade_cap.dmn`` (a 次级 customer holds CCC at best,
whatever its statements say). Where a grade is produced — an application's rating and its adjusted grade, a
periodic review's re-rating — the process itself evaluates that table before the limit, the route and the
approvers' pages rest on the grade (the class on file comes from the ``class_on_file`` directory function),
and keeps what the class lowered as ``capped_from``. Wherever a class or a grade is then recorded on a
customer, :func:`settle` runs the same table once more (an escalation may have worsened the class since),
and the change is kept with its before and after (``RatingChange``, shown on the customer's page; audited as
``customer.grade_capped`` when the class lowered the grade on file), and the next periodic review comes
forward when the new class or grade is reviewed more often (``review_schedule``).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.engine.dmn import Decision, decision_in_force
from app.extensions import db
from app.models import Customer, ProcessInstance, RatingChange, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.monitoring import review_schedule
from app.services.shared.rows import insert_row, write

FIVE_CATEGORIES = ("normal", "special_mention", "substandard", "doubtful", "loss")
CAP_FILE, CAP = "classification_grade_cap.dmn", "classification_grade_cap"


def _cap_table() -> Decision:
    """The cap table in force, parsed once per change of the file."""
    return decision_in_force(Path(current_app.config["RULES_DIR"]) / CAP_FILE, CAP)


def classify(customer: Customer, instance: ProcessInstance, found: str, actor: User | None) -> None:
    """Record the class an escalation found, never milder than the one on file: one warning's escalation
    may not lift a class another one set (an upgrade is a credit decision of its own); then settle."""
    before = (customer.grade, customer.loan_class)
    worse = (
        max(found, customer.loan_class, key=FIVE_CATEGORIES.index)
        if customer.loan_class in FIVE_CATEGORIES
        else found
    )
    if worse != customer.loan_class:
        write(customer, loan_class=worse)
        audit.record(
            "customer.reclassified",
            actor,
            customer_id=customer.id,
            instance_id=instance.id,
            before=before[1],
            after=worse,
            found=found,
        )
    settle(customer, instance, actor, "escalation", before)


def cap(loan_class: str | None, grade: str | None) -> tuple[str | None, str | None]:
    """The grade a customer of ``loan_class`` may hold when rated ``grade``, and the rule that said so (None
    when the class does not lower it, or the customer has no class or no grade)."""
    if loan_class is None or grade is None:
        return grade, None
    result = _cap_table().evaluate({"loan_class": loan_class, "grade": grade})
    held = result.single_output["grade"]
    return held, ",".join(result.matched_rule_ids) if held != grade else None


def settle(
    customer: Customer,
    instance: ProcessInstance,
    actor: User | None,
    reason: str,
    before: tuple[str | None, str | None],
    rated: str | None = None,
) -> None:
    """After ``reason`` changed the customer's grade or class (from ``before``: grade, class), cap the grade
    by the class and keep the change. ``rated`` is the grade the case's rating gave before its process capped
    it (its data's ``capped_from``), so the change says what the class lowered even when the process did.
    A customer never classified has no class to cap by."""
    found = customer.grade
    capped, rule = cap(customer.loan_class, found)
    if rule is not None:
        write(customer, grade=capped)
        audit.record(
            "customer.grade_capped",
            actor,
            customer_id=customer.id,
            instance_id=instance.id,
            loan_class=customer.loan_class,
            before=found,
            after=capped,
            rule=rule,
        )
    elif rated is not None and rated != found:
        found, rule = rated, cap(customer.loan_class, rated)[1]
    if (customer.grade, customer.loan_class) == before and rule is None:
        return
    insert_row(
        RatingChange,
        {
            "customer_id": customer.id,
            "instance_id": instance.id,
            "reason": reason,
            "grade_before": before[0],
            "grade_after": customer.grade,
            "class_before": before[1],
            "class_after": customer.loan_class,
            "capped_from": found if rule is not None else None,
            "rule_id": rule,
            "changed_by_id": actor.id if actor else None,
            "changed_at": utcnow(),
        },
    )
    review_schedule.follow_policy(customer, instance, actor)  # a worse class or grade is reviewed sooner


def history_of(customer_id: int, limit: int = 20) -> list[RatingChange]:
    """The customer's grade and class changes, newest first (for a page that may read the customer)."""
    return list(
        db.session.scalars(
            select(RatingChange)
            .where(RatingChange.customer_id == customer_id)
            .order_by(RatingChange.id.desc())
            .limit(limit)
            .options(selectinload(RatingChange.instance), selectinload(RatingChange.changed_by))
        )
    )
