"""What a form offers from the bank's records while the case holds nothing for a field yet: a form names them in
``"x-offers"``, field by offer (``{"statements": "statements_on_file"}``: the statements step of an application
for a customer the bank knows opens with its latest statements on file).

An offer only fills the form the person sees; nothing is stored until they send it, checked as what they type
is. A deployment refuses a form naming an offer that does not exist or a field the form does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.models import ProcessInstance
from app.services.customers.master import known


def _statements_on_file(instance: ProcessInstance, data: Mapping[str, Any]) -> Any:
    return known.statements_on_file(instance.customer_id) if instance.customer_id else None


OFFERS: dict[str, Callable[[ProcessInstance, Mapping[str, Any]], Any]] = {
    "statements_on_file": _statements_on_file
}


def offered(schema: Mapping[str, Any], instance: ProcessInstance, data: Mapping[str, Any]) -> dict[str, Any]:
    """The values the form offers for the fields ``data`` leaves empty."""
    found = {}
    for name, offer in (schema.get("x-offers") or {}).items():
        if data.get(name) in (None, "", []) and offer in OFFERS:
            value = OFFERS[offer](instance, data)
            if value:
                found[name] = value
    return found


def problems(schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with a form's ``x-offers``, as readable lines."""
    offers = schema.get("x-offers")
    if offers is None:
        return []
    if not isinstance(offers, Mapping) or not all(isinstance(v, str) for v in offers.values()):
        return ["x-offers: must map field names to offer names"]
    fields = schema.get("properties") or {}
    return [f"x-offers: {name!r} is not a property" for name in offers if name not in fields] + [
        f"x-offers: no offer named {offer!r} ({', '.join(OFFERS)})"
        for offer in offers.values()
        if offer not in OFFERS
    ]
