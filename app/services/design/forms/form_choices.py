"""Options a form's field takes from the bank's records for one case: a form names them in ``"x-choices"``, field
by choice (``{"report_document_id": "appraisal_reports"}``: a revaluation's form offers the appraisal reports
attached to the case or to its customer).

The options only shape the field the person sees (a list to pick from, each named); what is sent is still checked
by the form's schema and, against the records, by the form's ``x-checks``. A deployment refuses a form naming a
choice that does not exist or a field the form does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.models import ProcessInstance
from app.services.customers.collateral.valuation_checks import report_choices

CHOICES: dict[str, Callable[[ProcessInstance], list[tuple[Any, str]]]] = {"appraisal_reports": report_choices}


def with_choices(schema: Mapping[str, Any], instance: ProcessInstance) -> dict[str, Any]:
    """``schema`` with each field it names in ``x-choices`` given the case's options as its ``enum`` (and their
    titles); a field without any option is left as it is (its description says how to add one)."""
    named = schema.get("x-choices") or {}
    if not named:
        return dict(schema)
    properties = dict(schema.get("properties") or {})
    for name, choice in named.items():
        options = CHOICES[choice](instance) if choice in CHOICES and name in properties else []
        if options:
            titles = [title for _value, title in options]
            properties[name] = {
                **properties[name],
                "enum": [value for value, _title in options],
                "x-enum-titles": {"en": titles, "zh_CN": titles},
            }
    return {**schema, "properties": properties}


def problems(schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with a form's ``x-choices``, as readable lines."""
    named = schema.get("x-choices")
    if named is None:
        return []
    if not isinstance(named, Mapping) or not all(isinstance(v, str) for v in named.values()):
        return ["x-choices: must map field names to choice names"]
    fields = schema.get("properties") or {}
    return [f"x-choices: {name!r} is not a property" for name in named if name not in fields] + [
        f"x-choices: no choice named {choice!r} ({', '.join(CHOICES)})"
        for choice in named.values()
        if choice not in CHOICES
    ]
