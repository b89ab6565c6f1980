"""Helpers the form templates call: formatting values, ids, column labels, error order.

``app.forms.register_template_helpers`` exposes them to Jinja (see TEMPLATE_GLOBALS).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.formatting import amount as format_amount
from app.formatting import figure, is_number, kind_of
from app.formatting import money as format_money
from app.formatting import number as format_number
from app.formatting import percent as format_percent
from app.formatting import share as format_share
from app.forms import conditions
from app.forms.hints import field_widget, option_value
from app.forms.messages import ui_text
from app.forms.schema import Field, FormSchema, as_form_schema
from app.language import in_language

FORM_ERROR_KEY = "_form"  # errors not tied to one field
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_number(value: Any) -> bool:
    return is_number(value)


def field_value(data: Mapping[str, Any] | None, field: Field) -> Any:
    """The field's value in ``data``, or the schema's ``default`` when the data has none (or null: a table's
    output that does not apply to the choice proposed, taken up when the person makes that choice)."""
    if data and data.get(field.name) is not None:
        return data[field.name]
    return field.schema.get("default")


def input_value(field: Field, value: Any) -> str:
    """The text to put in an input's value attribute."""
    if value is None:
        return ""
    if field.widget == "money":
        return format_amount(value)
    if field.widget == "share" and _is_number(value):
        return format_number(round(float(value) * 100, 10))  # entered as a percentage
    if _is_number(value):
        return format_number(value)
    if isinstance(value, bool):
        return option_value(value)
    return str(value)


def input_attrs(field: Field, value: Any) -> dict[str, str]:
    """type/inputmode/step of an <input>; a value that failed conversion is shown in a text input
    so the user sees what they typed."""
    widget = field.widget
    if widget in ("money", "percent", "share"):
        return {"type": "text", "inputmode": "decimal", "autocomplete": "off"}
    if widget in ("integer", "number"):
        mode = "numeric" if widget == "integer" else "decimal"
        if value is None or _is_number(value):
            return {"type": "number", "step": "1" if widget == "integer" else "any", "inputmode": mode}
        return {"type": "text", "inputmode": mode}
    if widget == "date" and (value is None or (isinstance(value, str) and _ISO_DATE.match(value))):
        return {"type": "date"}
    return {"type": "text"}


def is_selected(member: Any, value: Any) -> bool:
    """Whether an option (enum member) is the chosen value, or among the chosen values."""
    if isinstance(value, list):
        return any(option_value(member) == option_value(v) for v in value)
    return value is not None and option_value(member) == option_value(value)


def display_value(field: Field, value: Any, locale: Any = None) -> str:
    """A value as read-only text: option titles, 是/否, money with unit, "—" when empty."""
    if value is None or value == "" or value == []:
        return ui_text("empty", locale)
    options = field.options(locale)
    if options and field.widget in ("select", "radio", "checkboxes"):
        labels = dict((option_value(v), label) for v, label in options)
        chosen = value if isinstance(value, list) else [value]
        texts = [labels.get(option_value(v), str(v)) for v in chosen]
        return ui_text("list_separator", locale).join(texts)
    if isinstance(value, bool):
        return ui_text("yes" if value else "no", locale)
    widget = field.widget
    if widget == "bilingual":
        return in_language(str(value), locale)
    if widget == "money":
        return format_money(value, locale, field.unit(locale) if "x-unit" in field.schema else None)
    if widget == "percent":
        return format_percent(value, locale)
    if widget == "share":
        return format_share(value, locale)
    unit = field.unit(locale)
    if _is_number(value) and unit is None and kind_of(field.name) != "plain":
        return figure(
            value, field.name, locale
        )  # a known figure (pd, a ratio) in a form that gives no widget
    text = format_number(value) if _is_number(value) else str(value)
    return f"{text} {unit}" if unit else text


def field_id(path: str) -> str:
    """The HTML id of the input for an error path ("requested_amount", "statements-1-cash")."""
    return f"f-{path}"


def cell_path(table: Field, index: int, row: Field) -> str:
    """The HTML name (and error path) of one cell of a columns table: "statements-0-total_assets"."""
    return f"{table.name}-{index}-{row.name}"


def column_count(table: Field, value: Any, add: str | None = None) -> int:
    """Items to show (columns, or rows of a table laid out in rows): existing items, at least minItems and 1,
    plus one if ``add`` names the table.

    A table with ``"x-columns": n`` (``"x-rows": n`` for rows) offers n items when empty and one blank item
    more than it holds, up to maxItems (blank ones are dropped when the form is submitted), so a year, or a
    finding, can be added on a page without links or script."""
    held = len(value) if isinstance(value, list) else 0
    offered = table.offered
    count = max(held, table.min_items, 1)
    if isinstance(offered, int) and not table.read_only:
        count = max(count, offered, held + 1)
    if table.max_items is not None:
        count = min(count, max(table.max_items, held))
    if add == table.name and (table.max_items is None or count < table.max_items):
        count += 1
    return count


