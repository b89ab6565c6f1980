"""What a visit's record must hold beyond what its form checks (the form names it: ``"x-checks":
["inspection_record"]``), each refusal naming its field:

- the visit was made: not after today (Beijing), nor before the inspection could have been made — the drawdown
  it traces for a first inspection, the last signed-off visit otherwise (``earliest_visit_on``);
- funds diverted from the agreed purpose are a finding: one on the use of funds, of medium or high severity
  (挪用贷款资金须记录为“资金用途”方面的中、高级问题).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from app.errors import InvalidInput
from app.localtime import local_today
from app.models import ProcessInstance


def check_inspection_record(
    instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any], locale: str
) -> None:
    """Refuse a record whose visit date cannot be, or that finds funds diverted without saying so."""
    errors: dict[str, str] = {}
    visited = _date(submitted.get("visited_on"))
    earliest = _date(data.get("earliest_visit_on"))
    if visited is not None and visited > local_today():
        errors["visited_on"] = _(
            "The visit cannot be after today (%(today)s).", today=local_today().isoformat()
        )
    elif visited is not None and earliest is not None and visited < earliest:
        errors["visited_on"] = _(
            "The visit cannot be before %(date)s (the drawdown it traces, or the last visit signed off).",
            date=earliest.isoformat(),
        )
    if submitted.get("funds_match_purpose") == "diverted" and not any(
        isinstance(f, dict) and f.get("area") == "use_of_funds" and f.get("severity") in ("medium", "high")
        for f in submitted.get("findings") or ()
    ):
        errors["findings"] = _(
            "Funds diverted from the agreed purpose: record it as a finding on the use of funds, of medium or "
            "high severity."
        )
    if errors:
        raise InvalidInput(_("The inspection record has errors."), errors)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
