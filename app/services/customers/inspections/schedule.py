"""When a customer's next post-loan inspection falls due (贷后检查频率): ``rules/inspection_frequency.dmn``
gives the days until it is due — 15 days from a drawdown for the first one (use-of-funds tracing, 资金用途核查),
then by grade, five-category class, product and amount from the last visit — and how many days before that
date the officer's task opens.

The product is the kind of credit the customer holds: a term loan (中长期贷款) when one of its live facilities
runs longer than twelve months, else a working-capital loan (流动资金贷款); facilities carry no product type of
their own yet. The amount is the customer's live limits (``customer.live_limit``, CNY).

The inspection's own diagram reads the same table when the manager signs a visit off, for the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.engine.dmn import Decision, decision_in_force
from app.extensions import db
from app.models import Customer, Facility
from app.models.customers import LIVE_FACILITY_STATUSES

FREQUENCY_FILE, FREQUENCY = "inspection_frequency.dmn", "inspection_frequency"
TERM_LOAN_MONTHS = 12  # a facility longer than this is a term loan (中长期贷款)


def frequency() -> Decision:
    """The inspection frequency table in force, parsed once per change of the file."""
    return decision_in_force(Path(current_app.config["RULES_DIR"]) / FREQUENCY_FILE, FREQUENCY)


@dataclass(frozen=True)
class Terms:
    """What the table gives: days until the visit is due, days before it the task opens, the rule."""

    inspection_days: int
    notice_days: int
    rule: str

    def due_after(self, start: date) -> date:
        return start + timedelta(days=self.inspection_days)

    def opens_before(self, due: date) -> date:
        return due - timedelta(days=self.notice_days)


def product_of(longest_term_months: int | None) -> str:
    """``term_loan`` when the longest live facility runs past twelve months, else ``working_capital``."""
    return "term_loan" if (longest_term_months or 0) > TERM_LOAN_MONTHS else "working_capital"


def product_of_customer(customer_id: int) -> str:
    longest = db.session.scalar(
        select(func.max(Facility.term_months)).where(
            Facility.customer_id == customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES)
        )
    )
    return product_of(longest)


def inputs_of(customer: Customer, *, first: bool) -> dict:
    """The table's inputs for ``customer`` as it stands."""
    return {
        "grade": customer.grade,
        "loan_class": customer.loan_class,
        "product": product_of_customer(customer.id),
        "amount": float(customer.live_limit or Decimal(0)),
        "first": first,
    }


def terms_for(customer: Customer, *, first: bool) -> Terms:
    """The table's answer for ``customer``: the first inspection after a drawdown, or the next one."""
    result = frequency().evaluate(inputs_of(customer, first=first))
    output = result.single_output
    return Terms(
        int(output["inspection_days"]), int(output["notice_days"]), ",".join(result.matched_rule_ids)
    )
