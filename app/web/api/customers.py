"""Customers in the JSON API: find customers, read one with its facilities and exposure, list its facilities
(授信额度) with their dates and renewal; my customers (我的客户) with totals, and transferring a customer to
another officer (客户移交). Routed in ``app.web.api.api``."""

from __future__ import annotations

from flask import g, jsonify, request

from app.services.customers.facilities import maturing
from app.services.customers.master import customers as customer_service
from app.services.customers.page import customer_page
from app.services.customers.relationship import my_customers, transfer
from app.web.api.shared import json_body, token_required
from app.web.args import page_number


def _customer_json(customer) -> dict:
    return {
        "id": customer.id,
        "name": customer.name,
        "uscc": customer.uscc,
        "industry": customer.industry,
        "size": customer.size,
        "segment": customer.segment,
        "group_name": customer.group_name,
        "listed": customer.listed,
        "credit_record": customer.credit_record,
        "grade": customer.grade,
        "loan_class": customer.loan_class,
        "watchlist": customer.watchlist,
        "next_review_on": customer.next_review_on.isoformat() if customer.next_review_on else None,
    }


def _money(amount) -> str | None:
    return None if amount is None else f"{amount:.2f}"


@token_required
def list_customers():
    """Customers by name, credit code or group (``?q=``), 50 a page (``?page=``), by name."""
    page = page_number()
    rows, total = customer_service.list_customers(g.api_user, request.args.get("q") or None, page=page)
    return jsonify(customers=[_customer_json(c) for c in rows], total=total, page=page)


@token_required
def show_customer(customer_id: int):
    """A customer's master data, facilities and exposure (its own and its group's live limits)."""
    found = customer_page.record(g.api_user, customer_id)
    exposure = found.exposure
    return jsonify(
        {
            **_customer_json(found.customer),
            "exposure": {
                "customer_limit": _money(exposure.customer_limit),
                "live_facilities": exposure.live_facilities,
                "group_limit": _money(exposure.group_limit),
                "group_members": exposure.group_members,
            },
            "facilities": [
                {
                    "id": f.id,
                    "case_id": f.instance_id,
                    "status": f.status,
                    "limit": _money(f.limit_amount),
                    "margin_pct": _money(f.margin_pct),
                    "term_months": f.term_months,
                    "grade": f.grade,
                    "decided_at": f.decided_at.isoformat() + "Z",
                }
                for f in found.customer.facilities
            ],
        }
    )


def _facility_json(term) -> dict:
    """A facility with its dates and its renewal (续授信), as the customer's page shows it."""
    f = term.facility
    return {
        "id": f.id,
        "customer_id": f.customer_id,
        "case_id": f.instance_id,
        "reference": f.instance.reference,
        "status": f.status,
        "limit_amount": str(f.limit_amount),
        "margin_pct": str(f.margin_pct) if f.margin_pct is not None else None,
        "term_months": f.term_months,
        "grade": f.grade,
        "decided_at": f.decided_at.isoformat() + "Z",
        "start_on": f.start_on.isoformat() if f.start_on else None,
        "matures_on": f.matures_on.isoformat() if f.matures_on else None,
        "days_left": term.days_left,
        "renews_facility_id": f.renews_facility_id,
        "renewal": {
            "state": term.renewal_state,
            "case_id": term.renewal.id if term.renewal else None,
            "reference": term.renewal.reference if term.renewal else None,
        },
    }


@token_required
def list_facilities(customer_id: int):
    """The customer's facilities (授信额度), newest first, with their start and maturity dates and renewal."""
    return jsonify(facilities=[_facility_json(t) for t in maturing.of_customer(g.api_user, customer_id)])


def _book_row_json(row) -> dict:
    c = row.customer
    return {
        "id": c.id,
        "name": c.name,
        "uscc": c.uscc,
        "industry": c.industry,
        "grade": c.grade,
        "loan_class": c.loan_class,
        "officer": row.officer.username if row.officer else None,
        "team": row.officer.team if row.officer else None,
        "live_limit": str(row.live_limit),
        "next_review_on": c.next_review_on.isoformat() if c.next_review_on else None,
        "next_maturity": row.next_maturity.isoformat() if row.next_maturity else None,
        "open_warnings": row.open_warnings,
    }


@token_required
def my_customer_list():
    """My customers (我的客户): an officer's own, a manager's branch's or the bank's; filtered (the query string
    as on the page), with totals; a filter that cannot be read is a 422 naming it."""
    book = my_customers.page(g.api_user, request.args, page_number(), strict=True)
    return jsonify(
        scope=book.scope.kind,
        total=book.total,
        live_limit=str(book.live_limit),
        page=book.page,
        per_page=book.per_page,
        by_class=[
            {"loan_class": c.loan_class, "customers": c.customers, "live_limit": str(c.live_limit)}
            for c in book.by_class
        ],
        customers=[_book_row_json(r) for r in book.rows],
    )


@token_required
def transfer_customer(customer_id: int):
    """Assign or transfer the customer to another officer (客户移交; a relationship manager), with a reason; the
    open tasks its former officer held go along."""
    body = json_body()
    done = transfer.transfer(g.api_user, [customer_id], body.get("officer"), body.get("reason"))
    return jsonify(
        customer_id=customer_id,
        officer=done.officer.username,
        officer_before=done.before[customer_id],
        tasks_moved=done.tasks_moved,
    )
