"""What the JSON API accepts of each deployed process, for its OpenAPI document: the JSON Schema of every form
its tasks submit and the fields a new case may start with. A client (or a fuzzer) then knows the fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcessDefinition
from app.services.cases.cases import opening_forms
from app.services.design.deployment import deployment
from app.services.design.forms.forms import writable_fields

# Keys of a form file that name the file itself; a schema inside the API's document is named by its place.
_OWN_NAME = ("$schema", "$id")


@dataclass(frozen=True)
class ProcessShape:
    process_id: str
    start_data: dict[str, Any]  # JSON Schema of ``data`` in POST /cases: the opening form's writable fields
    forms: dict[str, dict[str, Any]]  # form key (its file name) -> JSON Schema, as the process deployed it


def process_shapes() -> list[ProcessShape]:
    """The latest deployed version of each process, by process id."""
    latest = (
        select(ProcessDefinition.process_id, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.process_id)
        .subquery()
    )
    definitions = db.session.scalars(
        select(ProcessDefinition)
        .join(
            latest,
            (ProcessDefinition.process_id == latest.c.process_id)
            & (ProcessDefinition.version == latest.c.version),
        )
        .order_by(ProcessDefinition.process_id)
    )
    return [_shape(definition) for definition in definitions]


_SHAPES: dict[tuple[int, str], ProcessShape] = {}  # deployed definitions never change


def _shape(definition: ProcessDefinition) -> ProcessShape:
    key = (definition.id, definition.content_hash)
    if key not in _SHAPES:
        bundle = deployment.bundle_for(definition)
        forms = {
            name: {k: v for k, v in schema.items() if k not in _OWN_NAME}
            for name, schema in bundle.forms.items()
        }
        properties = {
            name: prop
            for form in opening_forms(bundle)
            for name, prop in forms[form].get("properties", {}).items()
            if name in writable_fields(forms[form])
        }
        _SHAPES[key] = ProcessShape(
            definition.process_id,
            {
                "type": "object",
                "additionalProperties": False,
                "properties": properties,
                "description": "fields of the process's first form to fill in beforehand (each may be left out)",
            },
            forms,
        )
    return _SHAPES[key]
