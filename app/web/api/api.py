"""The JSON API under /api/v1, authenticated by bearer tokens only (never the session cookie).

This module holds the blueprint, its URL table and its error handler; the views live in a module per room
(``cases``, ``monitoring``, ``connectors``, ``customers``, ``contacts``, ``documents``, ``guarantees``, ``collateral``,
``inspections``, ``models``), the token check in ``shared``. The
routes are registered here, in one table, so every endpoint keeps its name (``api.<view>``) and no module
has to be imported for what it does on import."""

from __future__ import annotations

from flask import Blueprint, jsonify

from app.errors import NotAuthorized
from app.services.design.forms import api_description
from app.web.api import (
    cases,
    collateral,
    connectors,
    contacts,
    customers,
    documents,
    guarantees,
    inspections,
    models,
    monitoring,
)
from app.web.api import openapi as description

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.get("/openapi.json")
def openapi():
    """The API's description, with the start data and task forms of the processes deployed now."""
    return jsonify(description.document(api_description.process_shapes()))


@api.errorhandler(NotAuthorized)
def refused(exc: NotAuthorized):
    return jsonify(error=exc.message), exc.status


# Each rule, its method and its view; the endpoint is the view's name.
_ROUTES = [
    ("/cases", "POST", cases.create_case),
    ("/cases/<int:case_id>", "GET", cases.get_case),
    ("/cases/<int:case_id>/withdraw", "POST", cases.withdraw_case),
    ("/cases/<int:case_id>/history", "GET", cases.case_history),
    ("/tasks", "GET", cases.list_tasks),
    ("/tasks/<int:task_id>/claim", "POST", cases.claim),
    ("/tasks/<int:task_id>/unclaim", "POST", cases.unclaim),
    ("/tasks/<int:task_id>/complete", "POST", cases.complete),
    ("/monitoring/observations", "POST", monitoring.record_observations),
    ("/connectors/<source>/events", "POST", connectors.push_events),
    ("/customers", "GET", customers.list_customers),
    ("/customers/<int:customer_id>", "GET", customers.show_customer),
    ("/customers/<int:customer_id>/contacts", "GET", contacts.list_contacts),
    ("/customers/<int:customer_id>/contacts", "POST", contacts.add_contact),
    ("/customers/<int:customer_id>/contact-log", "GET", contacts.list_contact_log),
    ("/customers/<int:customer_id>/contact-log", "POST", contacts.add_contact_log),
    ("/customers/<int:customer_id>/documents", "GET", documents.list_documents),
    ("/customers/<int:customer_id>/documents", "POST", documents.attach_document),
    ("/documents/<int:attachment_id>", "GET", documents.get_document),
    ("/documents/<int:attachment_id>/content", "GET", documents.document_content),
    ("/customers/<int:customer_id>/facilities", "GET", customers.list_facilities),
    ("/customers/mine", "GET", customers.my_customer_list),
    ("/customers/<int:customer_id>/officer", "POST", customers.transfer_customer),
    ("/customers/<int:customer_id>/guarantees", "GET", guarantees.list_guarantees),
    ("/customers/<int:customer_id>/guarantees", "POST", guarantees.record_guarantee),
    ("/guarantees/<int:guarantee_id>/release", "POST", guarantees.release_guarantee),
    ("/guarantees/circles", "GET", guarantees.guarantee_circles),
    ("/customers/<int:customer_id>/collateral", "GET", collateral.list_collateral),
    ("/customers/<int:customer_id>/collateral", "POST", collateral.record_collateral),
    ("/collateral", "GET", collateral.collateral_book),
    ("/collateral/<int:item_id>", "GET", collateral.get_collateral),
    ("/collateral/<int:item_id>/links", "POST", collateral.collateral_links),
    ("/collateral/<int:item_id>/insurance", "POST", collateral.collateral_insurance),
    ("/collateral/<int:item_id>/release", "POST", collateral.release_collateral),
    ("/collateral/<int:item_id>/revaluation", "POST", collateral.revalue_collateral),
    ("/customers/<int:customer_id>/inspections", "GET", inspections.list_inspections),
    ("/customers/<int:customer_id>/inspections", "POST", inspections.start_inspection),
    ("/models", "GET", models.list_models),
    ("/models/<int:model_id>", "GET", models.get_model),
    ("/models/trainings", "POST", models.start_training),
    ("/models/trainings/<int:run_id>", "GET", models.get_training),
    ("/models/<int:model_id>/score", "POST", models.score_batch),
]
for _rule, _method, _view in _ROUTES:
    api.add_url_rule(_rule, view_func=_view, methods=[_method])
