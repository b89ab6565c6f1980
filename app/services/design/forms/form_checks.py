"""Checks a form names in ``"x-checks"`` that need the bank's records or the case beyond the form: each
refuses a submission with a message naming the field. A deployment refuses a form naming an unknown one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.forms.display import format_money
from app.models import ProcessInstance
from app.services.analytics.case_library.record_checks import check_case_analysis
from app.services.approval.exposure import check_large_exposure
from app.services.customers.collateral.valuation_checks import check_valuation
from app.services.customers.inspections.record_checks import check_inspection_record
from app.services.monitoring.classification import cap
from app.services.monitoring.statement_checks import check_statements


def check_within_limit_cap(
    instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any], locale: str
) -> None:
    """A review may neither raise nor keep a limit above the policy cap of the grade it gives (a grade the
    customer's five-category class has already capped): an empty new limit keeps the live one, so it is
    checked as asked too. The refusal names the field, the amount asked and the cap."""
    cap = data.get("limit_cap")
    new_limit = submitted.get("new_limit")
    asked = new_limit if new_limit is not None else data.get("limit_amount")
    if cap is None or asked is None or Decimal(str(asked)) <= Decimal(str(cap)):
        return
    class_key = f"class_{data['loan_class']}" if data.get("loan_class") else None  # vocabulary.LOAN_CLASSES
    held = {
        "asked": format_money(asked, locale),
        "cap": format_money(cap, locale),
        "grade": data.get("grade") or "—",
        "loan_class": _(class_key) if class_key else _("not classified"),
    }
    if new_limit is None:
        field = _(
            "Keeping the live limit of %(asked)s is above the cap of %(cap)s for grade %(grade)s "
            "(%(loan_class)s): enter a new limit of at most %(cap)s.",
            **held,
        )
    else:
        field = _(
            "%(asked)s is above the cap of %(cap)s for grade %(grade)s (%(loan_class)s): enter at most "
            "%(cap)s.",
            **held,
        )
    raise InvalidInput(
        _("New limit: %(asked)s is above the policy cap of %(cap)s.", **held), {"new_limit": field}
    )


def check_grade_within_class(
    instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any], locale: str
) -> None:
    """A grade the officer adjusts may be no better than the customer's five-category class allows (the cap
    table the process applies anyway): said at once, rather than lowered after the officer sent it."""
    adjusted, loan_class = submitted.get("grade_override"), data.get("loan_class")
    if not adjusted or adjusted == "model" or not loan_class:
        return
    held, rule = cap(loan_class, adjusted)
    if rule is None:
        return
    label = "class_" + loan_class  # the class's name, as the pages name it
    raise InvalidInput(
        _("The adjusted grade is better than the customer's class allows."),
        {
            "grade_override": _(
                "at best %(grade)s for a customer classified %(class)s", grade=held, **{"class": _(label)}
            )
        },
    )


CHECKS = {
    "large_exposure": check_large_exposure,
    "within_limit_cap": check_within_limit_cap,
    "statements": check_statements,
    "grade_within_class": check_grade_within_class,
    "collateral_valuation": check_valuation,
    "inspection_record": check_inspection_record,
    "case_analysis": check_case_analysis,
}
