"""Validating form data against its schema, with one clear, localized message per field.

Error keys are field paths as the HTML names them: "requested_amount",
"statements-1-total_assets" (a table cell), "statements" (the table itself, e.g. minItems),
and "_form" for anything not tied to a field.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import ValidationError

from app.forms import conditions
from app.forms.coerce import coerce_form
from app.forms.display import (
    FORM_ERROR_KEY,
    column_label,
    format_money,
    format_number,
    format_percent,
    format_share,
)
from app.forms.hints import option_value
from app.forms.messages import message, pick, ui_text
from app.forms.registry import get_validator
from app.forms.schema import Field, FormSchema, as_form_schema
from app.forms.values import value_errors

_LIMIT_KINDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
_COUNT_KINDS = {"minLength", "maxLength", "minItems", "maxItems"}
_MAX_LISTED_OPTIONS = 8


class FormErrors(Exception):
    """Submitted data was refused. ``errors`` maps field paths to messages; ``data`` is what
    was submitted (coerced), so the page can be shown again with the user's input."""

    def __init__(self, errors: Mapping[str, str], data: Mapping[str, Any] | None = None) -> None:
        super().__init__("; ".join(f"{path}: {text}" for path, text in errors.items()))
        self.errors = dict(errors)
        self.data = dict(data or {})


def validate_form(schema: FormSchema | Mapping[str, Any], data: Any, locale: Any = "zh_CN") -> dict[str, str]:
    """Field path -> message for everything wrong with ``data``; an empty dict means valid."""
    return clean_form(schema, data, locale)[1]


def clean_form(
    schema: FormSchema | Mapping[str, Any], data: Any, locale: Any = "zh_CN"
) -> tuple[Any, dict[str, str]]:
    """Validate ``data`` and return (a copy normalized by the x-validators, errors). A field that does not
    apply to the choice made (see ``conditions``) is neither checked nor kept."""
    form = as_form_schema(schema)
    if isinstance(data, Mapping):
        dropped = conditions.inapplicable(form.schema, data)
        data = {name: value for name, value in data.items() if name not in dropped}
    errors = value_errors(form, data, lambda parts: _title(form, parts, data, locale), locale)
    for error in form.validator.iter_errors(data):
        for parts in _field_parts(form, error):
            path = "-".join(str(p) for p in parts) or FORM_ERROR_KEY
            if path not in errors:
                errors[path] = _message(form, error, parts, data, locale)
    cleaned = copy.deepcopy(data)
    if isinstance(cleaned, dict):
        _run_validators(form, cleaned, errors, locale)
    return cleaned, errors


def validate_submission(
    schema: FormSchema | Mapping[str, Any],
    form: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
    locale: Any = "zh_CN",
) -> dict[str, Any]:
    """Coerce a posted form, validate it and return the clean data, or raise FormErrors."""
    data = coerce_form(schema, form, current)
    cleaned, errors = clean_form(schema, data, locale)
    if errors:
        raise FormErrors(errors, data)
    return cleaned


