"""The forms of a deployed process: what a task shows and what a submission may change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.errors import InvalidInput, NotFound
from app.forms import register_validator
from app.forms.coerce import coerce_form
from app.forms.validate import clean_form
from app.risk.errors import RiskInputError
from app.risk.uscc import validate_uscc


def _uscc(value: Any) -> str:
    try:
        return validate_uscc(str(value))
    except RiskInputError as exc:
        raise ValueError({"zh_CN": exc.message_zh or exc.message, "en": exc.message}) from exc


def register_validators() -> None:
    """Server-side validators that forms name with ``x-validator``."""
    register_validator("uscc", _uscc)


def schema_of(forms: Mapping[str, dict], form_name: str | None) -> dict:
    if not form_name or form_name not in forms:
        raise NotFound(f"form {form_name!r} is not deployed with this process")
    return forms[form_name]


def writable_fields(schema: Mapping[str, Any]) -> set[str]:
    """Top-level properties a person may submit (readOnly ones are display only)."""
    return {name for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")}


def accept(schema: Mapping[str, Any], data: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """Keep only writable fields of ``data`` and validate them; raise InvalidInput with per-field messages."""
    allowed = writable_fields(schema)
    cleaned = {k: v for k, v in data.items() if k in allowed}
    normalized, errors = clean_form(schema, cleaned, locale)
    if errors:
        raise InvalidInput("the form has errors", errors, data=dict(data))
    return normalized


def accept_post(schema: Mapping[str, Any], form: Any, locale: str) -> dict[str, Any]:
    """Like ``accept`` for an HTML form post (strings turned into typed values first). Read-only
    fields are never taken from a post, so the task's current data is not needed here."""
    return accept(schema, coerce_form(schema, form), locale)



def check_option_groups(schema: Mapping[str, Any], data: Mapping[str, Any], user) -> None:
    """An option a form reserves for a group (``"x-option-groups": {"veto": "cro"}``) may be chosen
    only by that group's members; anyone else is refused, naming the field."""
    errors = {}
    for name, prop in schema.get("properties", {}).items():
        required = (prop.get("x-option-groups") or {}).get(data.get(name)) if isinstance(data.get(name), str) else None
        if required and required not in user.group_codes:
            errors[name] = _("Only members of the %(group)s group may choose “%(option)s”.",
                             group=_(required), option=data[name])
    if errors:
        raise InvalidInput(_("The form has errors."), errors, data=dict(data))
