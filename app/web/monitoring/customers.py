"""The customer list and a customer's page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.services.customers import customers as customer_service
from app.services.monitoring import classification
from app.services.monitoring import observations as observation_service
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
    customer = customer_service.get_customer(current_user, customer_id)
    watched = observation_service.latest_for(customer_id) if current_user.role in observation_service.MAY_READ else []
    return render_template("customers/show.html", customer=customer,
                           cases=customer_service.cases_of(customer_id), observations=watched,
                           warnings=customer_service.warnings_of(customer_id),
                           rating_history=classification.history_of(customer_id))
