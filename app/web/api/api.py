"""The JSON API under /api/v1, authenticated by bearer tokens only (never the session cookie)."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, jsonify, request, url_for

from app.errors import InvalidInput, NotAuthorized
from app.extensions import talisman
from app.services.admin import users
from app.services.attachments import attachments
from app.services.cases import cases as case_service
from app.services.cases import tasks as task_service
from app.services.cases import withdrawal
from app.services.customers.contacts import contact_log, contacts
from app.services.customers.contacts.identity import masked
from app.services.customers.facilities import maturing
from app.services.customers.master import customers as customer_service
from app.services.customers.page import customer_page
from app.services.customers.relationship import my_customers, transfer
from app.services.design.forms import api_description
from app.services.monitoring import observations as observation_service
from app.web.api import openapi as description
from app.web.args import page_number
from app.web.input_guard import lines_allowed
from app.web.monitoring.attachments import file_response, uploaded
from app.web.security_headers import DATA_ONLY_POLICY

api = Blueprint("api", __name__, url_prefix="/api/v1")


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        user = users.user_for_token(header[7:].strip()) if header.startswith("Bearer ") else None
        if user is None:
            return jsonify(error="a valid bearer token is required: 'Authorization: Bearer <token>'"), 401
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object", {"body": "expected a JSON object"})
    return body


def _task_json(task, form=None) -> dict:
    return {"id": task.id, "name": task.name, "case_id": task.instance_id, "process": task.instance.process_id,
            "lane": task.lane, "assignee": task.assignee.username if task.assignee else None,
            "due_at": task.due_at.isoformat() + "Z" if task.due_at else None, "state": task.state,
            "form": form}


def _case_json(instance) -> dict:
    return {"id": instance.id, "reference": instance.reference, "process": instance.process_id,
            "version": instance.definition.version, "status": instance.status, "outcome": instance.outcome,
            "current_step": instance.current_step, "customer_id": instance.customer_id,
            "summary": instance.summary, "started_at": instance.started_at.isoformat() + "Z"}


@api.get("/openapi.json")
def openapi():
    """The API's description, with the start data and task forms of the processes deployed now."""
    return jsonify(description.document(api_description.process_shapes()))


@api.post("/cases")
@token_required
def create_case():
    body = _json_body()
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise InvalidInput("data must be an object", {"data": "expected a JSON object"})
    if not isinstance(body.get("process"), str):
        raise InvalidInput("process is required", {"process": "the process id, e.g. credit_application"})
    instance = case_service.start_case(g.api_user, body["process"], data)
    return jsonify(id=instance.id, status=instance.status, reference=instance.reference), 201


@api.get("/cases/<int:case_id>")
@token_required
def get_case(case_id: int):
    view = case_service.case_view(g.api_user, case_id)
    body = _case_json(view.instance)
    body["tasks"] = [_task_json(t) for t in view.tasks]
    body["decisions"] = [{"decision_id": d.decision_id, "inputs": d.inputs, "matched_rules": d.matched_rules,
                          "outputs": d.outputs} for d in view.decisions]
    return jsonify(body)


@api.post("/cases/<int:case_id>/withdraw")
@token_required
def withdraw_case(case_id: int):
    """Withdraw an application before it is decided: ``{"reason": "..."}``; 409 once decided or withdrawn."""
    body = _json_body()
    reason = body.get("reason")
    instance = withdrawal.withdraw(g.api_user, case_id, reason if isinstance(reason, str) else "",
                                   expected_version=body.get("version") if isinstance(body.get("version"), int) else None)
    return jsonify(_case_json(instance))


@api.get("/cases/<int:case_id>/history")
@token_required
def case_history(case_id: int):
    events = case_service.history(g.api_user, case_id)
    return jsonify([{"id": e.id, "at": e.occurred_at.isoformat() + "Z", "type": e.event_type,
                     "actor": e.actor_name, "payload": e.payload, "hash": e.hash} for e in events])


@api.get("/tasks")
@token_required
def list_tasks():
    return jsonify([_task_json(task, form) for task, form in task_service.api_tasks(g.api_user)])


@api.post("/tasks/<int:task_id>/claim")
@token_required
def claim(task_id: int):
    return jsonify(_task_json(task_service.claim(g.api_user, task_id)))


@api.post("/tasks/<int:task_id>/unclaim")
@token_required
def unclaim(task_id: int):
    return jsonify(_task_json(task_service.unclaim(g.api_user, task_id)))


@api.post("/tasks/<int:task_id>/complete")
@token_required
def complete(task_id: int):
    data = _json_body().get("data")
    if not isinstance(data, dict):
        raise InvalidInput("data is required", {"data": "expected a JSON object with the form's fields"})
    locale = request.accept_languages.best_match(["zh_CN", "en"]) or "en"
    task = task_service.complete(g.api_user, task_id, data, locale=locale)
    return jsonify(_task_json(task))


