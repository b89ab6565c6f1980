"""The customer list and a customer's page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.services.customers.contacts import contact_log, contacts
from app.services.customers.guarantees import register
from app.services.customers.master import customers as customer_service
from app.services.customers.page import customer_page
from app.web.args import page_number

customers = Blueprint("customers", __name__)


@customers.route("/customers")
@login_required
def index():
    page = page_number()
    rows, total = customer_service.list_customers(current_user, request.args.get("q") or None, page=page)
    return render_template("customers/list.html", rows=rows, total=total, page=page)


@customers.route("/customers/<int:customer_id>")
@login_required
def show(customer_id: int):
    """The customer, its contacts and one timeline of its contact log, cases and warnings (``log_q``
    searches the log)."""
    view = customer_page.page(current_user, customer_id, request.args.get("log_q") or None)
    return render_template(
        "customers/show.html",
        view=view,
        customer=view.customer,
        cases=view.cases,
        observations=view.observations,
        warnings=view.warnings,
        rating_history=view.rating_history,
        roles=contacts.ROLES,
        channels=contact_log.CHANNELS,
        guarantee_kinds=register.KINDS,
    )