def _field_parts(form: FormSchema, error: ValidationError) -> list[list[Any]]:
    """The field path(s) an error belongs to; a "required" error names the missing fields."""
    parts = list(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [n for n in error.validator_value if n not in error.instance]
        return [_trim(form, parts + [name]) for name in missing]
    return [_trim(form, parts)]


def _trim(form: FormSchema, parts: list[Any]) -> list[Any]:
    """Cut a JSON path down to what has an input: a field, or a table's cell."""
    field = form.field(parts[0]) if parts and isinstance(parts[0], str) else None
    if field is None or not field.is_table:
        return parts[:1]
    if len(parts) >= 3 and isinstance(parts[1], int):
        return parts[:3]
    return parts[:1]


def _resolve(form: FormSchema, parts: list[Any]) -> tuple[Field | None, Field | None]:
    """(the top-level field, the table row) a path points at."""
    field = form.field(parts[0]) if parts else None
    if field is None or len(parts) < 3:
        return field, None
    row = next((r for r in field.item_fields() if r.name == parts[2]), None)
    return field, row


def _title(form: FormSchema, parts: list[Any], data: Any, locale: Any) -> str:
    if not parts:
        return message("form", locale)
    field, row = _resolve(form, parts)
    if field is None:
        return str(parts[-1])
    if row is None:
        return field.title(locale)
    value = data.get(field.name) if isinstance(data, Mapping) else None
    column = column_label(field, value, parts[1], locale)
    return message("item_title", locale, array=field.title(locale), column=column, field=row.title(locale))


def _message(form: FormSchema, error: ValidationError, parts: list[Any], data: Any, locale: Any) -> str:
    title = _title(form, parts, data, locale)
    kind = str(error.validator)
    field, row = _resolve(form, parts)
    target = row or field
    if kind == "required":
        return message("required", locale, title=title)
    if kind == "type":
        expected = error.validator_value
        if isinstance(expected, list):
            expected = next((t for t in expected if t != "null"), "object")
        return message(f"type.{expected}", locale, title=title)
    if kind in _LIMIT_KINDS:
        return message(kind, locale, title=title, limit=_format_limit(target, error.validator_value, locale))
    if kind in _COUNT_KINDS:
        return message(kind, locale, title=title, limit=error.validator_value)
    if (
        kind in ("const", "enum")
        and target is not None
        and target.type == "boolean"
        and (error.validator_value is True or error.validator_value == [True])
    ):
        return message("must_tick", locale, title=title)
    if kind == "enum":
        return _enum_message(target, error.validator_value, title, locale)
    if kind == "format":
        return message("format.date" if error.validator_value == "date" else "format", locale, title=title)
    if kind == "pattern":
        return message("pattern", locale, title=title)
    return message("invalid", locale, title=title)


def _format_limit(field: Field | None, limit: Any, locale: Any) -> str:
    widget = field.widget if field else None
    if widget == "money":
        return format_money(limit, locale)
    if widget == "percent":
        return format_percent(limit, locale)
    if widget == "share":
        return format_share(limit, locale)
    return format_number(limit)


def _enum_message(field: Field | None, allowed: Iterable[Any], title: str, locale: Any) -> str:
    labels = dict((option_value(v), label) for v, label in field.options(locale)) if field else {}
    names = [labels.get(option_value(v), str(v)) for v in allowed]
    if len(names) > _MAX_LISTED_OPTIONS:
        return message("invalid", locale, title=title)
    return message("enum", locale, title=title, options=ui_text("list_separator", locale).join(names))


def _run_validators(form: FormSchema, data: dict[str, Any], errors: dict[str, str], locale: Any) -> None:
    """Run each field's x-validator on values that passed the schema, keeping normalized values."""
    for field in form.fields():
        if field.read_only:
            continue
        if field.is_table and isinstance(data.get(field.name), list):
            for index, item in enumerate(data[field.name]):
                if not isinstance(item, dict):
                    continue
                for row in field.item_fields():
                    path = [field.name, index, row.name]
                    _run_one(form, row, item, path, data, errors, locale)
        elif not field.is_table:
            _run_one(form, field, data, [field.name], data, errors, locale)


def _run_one(
    form: FormSchema,
    field: Field,
    holder: dict[str, Any],
    parts: list[Any],
    data: Mapping[str, Any],
    errors: dict[str, str],
    locale: Any,
) -> None:
    name = field.schema.get("x-validator")
    path = "-".join(str(p) for p in parts)
    value = holder.get(field.name)
    if not name or field.read_only or value in (None, "") or path in errors:
        return
    try:
        result = get_validator(name)(value)
    except ValueError as exc:
        title = _title(form, parts, data, locale)
        detail = pick(exc.args[0], locale) if exc.args else None
        errors[path] = (
            message("custom", locale, title=title, detail=detail)
            if detail
            else message("invalid", locale, title=title)
        )
        return
    if result is not None:
        holder[field.name] = result