@api.errorhandler(NotAuthorized)
def refused(exc: NotAuthorized):
    return jsonify(error=exc.message), exc.status


@api.post("/monitoring/observations")
@token_required
def record_observations():
    """One observation (a JSON object), or several at once (``{"observations": [...]}``, all or none)."""
    body = _json_body()
    if "observations" in body:
        items = body["observations"] if isinstance(body["observations"], list) else []
        made = observation_service.record_many(g.api_user, items, "api")
    else:
        made = [observation_service.record(g.api_user, body, "api")]
    return jsonify(observations=[{"id": o.id, "customer_id": o.customer_id,
                                  "observed_on": o.observed_on.isoformat()} for o in made]), 201


def _contact_json(contact) -> dict:
    """A contact as the API shows it: the identity number masked, as on every screen."""
    return {"id": contact.id, "customer_id": contact.customer_id, "name": contact.name, "role": contact.role,
            "phone": contact.phone, "email": contact.email, "id_type": contact.id_type,
            "id_number_masked": masked(contact.id_number) or None, "is_primary": contact.is_primary}


def _entry_json(entry) -> dict:
    done = entry.follow_up_done_at
    return {"id": entry.id, "customer_id": entry.customer_id, "contacted_on": entry.contacted_on.isoformat(),
            "channel": entry.channel, "contact_id": entry.contact_id, "contact_name": entry.contact_name,
            "summary": entry.summary, "follow_up_on": entry.follow_up_on.isoformat() if entry.follow_up_on else None,
            "follow_up_done_at": done.isoformat() + "Z" if done else None,
            "logged_by": entry.logged_by.username if entry.logged_by else None,
            "logged_at": entry.logged_at.isoformat() + "Z"}


def _customer_json(customer) -> dict:
    return {"id": customer.id, "name": customer.name, "uscc": customer.uscc, "industry": customer.industry,
            "size": customer.size, "segment": customer.segment, "group_name": customer.group_name,
            "listed": customer.listed, "credit_record": customer.credit_record, "grade": customer.grade,
            "loan_class": customer.loan_class, "watchlist": customer.watchlist,
            "next_review_on": customer.next_review_on.isoformat() if customer.next_review_on else None}


def _money(amount) -> str | None:
    return None if amount is None else f"{amount:.2f}"


@api.get("/customers")
@token_required
def list_customers():
    """Customers by name, credit code or group (``?q=``), 50 a page (``?page=``), by name."""
    page = page_number()
    rows, total = customer_service.list_customers(g.api_user, request.args.get("q") or None, page=page)
    return jsonify(customers=[_customer_json(c) for c in rows], total=total, page=page)


@api.get("/customers/<int:customer_id>")
@token_required
def show_customer(customer_id: int):
    """A customer's master data, facilities and exposure (its own and its group's live limits)."""
    found = customer_page.record(g.api_user, customer_id)
    exposure = found.exposure
    return jsonify({**_customer_json(found.customer),
                    "exposure": {"customer_limit": _money(exposure.customer_limit),
                                 "live_facilities": exposure.live_facilities,
                                 "group_limit": _money(exposure.group_limit), "group_members": exposure.group_members},
                    "facilities": [{"id": f.id, "case_id": f.instance_id, "status": f.status,
                                    "limit": _money(f.limit_amount), "margin_pct": _money(f.margin_pct),
                                    "term_months": f.term_months, "grade": f.grade,
                                    "decided_at": f.decided_at.isoformat() + "Z"} for f in found.customer.facilities]})


@api.get("/customers/<int:customer_id>/contacts")
@token_required
def list_contacts(customer_id: int):
    """The customer's current contacts (客户联系人), the primary first."""
    return jsonify(contacts=[_contact_json(c) for c in contacts.listing(g.api_user, customer_id)])


@api.post("/customers/<int:customer_id>/contacts")
@token_required
def add_contact(customer_id: int):
    """Add a contact (the customer's officer or a risk manager); errors name the field."""
    return jsonify(_contact_json(contacts.add(g.api_user, customer_id, _json_body()))), 201


@api.get("/customers/<int:customer_id>/contact-log")
@token_required
def list_contact_log(customer_id: int):
    """The customer's contact log, newest first; ``?q=`` keeps the entries whose summary or person holds it."""
    entries = contact_log.of_customer(g.api_user, customer_id, request.args.get("q") or None, field="q")
    return jsonify(entries=[_entry_json(e) for e in entries])


@api.post("/customers/<int:customer_id>/contact-log")
@token_required
def add_contact_log(customer_id: int):
    """Log a contact with the customer, as the token's user."""
    return jsonify(_entry_json(contact_log.add(g.api_user, customer_id, _json_body()))), 201


