"""What makes a form file valid: JSON Schema 2020-12 plus our UI-hint conventions.

Deployment validation calls ``check_form_schema`` and refuses a form with any problem;
``load_form`` runs the structural part so a broken file fails loudly, not on a user's submit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator

from app.forms import conditions
from app.forms.hints import KNOWN_WIDGETS, is_object_array, must_tick, primary_type
from app.forms.registry import registered_validators

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SCALAR_TYPES = {"string", "number", "integer", "boolean"}
# Property names become data keys, HTML ids and field names ("statements-0-cash"): keep them plain.
_PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_DEPTH = 32  # the shipped forms nest 8 levels


def check_form_schema(schema: Any, validators: Iterable[str] | None = None) -> list[str]:
    """Every problem of a form schema, as readable lines; an empty list means it is usable.

    ``validators`` are the known ``x-validator`` names (default: the registered ones).
    """
    problems = structural_problems(schema)
    if not isinstance(schema, Mapping):
        return problems
    problems += _required_yes_no_problems(schema)
    known = set(registered_validators() if validators is None else validators)
    for where, prop in _all_properties(schema):
        name = prop.get("x-validator")
        if isinstance(name, str) and name not in known:
            problems.append(f"{where}: x-validator {name!r} is not registered")
    return problems


def structural_problems(schema: Any) -> list[str]:
    """Problems found without looking at the validator registry."""
    if not isinstance(schema, Mapping):
        return ["the form must be a JSON object"]
    if _depth(schema) > _MAX_DEPTH:
        # jsonschema validates recursively: a few hundred levels exhaust Python's stack.
        return [f"the form is nested more than {_MAX_DEPTH} levels deep"]
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    problems = [
        f"not a valid JSON Schema at {_where(error.absolute_path)}: {error.message}"
        for error in meta.iter_errors(schema)
    ]
    if problems:
        return problems
    if schema.get("$schema", SCHEMA_DIALECT) != SCHEMA_DIALECT:
        problems.append(f"$schema must be {SCHEMA_DIALECT}")
    for key in ("x-fix-fields", "x-fix-comment"):  # where a returned form finds what to fix, and why
        name = schema.get(key)
        if name is not None and (not isinstance(name, str) or name not in (schema.get("properties") or {})):
            problems.append(f"{key}: {name!r} is not a property")
    problems += _object_problems(schema, "", top_level=True)
    return problems + conditions.problems(schema)


def _required_yes_no_problems(schema: Mapping[str, Any]) -> list[str]:
    """A yes/no field in a "required" list: unticked is an answer ("no"), so "required" would mark it
    while accepting it unticked. One people must tick is ``const: true`` (in the field, or in the
    ``then`` that requires it)."""
    problems = []
    base = schema.get("properties") or {}
    places: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = [("", schema, base)]
    for name, prop in base.items():
        if isinstance(prop, Mapping) and is_object_array(prop):
            items = prop["items"]
            places.append((f"properties.{name}.items.", items, items.get("properties") or {}))
    branches = [("", schema)] + [
        (f"allOf[{i}].", s) for i, s in enumerate(schema.get("allOf") or []) if isinstance(s, Mapping)
    ]
    for prefix, branch in branches:
        for key in ("then", "else"):
            sub = branch.get(key)
            if isinstance(sub, Mapping):
                places.append((f"{prefix}{key}.", sub, base))
    for where, node, properties in places:
        for name in node.get("required") or []:
            prop = properties.get(name)
            here = (node.get("properties") or {}).get(name) if node is not schema else None
            if not isinstance(prop, Mapping) or primary_type(prop) != "boolean":
                continue
            if must_tick(prop) or (isinstance(here, Mapping) and must_tick({"type": "boolean", **here})):
                continue
            problems.append(
                f"{where}required: {name!r} is a yes/no field, which unticked answers “no”; it cannot "
                'be required (to make people tick it, give it "const": true and say so)'
            )
    return problems


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > _MAX_DEPTH:
            break
        children = node.values() if isinstance(node, Mapping) else node if isinstance(node, list) else ()
        stack += [(child, depth + 1) for child in children]
    return deepest


def _where(path: Iterable[Any]) -> str:
    return "/" + "/".join(str(part) for part in path)


def _object_problems(schema: Mapping[str, Any], prefix: str, top_level: bool = False) -> list[str]:
    problems: list[str] = []
    if primary_type(schema) != "object":
        problems.append(f'{prefix or "form"}: type must be "object"')
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return problems + [f"{prefix or 'form'}: needs at least one property"]
    for name in schema.get("required") or []:
        if name not in properties:
            problems.append(f"{prefix}required: {name!r} is not a property")
    order = schema.get("x-order")
    if order is not None:
        if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
            problems.append(f"{prefix}x-order: must be a list of property names")
        else:
            problems += [f"{prefix}x-order: {n!r} is not a property" for n in order if n not in properties]
            if len(set(order)) != len(order):
                problems.append(f"{prefix}x-order: lists a property twice")
    problems += _text_problems(schema, prefix or "form")
    for name, prop in properties.items():
        if not _PROPERTY_NAME.fullmatch(name):
            problems.append(
                f"{prefix}properties: {name!r} is not a usable property name "
                "(letters, digits and _ only, not starting with a digit)"
            )
            continue
        where = f"{prefix}properties.{name}"
        if not isinstance(prop, Mapping):
            problems.append(f"{where}: must be an object")
            continue
        problems += _property_problems(prop, where, nested=not top_level)
    return problems


def _text_problems(node: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    for key in ("x-title", "x-description", "x-unit"):
        value = node.get(key)
        if value is None or (key == "x-unit" and isinstance(value, str)):
            continue
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            problems.append(f'{where}: {key} must map locales to text, like {{"zh_CN": "..."}}')
    return problems


def _property_problems(prop: Mapping[str, Any], where: str, nested: bool) -> list[str]:
    problems = _text_problems(prop, where)
    kind = primary_type(prop)
    if kind == "array":
        return problems + _array_problems(prop, where, nested)
    if kind == "object":
        return problems + [
            f"{where}: nested objects are not supported; use an array with x-layout columns or rows"
        ]
    if kind not in _SCALAR_TYPES:
        problems.append(f"{where}: type must be one of string, number, integer, boolean or array")
    problems += _widget_problems(prop, kind, where)
    problems += _enum_title_problems(prop, where)
    if "x-validator" in prop and not isinstance(prop["x-validator"], str):
        problems.append(f"{where}: x-validator must be a validator name")
    return problems


def _widget_problems(prop: Mapping[str, Any], kind: str | None, where: str) -> list[str]:
    widget = prop.get("x-widget")
    if widget is None:
        return []
    if widget not in KNOWN_WIDGETS:
        return [f"{where}: x-widget {widget!r} is not one of {', '.join(sorted(KNOWN_WIDGETS))}"]
    if widget in ("money", "percent", "share") and kind not in ("number", "integer"):
        return [f"{where}: x-widget {widget!r} needs type number or integer"]
    if widget in ("radio", "select") and "enum" not in prop and kind != "boolean":
        return [f"{where}: x-widget {widget!r} needs an enum"]
    if widget == "textarea" and kind != "string":
        return [f"{where}: x-widget 'textarea' needs type string"]
    if widget == "bilingual" and (kind != "string" or not prop.get("readOnly")):
        return [f"{where}: x-widget 'bilingual' needs a read-only string"]
    return []


def _enum_title_problems(prop: Mapping[str, Any], where: str) -> list[str]:
    titles = prop.get("x-enum-titles")
    if titles is None:
        return []
    enum = prop.get("enum")
    if not isinstance(enum, list):
        return [f"{where}: x-enum-titles without an enum"]
    if not isinstance(titles, Mapping):
        return [f"{where}: x-enum-titles must map locales to lists of titles"]
    problems = []
    for locale, labels in titles.items():
        if not isinstance(labels, list):
            problems.append(f"{where}: x-enum-titles.{locale} must be a list")
        elif len(labels) != len(enum):
            problems.append(
                f"{where}: x-enum-titles.{locale} has {len(labels)} titles for {len(enum)} enum values"
            )
    return problems


def _array_problems(prop: Mapping[str, Any], where: str, nested: bool) -> list[str]:
    if nested:
        return [f"{where}: arrays inside a table are not supported"]
    items = prop.get("items")
    layout = prop.get("x-layout")
    if is_object_array(prop) and isinstance(items, Mapping):  # the one implies the other
        problems = (
            [] if layout in (None, "columns", "rows") else [f'{where}: x-layout must be "columns" or "rows"']
        )
        hint, unit = ("x-rows", "rows") if layout == "rows" else ("x-columns", "columns")
        other = "x-columns" if hint == "x-rows" else "x-rows"
        if other in prop:
            problems.append(f"{where}: {other} is for a table laid out in {other[2:]}; this one uses {hint}")
        offered, most = prop.get(hint), prop.get("maxItems")
        if offered is not None and (
            not isinstance(offered, int)
            or isinstance(offered, bool)
            or offered < 1
            or (isinstance(most, int) and offered > most)
        ):
            problems.append(f"{where}: {hint} must be a whole number of {unit} from 1 to maxItems")
        return problems + _object_problems(items, f"{where}.items.")
    if isinstance(items, Mapping) and isinstance(items.get("enum"), list):
        return _enum_title_problems(items, f"{where}.items")
    return [f"{where}: arrays need object items (a table) or enum items (checkboxes)"]


def _all_properties(schema: Mapping[str, Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        yield f"properties.{name}", prop
        if is_object_array(prop):
            for sub, sub_prop in (prop["items"].get("properties") or {}).items():
                if isinstance(sub_prop, Mapping):
                    yield f"properties.{name}.items.properties.{sub}", sub_prop
