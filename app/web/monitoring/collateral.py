"""Collateral (押品): the form that records an item on a borrower (reached from its page), the item's page with its
valuations, the facilities it secures (edited there), its insurance, its release and a revaluation started by
hand, and the collateral of the whole book (due for revaluation, short of the limit, insurance expiring)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.customers.collateral import book as book_service
from app.services.customers.collateral import item_page, register, revaluation
from app.services.customers.collateral.fields import KINDS

collateral_pages = Blueprint("collateral", __name__)
collateral_pages.add_app_template_global(lambda code: str(KINDS.get(code, code)), "collateral_kind")


@collateral_pages.route("/customers/<int:customer_id>/collateral/new", methods=["GET", "POST"])
@login_required
def new_item(customer_id: int):
    """Record an item securing the customer's credit (its officer or a manager of its relationship)."""
    choices = register.form(current_user, customer_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            item = register.record(current_user, customer_id, request.form)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Collateral recorded."))
            return redirect(url_for("collateral.show", item_id=item.id))
    entered = request.form if request.method == "POST" else {"owner_name": choices.customer.name}
    return render_template(
        "collateral/form.html", form=choices, kinds=KINDS, entered=entered, errors=errors
    ), 422 if errors else 200


def _page(errors: dict[str, str] | None = None, entered=None, status: int = 200, *, item_id: int):
    return render_template(
        "collateral/show.html",
        view=item_page.page(current_user, item_id),
        errors=errors or {},
        entered=entered or {},
    ), status


@collateral_pages.route("/collateral/<int:item_id>")
@login_required
def show(item_id: int):
    """The item: its details, valuations with their reports, the facilities it secures and their LTV."""
    return _page(item_id=item_id)


@collateral_pages.route("/collateral/<int:item_id>/links", methods=["POST"])
@login_required
def links(item_id: int):
    """Change the facilities the item secures and their shares."""
    try:
        register.set_links(current_user, item_id, request.form)
    except InvalidInput as exc:
        return _page(exc.errors, request.form, 422, item_id=item_id)
    flash(_("The facilities secured were saved."))
    return redirect(url_for("collateral.show", item_id=item_id, _anchor="links"))


@collateral_pages.route("/collateral/<int:item_id>/insurance", methods=["POST"])
@login_required
def insurance(item_id: int):
    """Record the item's insurance, renewed or changed."""
    try:
        register.set_insurance(current_user, item_id, request.form)
    except InvalidInput as exc:
        return _page(exc.errors, request.form, 422, item_id=item_id)
    flash(_("The insurance was saved."))
    return redirect(url_for("collateral.show", item_id=item_id, _anchor="insurance"))


@collateral_pages.route("/collateral/<int:item_id>/release", methods=["POST"])
@login_required
def release(item_id: int):
    """Release the item (解除抵质押); back to the borrower's page."""
    item = register.release(current_user, item_id)
    flash(_("Collateral released."))
    return redirect(url_for("customers.show", customer_id=item.customer_id, _anchor="collateral"))


@collateral_pages.route("/collateral/<int:item_id>/revaluation", methods=["POST"])
@login_required
def revalue(item_id: int):
    """Start a revaluation of the item now; on to its case."""
    case = revaluation.start_now(current_user, item_id)
    flash(_("Revaluation %(reference)s started.", reference=case.reference))
    return redirect(url_for("cases.show", case_id=case.id))


@collateral_pages.route("/collateral")
@login_required
def book():
    """The collateral of the whole book: due for revaluation, short of the limit, insurance expiring."""
    return render_template("collateral/book.html", book=book_service.of_book(current_user))
