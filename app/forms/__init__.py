"""Human-task forms: JSON Schema files in ``forms/`` turned into screens, typed data and messages.

Flow for a submit: ``load_form`` -> ``coerce_form`` (posted strings to typed values) ->
``validate_form`` / ``clean_form`` (messages per field, x-validators) — or
``validate_submission`` for all three, raising ``FormErrors``. Pages render with the
``forms/macros.html`` macros after ``register_template_helpers(app)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.forms.checks import check_form_schema
from app.forms.coerce import coerce_form
from app.forms.display import TEMPLATE_FILTERS, TEMPLATE_GLOBALS, format_money
from app.forms.registry import UnknownValidator, register_validator, registered_validators
from app.forms.schema import Field, FormNotFound, FormSchema, FormSchemaError, load_form
from app.forms.validate import FormErrors, clean_form, validate_form, validate_submission

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "Field",
    "FormErrors",
    "FormNotFound",
    "FormSchema",
    "FormSchemaError",
    "UnknownValidator",
    "check_form_schema",
    "clean_form",
    "coerce_form",
    "format_money",
    "load_form",
    "register_template_helpers",
    "register_validator",
    "registered_validators",
    "validate_form",
    "validate_submission",
]


def register_template_helpers(app: Flask) -> None:
    """Add the globals and filters ``forms/macros.html`` uses to ``app``'s Jinja environment."""
    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    app.jinja_env.filters.update(TEMPLATE_FILTERS)
