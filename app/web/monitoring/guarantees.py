"""Guarantees (担保): the form that records one on a borrower (reached from its page), its release, and the
guarantee circles (担保圈) and long chains of the whole book."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.customers.guarantees import circles_kept, register

guarantee_pages = Blueprint("guarantees", __name__)


def _to_customer(customer_id: int):
    return redirect(url_for("customers.show", customer_id=customer_id, _anchor="guarantees"))


@guarantee_pages.route("/customers/<int:customer_id>/guarantees/new", methods=["GET", "POST"])
@login_required
def new_guarantee(customer_id: int):
    """Record a guarantee given for the customer (its officer or a manager of its relationship)."""
    choices = register.form(current_user, customer_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            register.record(current_user, customer_id, request.form)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Guarantee recorded."))
            return _to_customer(customer_id)
    return render_template(
        "guarantees/form.html",
        customer=choices.customer,
        facilities=choices.facilities,
        kinds=register.KINDS,
        entered=request.form,
        errors=errors,
    ), 422 if errors else 200


@guarantee_pages.route("/guarantees/<int:guarantee_id>/release", methods=["POST"])
@login_required
def release(guarantee_id: int):
    """Release a guarantee (解除担保); back to the borrower's page."""
    guarantee = register.release(current_user, guarantee_id)
    flash(_("Guarantee released."))
    return _to_customer(guarantee.customer_id)


@guarantee_pages.route("/guarantees/circles")
@login_required
def circles_page():
    """The guarantee circles and the chains longer than the policy, over the whole book."""
    return render_template("guarantees/circles.html", found=circles_kept.of_book(current_user))


@guarantee_pages.route("/guarantees/circles/scan", methods=["POST"])
@login_required
def scan_circles():
    """A risk manager asks for a scan of the whole guarantee network now (queued, as the beat's)."""
    circles_kept.request_scan(current_user)
    flash(_("The scan of the guarantee network is queued; the page shows it when it has run."))
    return redirect(url_for("guarantees.circles_page"))
