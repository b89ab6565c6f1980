"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json: the fixed paths, each room's in a
module of its own (``cases``, ``monitoring``, ``customers``, ``book``, ``contacts``, ``documents``, ``guarantees``,
``collateral``, ``inspections``, ``models``; the pieces
they share in ``shared``), with the bodies of opening a case and completing a task described by the deployed
processes' own forms (``document()``)."""

import copy
from collections.abc import Iterable
from typing import Any

from app.services.design.forms.api_description import ProcessShape
from app.web.api.openapi import (
    book,
    cases,
    collateral,
    contacts,
    customers,
    documents,
    guarantees,
    inspections,
    models,
    monitoring,
)
from app.web.api.openapi.shared import ERROR, UNAVAILABLE

__all__ = ["OPENAPI", "document"]

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Credit lifecycle API",
        "version": "1",
        "description": "Bearer tokens from `flask users token USERNAME`. Amounts in CNY.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": ERROR,
            "Task": cases.TASK,
            "Customer": customers.CUSTOMER,
            "CustomerDetail": customers.CUSTOMER_DETAIL,
            "Contact": contacts.CONTACT,
            "NewContact": contacts.NEW_CONTACT,
            "ContactLogEntry": contacts.ENTRY,
            "NewContactLogEntry": contacts.NEW_ENTRY,
            "Document": documents.DOCUMENT,
            "NewDocument": documents.NEW_DOCUMENT,
            "Facility": customers.FACILITY,
            "BookRow": book.BOOK_ROW,
            "Book": book.BOOK,
            "Transfer": book.TRANSFER,
            "Transferred": book.TRANSFERRED,
            "Guarantee": guarantees.GUARANTEE,
            "NewGuarantee": guarantees.NEW_GUARANTEE,
            "GuaranteeCircle": guarantees.CIRCLE,
            "Collateral": collateral.COLLATERAL,
            "NewCollateral": collateral.NEW_COLLATERAL,
            "CollateralCover": collateral.COVER,
            "Inspection": inspections.INSPECTION,
            "NewInspection": inspections.NEW_INSPECTION,
            "ScoringModel": models.MODEL,
            "ScoringTraining": models.TRAINING,
        },
        "responses": {"Unavailable": UNAVAILABLE},
    },
    "paths": {
        "/cases": cases.OPEN_CASE,
        "/cases/{id}": cases.CASE,
        "/cases/{id}/withdraw": cases.WITHDRAW,
        "/cases/{id}/history": cases.HISTORY,
        "/tasks": cases.TASKS,
        "/tasks/{id}/claim": cases.CLAIM,
        "/tasks/{id}/unclaim": cases.UNCLAIM,
        "/tasks/{id}/complete": cases.COMPLETE,
        "/monitoring/observations": monitoring.OBSERVATIONS,
        "/connectors/{id}/events": monitoring.PUSH,
        "/customers": customers.SEARCH,
        "/customers/{id}": customers.DETAIL,
        "/customers/mine": book.MINE,
        "/customers/{id}/officer": book.OFFICER,
        "/customers/{id}/contacts": contacts.CONTACTS,
        "/customers/{id}/facilities": customers.FACILITIES,
        "/customers/{id}/contact-log": contacts.CONTACT_LOG,
        "/customers/{id}/documents": documents.CUSTOMER_DOCUMENTS,
        "/documents/{id}": documents.METADATA,
        "/documents/{id}/content": documents.CONTENT,
        "/customers/{id}/guarantees": guarantees.CUSTOMER_GUARANTEES,
        "/guarantees/{id}/release": guarantees.RELEASE,
        "/guarantees/circles": guarantees.CIRCLES,
        "/customers/{id}/collateral": collateral.CUSTOMER_COLLATERAL,
        "/collateral": collateral.BOOK,
        "/collateral/{id}": collateral.ITEM,
        "/collateral/{id}/links": collateral.ITEM_LINKS,
        "/collateral/{id}/insurance": collateral.ITEM_INSURANCE,
        "/collateral/{id}/release": collateral.RELEASE,
        "/collateral/{id}/revaluation": collateral.REVALUATION,
        "/customers/{id}/inspections": inspections.CUSTOMER_INSPECTIONS,
        "/models": models.MODELS,
        "/models/{id}": models.MODEL_DETAIL,
        "/models/trainings": models.TRAININGS,
        "/models/trainings/{id}": models.TRAINING_DETAIL,
        "/models/{id}/score": models.SCORE,
    },
}


def document(shapes: Iterable[ProcessShape]) -> dict:
    """OPENAPI with each process's start data (POST /cases) and each task form (POST /tasks/{id}/complete)."""
    doc = copy.deepcopy(OPENAPI)
    schemas, starts, forms = doc["components"]["schemas"], [], []
    for shape in shapes:
        schemas[f"Start.{shape.process_id}"] = shape.start_data
        starts.append(
            {
                "type": "object",
                "required": ["process"],
                "additionalProperties": False,
                "properties": {
                    "process": {"const": shape.process_id},
                    "data": {"$ref": f"#/components/schemas/Start.{shape.process_id}"},
                },
            }
        )
        for file_name, schema in shape.forms.items():
            name = f"Form.{file_name.removesuffix('.json')}"
            if schemas.get(name, schema) != schema:  # another process deployed a different form by that name
                name = f"Form.{shape.process_id}.{file_name.removesuffix('.json')}"
            if name not in schemas:
                schemas[name] = schema
                forms.append({"$ref": f"#/components/schemas/{name}"})
    if starts:
        doc["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {
            "oneOf": starts
        }
    if forms:
        doc["paths"]["/tasks/{id}/complete"]["post"]["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {
                            "data": {
                                "anyOf": forms,
                                "description": "the fields of the task's own form (its key is the task's form "
                                "in GET /tasks)",
                            }
                        },
                    }
                }
            },
        }
    return doc
