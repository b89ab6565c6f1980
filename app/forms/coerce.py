"""Turning a posted HTML form (strings) into typed JSON values for a form schema.

Rules: empty means absent; a value that cannot be converted is kept as the posted string
so validation reports it with the field's own message; ``readOnly`` fields are never
taken from the post (the current value is kept); names the schema does not know are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.forms.hints import option_value
from app.forms.schema import Field, FormSchema, as_form_schema
from app.inputs.dates import accepted

# A table index above this is ignored, so a forged post cannot make a huge list.
MAX_TABLE_COLUMNS = 50

_TRUE = {"on", "true", "1", "yes", "y"}
_FALSE = {"off", "false", "0", "no", "n"}
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MISSING = object()


def coerce_form(
    schema: FormSchema | Mapping[str, Any],
    form: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Typed data for ``schema`` from ``form`` (a MultiDict, or a dict of str / list of str).

    ``current`` is the data the task holds now; read-only fields keep its values.
    """
    current = current or {}
    data: dict[str, Any] = {}
    for field in as_form_schema(schema).fields():
        if field.read_only:
            value = current.get(field.name, _MISSING)
        elif field.is_table:
            value = _coerce_table(field, form, current.get(field.name))
        else:
            value = coerce_value(field, _getlist(form, field.name))
        if value is not _MISSING:
            data[field.name] = value
    return data


def coerce_value(field: Field, values: list[str]) -> Any:
    """The typed value of one non-table field from its posted strings (_MISSING if absent)."""
    if field.widget == "checkboxes":
        item = Field(field.name, field.schema.get("items") or {})
        chosen = [_coerce_scalar(item, v.strip()) for v in values if v.strip()]
        return [v for v in chosen if v is not _MISSING]
    if field.widget == "checkbox":
        texts = [v.strip().lower() for v in values]
        if not texts:
            return False
        if any(t in _TRUE for t in texts):
            return True
        return False if all(t in _FALSE or not t for t in texts) else values[-1]
    text = next((v.strip() for v in values if v.strip()), "")
    if not text:
        return _MISSING
    return _coerce_scalar(field, text)


def _coerce_scalar(field: Field, text: str) -> Any:
    if "enum" in field.schema:
        for member in field.schema["enum"]:
            if option_value(member) == text:
                return member
        return text
    kind = field.type
    if kind in ("number", "integer"):
        number = parse_number(text)
        if number is None or (kind == "integer" and not isinstance(number, int)):
            return text
        if field.widget == "share":  # typed as a percentage, kept as a fraction
            return parse_number(str(Decimal(str(number)) / 100))
        return number
    if kind == "boolean":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if field.schema.get("format") == "date":
        return parse_date(text) or text
    return text.replace("\r\n", "\n")


def parse_number(text: str) -> int | float | None:
    """A number from user input: "1,234,567.89", "１２３", "¥1,000", "5%"; None if it is not one.

    Commas are accepted only as thousands separators, so "1,23" is refused, not read as 123.
    Whole numbers come back as int.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for token in ("¥", "元", "CNY", "RMB", "%"):
        cleaned = cleaned.replace(token, "")
    cleaned = re.sub(r"\s+", "", cleaned)
    if "," in cleaned:
        if not _GROUPED_NUMBER.match(cleaned):
            return None
        cleaned = cleaned.replace(",", "")
    if not _PLAIN_NUMBER.match(cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def parse_date(text: str) -> str | None:
    """An ISO date from "2024-01-31", "2024/1/31", "2024.1.31" or "2024年1月31日"; None otherwise, or when it is
    outside the years ``app.inputs.dates`` accepts."""
    match = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day.isoformat() if accepted(day) else None


def _coerce_table(field: Field, form: Mapping[str, Any], current: Any) -> Any:
    """Items of a columns table from ``name-<i>-<line item>`` keys."""
    rows = field.item_fields()
    pattern = re.compile(rf"^{re.escape(field.name)}-(\d+)-(.+)$")
    posted: dict[int, set[str]] = {}
    for key in form.keys():
        match = pattern.match(key)
        if match and any(r.name == match.group(2) for r in rows):
            index = int(match.group(1))
            if index < MAX_TABLE_COLUMNS:
                posted.setdefault(index, set())
                if any(v.strip() for v in _getlist(form, key)):
                    posted[index].add(match.group(2))
    if not posted:
        return _MISSING
    old = current if isinstance(current, list) else []
    count = max(posted) + 1
    # Trailing columns left blank (an added year not filled in, or a year cleared to remove it)
    # are dropped, down to minItems.
    while count > max(field.min_items, 1) and not posted.get(count - 1):
        count -= 1
    indexes = list(range(count))
    if field.layout == "rows":  # a list of entries: every row left blank is dropped, wherever it stands
        indexes = [index for index in indexes if posted.get(index)]
    items = []
    for index in indexes:
        previous = old[index] if index < len(old) and isinstance(old[index], Mapping) else {}
        item: dict[str, Any] = {}
        for row in rows:
            if row.read_only:
                value = previous.get(row.name, _MISSING)
            else:
                value = coerce_value(row, _getlist(form, f"{field.name}-{index}-{row.name}"))
            if value is not _MISSING:
                item[row.name] = value
        items.append(item)
    return items


def _getlist(form: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    if callable(getlist):
        values = getlist(key)
    else:
        value = form.get(key)
        values = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
    return [v if isinstance(v, str) else str(v) for v in values]