def _time(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def _document_json(a) -> dict:
    """An attached document's metadata; its bytes at ``content_url``."""
    return {"id": a.id, "customer_id": a.customer_id, "case_id": a.instance_id, "warning_id": a.warning_id,
            "checklist_item": a.checklist_item, "kind": a.kind, "title": a.title, "note": a.note,
            "file_name": a.file_name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "uploaded_by": a.uploaded_by.username if a.uploaded_by else None, "uploaded_at": _time(a.uploaded_at),
            "deleted_at": _time(a.deleted_at), "deleted_by": a.deleted_by.username if a.deleted_by else None,
            "delete_reason": a.delete_reason,
            "content_url": url_for("api.document_content", attachment_id=a.id)}


@api.get("/customers/<int:customer_id>/documents")
@token_required
def list_documents(customer_id: int):
    """The customer's documents (资料), its cases' and warnings' too, newest first."""
    return jsonify(documents=[_document_json(a) for a in attachments.of_customer(g.api_user, customer_id)])


@api.post("/customers/<int:customer_id>/documents")
@lines_allowed("note")
@token_required
def attach_document(customer_id: int):
    """Attach a document (multipart/form-data: ``file`` and the fields); ``case_id`` attaches it to one of the
    customer's cases. A refused file is a 422 naming it and why."""
    attachment = attachments.attach_via_customer(g.api_user, customer_id, uploaded(), request.form)
    return jsonify(_document_json(attachment)), 201


@api.get("/documents/<int:attachment_id>")
@token_required
def get_document(attachment_id: int):
    return jsonify(_document_json(attachments.get(g.api_user, attachment_id)))


@api.get("/documents/<int:attachment_id>/content")
@talisman(content_security_policy=DATA_ONLY_POLICY)
@token_required
def document_content(attachment_id: int):
    """The file's bytes, as an attachment, with the type detected when it was attached."""
    attachment, data = attachments.content(g.api_user, attachment_id)
    return file_response(attachment, data, inline=False)


def _facility_json(term) -> dict:
    """A facility with its dates and its renewal (续授信), as the customer's page shows it."""
    f = term.facility
    return {"id": f.id, "customer_id": f.customer_id, "case_id": f.instance_id, "reference": f.instance.reference,
            "status": f.status, "limit_amount": str(f.limit_amount),
            "margin_pct": str(f.margin_pct) if f.margin_pct is not None else None, "term_months": f.term_months,
            "grade": f.grade, "decided_at": f.decided_at.isoformat() + "Z",
            "start_on": f.start_on.isoformat() if f.start_on else None,
            "matures_on": f.matures_on.isoformat() if f.matures_on else None, "days_left": term.days_left,
            "renews_facility_id": f.renews_facility_id,
            "renewal": {"state": term.renewal_state, "case_id": term.renewal.id if term.renewal else None,
                        "reference": term.renewal.reference if term.renewal else None}}


@api.get("/customers/<int:customer_id>/facilities")
@token_required
def list_facilities(customer_id: int):
    """The customer's facilities (授信额度), newest first, with their start and maturity dates and renewal."""
    return jsonify(facilities=[_facility_json(t) for t in maturing.of_customer(g.api_user, customer_id)])


def _book_row_json(row) -> dict:
    c = row.customer
    return {"id": c.id, "name": c.name, "uscc": c.uscc, "industry": c.industry, "grade": c.grade,
            "loan_class": c.loan_class, "officer": row.officer.username if row.officer else None,
            "team": row.officer.team if row.officer else None, "live_limit": str(row.live_limit),
            "next_review_on": c.next_review_on.isoformat() if c.next_review_on else None,
            "next_maturity": row.next_maturity.isoformat() if row.next_maturity else None,
            "open_warnings": row.open_warnings}


@api.get("/customers/mine")
@token_required
def my_customer_list():
    """My customers (我的客户): an officer's own, a manager's branch's or the bank's; filtered (the query string
    as on the page), with totals; a filter that cannot be read is a 422 naming it."""
    book = my_customers.page(g.api_user, request.args, page_number(), strict=True)
    return jsonify(scope=book.scope.kind, total=book.total, live_limit=str(book.live_limit), page=book.page,
                   per_page=book.per_page, by_class=[{"loan_class": c.loan_class, "customers": c.customers,
                                                      "live_limit": str(c.live_limit)} for c in book.by_class],
                   customers=[_book_row_json(r) for r in book.rows])


@api.post("/customers/<int:customer_id>/officer")
@token_required
def transfer_customer(customer_id: int):
    """Assign or transfer the customer to another officer (客户移交; a relationship manager), with a reason; the
    open tasks its former officer held go along."""
    body = _json_body()
    done = transfer.transfer(g.api_user, [customer_id], body.get("officer"), body.get("reason"))
    return jsonify(customer_id=customer_id, officer=done.officer.username, officer_before=done.before[customer_id],
                   tasks_moved=done.tasks_moved)
