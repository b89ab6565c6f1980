"""A customer's contacts and contact log: the forms reached from the customer's page, a follow-up marked
done, and the risk managers' search of the bank's whole log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.customers.contacts import contact_log, contacts, follow_ups
from app.services.customers.contacts.contact_rights import writable_customer
from app.web.args import page_number
from app.web.auth.auth import safe_next
from app.web.input_guard import lines_allowed

contact_pages = Blueprint("contacts", __name__)


def _contact_form(customer, contact, entered, errors):
    return render_template(
        "contacts/contact_form.html",
        customer=customer,
        contact=contact,
        entered=entered,
        errors=errors,
        roles=contacts.ROLES,
        id_types=contacts.ID_TYPES,
    ), 422 if errors else 200


def _to_customer(customer_id: int, anchor: str):
    return redirect(url_for("customers.show", customer_id=customer_id, _anchor=anchor))


@contact_pages.route("/customers/<int:customer_id>/contacts/new", methods=["GET", "POST"])
@login_required
def new_contact(customer_id: int):
    """Add a contact (the customer's officer or a risk manager)."""
    customer = writable_customer(current_user, customer_id)
    if request.method == "POST":
        try:
            contacts.add(current_user, customer_id, request.form)
        except InvalidInput as exc:
            return _contact_form(customer, None, request.form, exc.errors)
        flash(_("Contact added."))
        return _to_customer(customer_id, "contacts")
    return _contact_form(customer, None, {}, {})


@contact_pages.route("/customers/<int:customer_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def edit_contact(customer_id: int, contact_id: int):
    """Change a contact; the form holds the whole identity number (only those who may edit see it)."""
    customer = writable_customer(current_user, customer_id)
    contact = contacts.get(current_user, customer_id, contact_id)
    if request.method == "POST":
        try:
            contacts.edit(current_user, customer_id, contact_id, request.form)
        except InvalidInput as exc:
            return _contact_form(customer, contact, request.form, exc.errors)
        flash(_("Contact saved."))
        return _to_customer(customer_id, "contacts")
    return _contact_form(
        customer, contact, {name: getattr(contact, name) or "" for name in contacts.EDITABLE}, {}
    )


@contact_pages.route("/customers/<int:customer_id>/contacts/<int:contact_id>/remove", methods=["POST"])
@login_required
def remove_contact(customer_id: int, contact_id: int):
    """Take the contact off the list (kept for the log and the audit trail)."""
    contact = contacts.remove(current_user, customer_id, contact_id)
    flash(_("Contact %(name)s removed.", name=contact.name))
    return _to_customer(customer_id, "contacts")


@contact_pages.route("/customers/<int:customer_id>/contact-log/new", methods=["GET", "POST"])
@lines_allowed("summary")
@login_required
def new_entry(customer_id: int):
    """Log a contact with the customer, and the follow-up it asks for."""
    customer = writable_customer(current_user, customer_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            contact_log.add(current_user, customer_id, request.form)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Contact logged."))
            return _to_customer(customer_id, "contact-log")
    return render_template(
        "contacts/entry_form.html",
        customer=customer,
        entered=request.form,
        errors=errors,
        channels=contact_log.CHANNELS,
        contacts=contacts.current(customer_id),
    ), 422 if errors else 200


@contact_pages.route("/contact-log/<int:entry_id>/done", methods=["POST"])
@login_required
def follow_up_done(entry_id: int):
    """Mark a follow-up done; back to where it was done from (my tasks, the customer's page)."""
    entry = follow_ups.done(current_user, entry_id)
    flash(_("Follow-up with %(customer)s done.", customer=entry.customer.name))
    return redirect(safe_next(request.form.get("next")))


@contact_pages.route("/contact-log")
@login_required
def search_log():
    """The bank's contact log, searched by customer (name or credit code) and text (risk managers)."""
    page = page_number()
    rows, total = contact_log.search(
        current_user, request.args.get("customer"), request.args.get("q"), page=page
    )
    return render_template(
        "contacts/search.html", rows=rows, total=total, page=page, channels=contact_log.CHANNELS
    )
