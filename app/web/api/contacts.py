"""A customer's people in the JSON API: its contacts (客户联系人) and the log of contacts with it (联系记录),
each listed and added to. Routed in ``app.web.api.api``."""

from __future__ import annotations

from flask import g, jsonify, request

from app.services.customers.contacts import contact_log, contacts
from app.services.customers.contacts.identity import masked
from app.web.api.shared import json_body, token_required


def _contact_json(contact) -> dict:
    """A contact as the API shows it: the identity number masked, as on every screen."""
    return {
        "id": contact.id,
        "customer_id": contact.customer_id,
        "name": contact.name,
        "role": contact.role,
        "phone": contact.phone,
        "email": contact.email,
        "id_type": contact.id_type,
        "id_number_masked": masked(contact.id_number) or None,
        "is_primary": contact.is_primary,
    }


def _entry_json(entry) -> dict:
    done = entry.follow_up_done_at
    return {
        "id": entry.id,
        "customer_id": entry.customer_id,
        "contacted_on": entry.contacted_on.isoformat(),
        "channel": entry.channel,
        "contact_id": entry.contact_id,
        "contact_name": entry.contact_name,
        "summary": entry.summary,
        "follow_up_on": entry.follow_up_on.isoformat() if entry.follow_up_on else None,
        "follow_up_done_at": done.isoformat() + "Z" if done else None,
        "logged_by": entry.logged_by.username if entry.logged_by else None,
        "logged_at": entry.logged_at.isoformat() + "Z",
    }


@token_required
def list_contacts(customer_id: int):
    """The customer's current contacts (客户联系人), the primary first."""
    return jsonify(contacts=[_contact_json(c) for c in contacts.listing(g.api_user, customer_id)])


@token_required
def add_contact(customer_id: int):
    """Add a contact (the customer's officer or a risk manager); errors name the field."""
    return jsonify(_contact_json(contacts.add(g.api_user, customer_id, json_body()))), 201


@token_required
def list_contact_log(customer_id: int):
    """The customer's contact log, newest first; ``?q=`` keeps the entries whose summary or person holds it."""
    entries = contact_log.of_customer(g.api_user, customer_id, request.args.get("q") or None, field="q")
    return jsonify(entries=[_entry_json(e) for e in entries])


@token_required
def add_contact_log(customer_id: int):
    """Log a contact with the customer, as the token's user."""
    return jsonify(_entry_json(contact_log.add(g.api_user, customer_id, json_body()))), 201
