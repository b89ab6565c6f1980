"""Intake picks an existing customer: a form that names its customer (writable ``customer_name`` and ``uscc``,
the application's intake) offers a search of the bank's customers by name or credit code, and a customer
picked fills the form with what the bank knows of it (``customers.known``): its name, credit code, group,
industry, size, credit record and whether it is listed. Its statements on file fill the statements step later
(``design.forms.form_offers``), once the intake has linked the case to the customer by its credit code.

The officer searches the customers they may read (``customers.search_customers``); a customer not found is
typed in as before and created at intake as a prospect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.models import Customer, User
from app.services.customers.master import customers
from app.services.customers.master.known import Known, known_of
from app.services.design.forms.forms import writable_fields

NAMING_FIELDS = ("customer_name", "uscc")  # a form with these writable names its customer
MATCHES = 10
QUERY_FIELD = "customer_q"


@dataclass(frozen=True)
class Pick:
    """The picker above a form: the search typed, its first hits, and the customer picked (if any)."""

    query: str | None = None
    matches: list[Customer] = field(default_factory=list)
    chosen: Known | None = None

    def fill(self, data: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` with the picked customer's fields written over it (those the form has)."""
        if self.chosen is None:
            return dict(data)
        writable = writable_fields(schema)
        return {**data, **{k: v for k, v in self.chosen.fields.items() if k in writable}}


def offers_pick(schema: Mapping[str, Any]) -> bool:
    return set(NAMING_FIELDS) <= writable_fields(schema)


def search(user: User, schema: Mapping[str, Any], query: str | None) -> list[Customer]:
    """The customers ``user`` may read whose name or credit code holds ``query`` (none for another form)."""
    if not offers_pick(schema) or user.role not in customers.READERS:
        return []
    return customers.search_customers(user, query, MATCHES, field=QUERY_FIELD)


def pick(user: User, schema: Mapping[str, Any], query: str | None, customer_id: int | None) -> Pick | None:
    """The picker of a form that names its customer (None for any other form, or a user who reads no
    customers): the hits of ``query`` and the customer ``customer_id`` picked (404 if none, 403 if unreadable)."""
    if not offers_pick(schema) or user.role not in customers.READERS:
        return None
    chosen = known_of(customers.get_customer(user, customer_id)) if customer_id is not None else None
    return Pick(query, search(user, schema, query) if query else [], chosen)
