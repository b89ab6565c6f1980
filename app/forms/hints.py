"""Reading the UI hints of one property: its type, its widget and the display order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Widgets a form file may ask for with "x-widget".
# "percent" holds a figure already in percent (4.35 is 4.35%); "share" holds a fraction shown and
# entered as a percentage (0.0142 reads 1.42%, typing 20 stores 0.2). "bilingual" shows a read-only text the
# rules wrote "English / 中文" (a warning's name) in the reader's language; a person's own words never are.
KNOWN_WIDGETS = frozenset({"textarea", "radio", "select", "money", "percent", "share", "bilingual"})


def primary_type(prop: Mapping[str, Any]) -> str | None:
    """The property's JSON type, ignoring "null" in a type list (string for a bare string enum)."""
    declared = prop.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    if declared is None and isinstance(prop.get("enum"), list):
        values = [v for v in prop["enum"] if v is not None]
        if values and all(isinstance(v, str) for v in values):
            return "string"
    return declared if isinstance(declared, str) else None


def must_tick(prop: Mapping[str, Any]) -> bool:
    """A yes/no field people must tick to go on ("I confirm…"): ``"const": true`` (or ``"enum": [true]``).
    Any other yes/no field is answered either way, unticked meaning "no", so it is never "required"."""
    return primary_type(prop) == "boolean" and (prop.get("const") is True or prop.get("enum") == [True])


def is_object_array(prop: Mapping[str, Any]) -> bool:
    items = prop.get("items")
    return primary_type(prop) == "array" and isinstance(items, Mapping) and primary_type(items) == "object"


def table_layout(prop: Mapping[str, Any]) -> str:
    """How a table (an array of objects) is laid out: ``columns`` (the default: one column per item, one row per
    field, as the fiscal years of the statements) or ``rows`` (``"x-layout": "rows"``: one row per item, one
    column per field, as a list of findings)."""
    return "rows" if prop.get("x-layout") == "rows" else "columns"


def field_widget(prop: Mapping[str, Any]) -> str:
    """How a property is entered: table, checkboxes, checkbox, radio, select, textarea,
    money, percent, share, date, integer, number or text."""
    kind = primary_type(prop)
    if kind == "array":
        return "table" if is_object_array(prop) else "checkboxes"
    hint = prop.get("x-widget")
    if hint in KNOWN_WIDGETS:
        return hint
    if "enum" in prop:
        return "select"
    if kind == "boolean":
        return "checkbox"
    if prop.get("format") == "date":
        return "date"
    if kind in ("integer", "number"):
        return kind
    return "text"


def ordered_names(schema: Mapping[str, Any]) -> list[str]:
    """Property names listed in ``x-order`` first, then the remaining ones in file order."""
    properties = schema.get("properties") or {}
    order = [n for n in schema.get("x-order") or [] if isinstance(n, str) and n in properties]
    return list(dict.fromkeys([*order, *properties]))


def option_value(member: Any) -> str:
    """How an enum member is written in an HTML value attribute (and read back)."""
    if isinstance(member, bool):
        return "true" if member else "false"
    if member is None:
        return ""
    return str(member)
