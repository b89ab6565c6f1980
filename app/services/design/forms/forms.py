"""The forms of a deployed process: what a task shows and what a submission may change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.errors import InvalidInput, NotFound
from app.forms import register_validator
from app.forms.coerce import coerce_form
from app.forms.hints import primary_type
from app.forms.schema import Field
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
    """Keep only writable fields of ``data`` and validate them; raise InvalidInput with per-field messages.

    A yes/no field left out is answered "no", as an unticked box on the page is: it is never missing."""
    allowed = writable_fields(schema)
    cleaned = {k: v for k, v in data.items() if k in allowed}
    cleaned.update(
        {
            name: False
            for name, prop in schema.get("properties", {}).items()
            if name in allowed and name not in cleaned and primary_type(prop) == "boolean"
        }
    )
    normalized, errors = clean_form(schema, cleaned, locale)
    if errors:
        raise InvalidInput("the form has errors", errors, data=dict(data))
    return normalized


def accept_prefill(schema: Mapping[str, Any], data: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """Data that fills in the form beforehand (a case's start data): each field given is checked as the form
    checks it (type, bounds, pattern, validator); fields left out stay for the person to fill in at the task."""
    given = {name: prop for name, prop in schema.get("properties", {}).items() if name in data}
    normalized, errors = clean_form(
        {"type": "object", "properties": given}, {k: v for k, v in data.items() if k in given}, locale
    )
    if errors:
        raise InvalidInput(_("The case data has errors."), errors, data=dict(data))
    return normalized


def accept_post(schema: Mapping[str, Any], form: Any, locale: str) -> dict[str, Any]:
    """Like ``accept`` for an HTML form post (strings turned into typed values first). Read-only
    fields are never taken from a post, so the task's current data is not needed here."""
    return accept(schema, coerce_form(schema, form), locale)


def _reserved(prop: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str | None]:
    """The options of a field reserved for a group: ``"x-option-groups": {"veto": "cro"}``, or for the group
    the case's rules named (``{"veto": "=veto_group"}``: the committee rules' output); an option whose rules
    named no group is nobody's to choose (None)."""
    reserved: dict[str, str | None] = {}
    for option, group in (prop.get("x-option-groups") or {}).items():
        reserved[option] = (data.get(group[1:]) or None) if group.startswith("=") else group
    return reserved


def names_case_groups(schema: Mapping[str, Any]) -> bool:
    """Whether an option of the form is reserved for a group the case's data names (so the data is needed)."""
    return any(
        str(group).startswith("=")
        for prop in schema.get("properties", {}).values()
        for group in (prop.get("x-option-groups") or {}).values()
    )


def check_option_groups(
    schema: Mapping[str, Any], data: Mapping[str, Any], user, case_data: Mapping[str, Any] | None = None
) -> None:
    """An option a form reserves for a group may be chosen only by that group's members (an option the
    case's rules gave to no group, by nobody); anyone else is refused, naming the field and the option."""
    errors = {}
    for name, prop in schema.get("properties", {}).items():
        value = data.get(name)
        reserved = _reserved(prop, case_data or {})
        if not isinstance(value, str) or value not in reserved:
            continue
        required = reserved[value]
        if required is None or required not in user.group_codes:
            titles = dict(Field(name, prop).options(get_locale()))
            errors[name] = (
                _(
                    "Only members of the %(group)s group may choose “%(option)s”.",
                    group=_(required),
                    option=titles.get(value, value),
                )
                if required
                else _(
                    "The rules of this case let nobody choose “%(option)s”.", option=titles.get(value, value)
                )
            )
    if errors:
        raise InvalidInput(_("The form has errors."), errors, data=dict(data))


def for_user(schema: Mapping[str, Any], user, case_data: Mapping[str, Any] | None = None) -> dict:
    """The form as ``user`` sees it: options reserved for a group they are not in (or, by the case's rules,
    for nobody) are left out (the server still refuses them, see ``check_option_groups``)."""
    properties = dict(schema.get("properties", {}))
    changed = False
    for name, prop in properties.items():
        barred = {
            option
            for option, group in _reserved(prop, case_data or {}).items()
            if group is None or group not in user.group_codes
        }
        if not barred or "enum" not in prop:
            continue
        keep = [i for i, option in enumerate(prop["enum"]) if option not in barred]
        titles = {
            lang: [labels[i] for i in keep if i < len(labels)]
            for lang, labels in (prop.get("x-enum-titles") or {}).items()
            if isinstance(labels, list)
        }
        properties[name] = {
            **prop,
            "enum": [prop["enum"][i] for i in keep],
            **({"x-enum-titles": titles} if titles else {}),
        }
        changed = True
    return {**schema, "properties": properties} if changed else dict(schema)