def can_add_column(table: Field, count: int) -> bool:
    return table.max_items is None or count < table.max_items


def column_label(table: Field, value: Any, index: int, locale: Any = None) -> str:
    """A column's header: the first line item's value (the fiscal year) when the table has other
    rows and that value has the right type, else "第 n 列" / "Column n"; an item of a table of rows is
    "第 n 项" / "Item n"."""
    if table.layout == "rows":
        return ui_text("item", locale, n=index + 1)
    rows = table.item_fields()
    item = value[index] if isinstance(value, list) and index < len(value) else None
    if len(rows) >= 2 and isinstance(item, Mapping) and _is_key_value(rows[0], item.get(rows[0].name)):
        return display_value(rows[0], item[rows[0].name], locale)
    return ui_text("column", locale, n=index + 1)


def _is_key_value(row: Field, value: Any) -> bool:
    if row.type in ("integer", "number"):
        return _is_number(value)
    return row.type == "string" and isinstance(value, str) and value.strip() != ""


def error_items(
    form: FormSchema | Mapping[str, Any], errors: Mapping[str, str] | None
) -> list[tuple[str, str, str | None]]:
    """Errors as (path, message, anchor id) in the order the fields appear on the page.

    Form-level errors come first, without an anchor; cells of a table are read row by row.
    """
    errors = dict(errors or {})
    ordered: list[str] = [FORM_ERROR_KEY]
    for field in as_form_schema(form).fields():
        ordered.append(field.name)
        if field.is_table:
            positions = {p: position for p in errors if (position := _cell_position(p, field)) is not None}
            ordered += sorted(positions, key=lambda p: positions[p])
    ordered += [p for p in errors if p not in ordered]
    return [
        (path, errors[path], None if path == FORM_ERROR_KEY else field_id(path))
        for path in ordered
        if path in errors
    ]


@dataclass(frozen=True)
class FixRequest:
    """What a returned form was sent back to have fixed: the fields (in page order) and the comment.

    A form names where its data holds them: ``"x-fix-fields"`` (a list of field names, e.g. the fields
    an approver ticked when returning the case) and ``"x-fix-comment"`` (the approver's comment)."""

    fields: list[Field]
    comment: str | None
    holders: frozenset[str] = frozenset()  # the fields holding the request (x-fix-fields, x-fix-comment)

    def unasked(self, field: Field) -> bool:
        """A read-only holder of a request that was never made (a first record): nothing to show, not even "—"."""
        return field.read_only and field.name in self.holders and not self.fields

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self.fields)

    @property
    def first(self) -> str | None:
        return self.fields[0].name if self.fields else None


def fix_request(form: FormSchema | Mapping[str, Any], data: Mapping[str, Any] | None) -> FixRequest:
    """The fields ``data`` says must be fixed (writable ones of this form only), and the comment."""
    form = as_form_schema(form)
    data = data or {}
    named = data.get(form.schema.get("x-fix-fields") or "")
    wanted = {n for n in named if isinstance(n, str)} if isinstance(named, list) else set()
    fields = [f for f in form.fields() if f.name in wanted and not f.read_only]
    comment = data.get(form.schema.get("x-fix-comment") or "") if fields else None
    holders = frozenset(
        str(form.schema.get(key)) for key in ("x-fix-fields", "x-fix-comment") if form.schema.get(key)
    )
    return FixRequest(fields, comment if isinstance(comment, str) and comment.strip() else None, holders)


def _cell_position(path: str, table: Field) -> tuple[int, int] | None:
    """(row, column) of a table cell's error path, or None if the path is not one of its cells."""
    match = re.match(rf"^{re.escape(table.name)}-(\d+)-(.+)$", path)
    rows = [row.name for row in table.item_fields()]
    if not match or match.group(2) not in rows:
        return None
    return rows.index(match.group(2)), int(match.group(1))


TEMPLATE_GLOBALS = {
    "form_fields": lambda form: as_form_schema(form).fields(),
    "form_title": lambda form, locale=None: as_form_schema(form).title(locale),
    "form_text": ui_text,
    "form_value": field_value,
    "form_when": lambda form, name: conditions.client_rules(as_form_schema(form).schema, name),
    "form_applies": lambda form, data, name: (
        name not in conditions.inapplicable(as_form_schema(form).schema, data or {})
    ),
    "form_input_value": input_value,
    "form_input_attrs": input_attrs,
    "form_display_value": display_value,
    "form_option_value": option_value,
    "form_is_selected": is_selected,
    "form_field_id": field_id,
    "form_cell_path": cell_path,
    "form_column_count": column_count,
    "form_can_add_column": can_add_column,
    "form_column_label": column_label,
    "form_error_items": error_items,
    "form_fix_request": fix_request,
    "field_widget": field_widget,
    "format_money": format_money,
}

TEMPLATE_FILTERS = {
    "format_money": format_money,
    "format_percent": format_percent,
    "format_amount": format_amount,
}
