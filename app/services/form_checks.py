"""Checks a form names in ``"x-checks"`` that need the bank's records or the case beyond the form: each
refuses a submission with a message naming the field. A deployment refuses a form naming an unknown one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.forms.display import format_money
from app.models import ProcessInstance
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


CHECKS = {"large_exposure": check_large_exposure, "within_limit_cap": check_within_limit_cap,
          "statements": check_statements}
