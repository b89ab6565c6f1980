"""My customers (我的客户) and transferring customers to another officer (客户移交): the list with its filters
and totals, the bulk transfer posted from it, and the transfer of one customer from its page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.customers.relationship import book_filter, my_customers, transfer
from app.web.args import page_number
from app.web.input_guard import lines_allowed

my_customer_pages = Blueprint("my_customers", __name__)


def _book_page(args, errors: dict | None = None, message: str | None = None, entered=None):
    book = my_customers.page(current_user, args, page_number() if args is request.args else _page_of(args))
    status = 422 if (book.errors or errors) else 200
    return render_template(
        "customers/mine.html",
        book=book,
        classes=book_filter.CLASSES,
        grades=book_filter.RATINGS,
        industries=book_filter.INDUSTRIES,
        sorts=book_filter.SORTS,
        transfer_errors=errors or {},
        transfer_message=message,
        entered=entered or {},
    ), status


def _page_of(args) -> int:
    raw = args.get("page") or ""
    return int(raw) if raw.isdigit() and 0 < len(raw) < 10 else 1


@my_customer_pages.route("/customers/mine")
@login_required
def index():
    """An officer's customers; a manager's branch's (or the bank's), by officer and team; filtered, with totals."""
    return _book_page(request.args)


@my_customer_pages.route("/customers/transfer", methods=["POST"])
@lines_allowed("reason")
@login_required
def transfer_many():
    """Transfer the customers ticked on "my customers" to one officer, for one reason (all or none)."""
    back = dict(parse_qsl(request.form.get("back") or "", keep_blank_values=False))
    try:
        done = transfer.transfer(
            current_user,
            request.form.getlist("customer_ids"),
            request.form.get("officer"),
            request.form.get("reason"),
        )
    except InvalidInput as exc:
        return _book_page(back, exc.errors, exc.message, request.form)
    flash(
        _(
            "%(count)s customer(s) transferred to %(officer)s; %(tasks)s open task(s) went with them.",
            count=len(done.customers),
            officer=done.officer.display_name,
            tasks=done.tasks_moved,
        )
    )
    return redirect(url_for("my_customers.index") + ("?" + urlencode(back) if back else ""))


@my_customer_pages.route("/customers/<int:customer_id>/officer", methods=["GET", "POST"])
@lines_allowed("reason")
@login_required
def transfer_one(customer_id: int):
    """Assign or transfer one customer (a manager, from the customer's page)."""
    errors: dict[str, str] = {}
    message = None
    if request.method == "POST":
        try:
            done = transfer.transfer(
                current_user, [customer_id], request.form.get("officer"), request.form.get("reason")
            )
        except InvalidInput as exc:
            errors, message = exc.errors, exc.message
        else:
            flash(
                _(
                    "%(customer)s transferred to %(officer)s; %(tasks)s open task(s) went with it.",
                    customer=done.customers[0].name,
                    officer=done.officer.display_name,
                    tasks=done.tasks_moved,
                )
            )
            return redirect(url_for("customers.show", customer_id=customer_id, _anchor="officer"))
    form = transfer.transfer_form(current_user, customer_id)
    return render_template(
        "customers/transfer.html",
        form=form,
        customer=form.customer,
        errors=errors,
        message=message,
        entered=request.form,
    ), 422 if errors else 200
