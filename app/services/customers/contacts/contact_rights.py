"""Who may read and who may write a customer's contacts and contact log: one place for the rule.

Reading follows who may read the customer (``customers.get_customer``). Writing (a contact, a log entry, a
follow-up done) is for the customer's own officer (客户经理) and the risk managers; compliance reads only,
designers and administrators neither write nor (designers) read.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.errors import NotAuthorized
from app.models import Customer, User
from app.services.customers.master import customers

MANAGERS = {"risk_manager"}  # write for every customer, and search the bank's whole contact log


def readable_customer(user: User, customer_id: int) -> Customer:
    """The customer, when ``user`` may read it (403 for a role that may not, 404 for none)."""
    return customers.get_customer(user, customer_id)


def may_write(user: User, customer: Customer) -> bool:
    return user.role in MANAGERS or (user.role == "officer" and customer.officer_id == user.id)


def writable_customer(user: User, customer_id: int) -> Customer:
    """The customer, when ``user`` may change its contacts and log; refused otherwise."""
    customer = readable_customer(user, customer_id)
    if not may_write(user, customer):
        raise NotAuthorized(
            _("Only the customer's officer or a risk manager may change its contacts and contact log.")
        )
    return customer


def check_manager(user: User) -> None:
    if user.role not in MANAGERS:
        raise NotAuthorized(_("Only risk managers may search the whole bank's contact log."))
