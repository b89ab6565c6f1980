"""Checks a form names in ``"x-checks"`` that need the bank's records or the case beyond the form: each
refuses a submission with a message naming the field. A deployment refuses a form naming an unknown one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.forms.display import format_money
from app.models import ProcessInstance
from app.services.classification import cap
from app.services.exposure import check_large_exposure
from app.services.statement_checks import check_statements


def check_within_limit_cap(instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any],
                           locale: str) -> None:
    """A new limit proposed in a review may not exceed the policy cap of the customer's new grade."""
    new_limit, cap = submitted.get("new_limit"), data.get("limit_cap")
    if new_limit is None or cap is None or Decimal(str(new_limit)) <= Decimal(str(cap)):
        return
    raise InvalidInput(_("The new limit is above the policy cap."), {
        "new_limit": _("at most the policy cap for the new grade, %(cap)s", cap=format_money(cap, locale))})


def check_grade_within_class(instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any],
                             locale: str) -> None:
    """A grade the officer adjusts may be no better than the customer's five-category class allows (the cap
    table the process applies anyway): said at once, rather than lowered after the officer sent it."""
    adjusted, loan_class = submitted.get("grade_override"), data.get("loan_class")
    if not adjusted or adjusted == "model" or not loan_class:
        return
    held, rule = cap(loan_class, adjusted)
    if rule is None:
        return
    label = "class_" + loan_class  # the class's name, as the pages name it
    raise InvalidInput(_("The adjusted grade is better than the customer's class allows."), {
        "grade_override": _("at best %(grade)s for a customer classified %(class)s", grade=held, **{"class": _(label)})})


CHECKS = {"large_exposure": check_large_exposure, "within_limit_cap": check_within_limit_cap,
          "statements": check_statements, "grade_within_class": check_grade_within_class}
