"""Form files: loading them safely from ``forms/`` and reading their fields in display order.

A form file is a JSON Schema (draft 2020-12) object schema with UI hints (``x-title``,
``x-widget``, ``x-enum-titles``, ``x-order``...). See ``checks.py`` for what a valid one is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from app.forms.checks import check_form_schema, structural_problems
from app.forms.hints import field_widget, must_tick, ordered_names, primary_type, table_layout
from app.forms.messages import normalize_locale, pick, ui_text

__all__ = [
    "Field",
    "FormNotFound",
    "FormSchema",
    "FormSchemaError",
    "as_form_schema",
    "check_form_schema",
    "form_path",
    "load_form",
]

_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class FormNotFound(LookupError):
    """No form file of that name in the forms folder (or the name is not a plain file name)."""


class FormSchemaError(ValueError):
    """A form file exists but is not valid JSON or not a usable form schema."""

    def __init__(self, name: str, problems: list[str]) -> None:
        super().__init__(f"form {name!r} is invalid: " + "; ".join(problems))
        self.name = name
        self.problems = problems


@dataclass(frozen=True)
class Field:
    """One property of a form (or of the items of a columns table), as the UI needs it.

    ``required`` is never true of a yes/no field: unticked is an answer ("no"). One people must tick
    to go on is ``must_tick`` (``"const": true``) instead, and is marked as such.
    """

    name: str
    schema: Mapping[str, Any]
    required: bool = False
    parent: str | None = None  # the array field's name for the line items of a table

    def __post_init__(self) -> None:
        if self.required and primary_type(self.schema) == "boolean":
            object.__setattr__(self, "required", False)

    @property
    def must_tick(self) -> bool:
        return must_tick(self.schema)

    @property
    def type(self) -> str | None:
        return primary_type(self.schema)

    @property
    def widget(self) -> str:
        return field_widget(self.schema)

    @property
    def read_only(self) -> bool:
        return bool(self.schema.get("readOnly"))

    @property
    def is_table(self) -> bool:
        return self.widget == "table"

    @property
    def layout(self) -> str:
        """A table's layout: ``columns`` (one column per item) or ``rows`` (one row per item)."""
        return table_layout(self.schema)

    @property
    def offered(self) -> Any:
        """How many blank items a table offers when empty: ``x-rows`` for a table of rows, ``x-columns`` else."""
        return self.schema.get("x-rows" if self.layout == "rows" else "x-columns")

    @property
    def min_items(self) -> int:
        return int(self.schema.get("minItems") or 0)

    @property
    def max_items(self) -> int | None:
        value = self.schema.get("maxItems")
        return int(value) if value is not None else None

    def title(self, locale: Any = None) -> str:
        return pick(self.schema.get("x-title"), locale) or self.schema.get("title") or self.name

    def description(self, locale: Any = None) -> str | None:
        return pick(self.schema.get("x-description"), locale) or self.schema.get("description")

    def unit(self, locale: Any = None) -> str | None:
        """Text shown after the input: x-unit, else 元/CNY for money, % for percent."""
        if "x-unit" in self.schema:
            return pick(self.schema["x-unit"], locale)
        if self.widget == "money":
            return ui_text("money_unit", locale)
        if self.widget in ("percent", "share"):
            return "%"
        return None

    def options(self, locale: Any = None) -> list[tuple[Any, str]]:
        """(value, label) pairs for enums, enum item arrays and yes/no radios."""
        source = self.schema
        if self.type == "array" and isinstance(source.get("items"), Mapping):
            source = source["items"]
        if "enum" not in source:
            if primary_type(source) == "boolean":
                return [(True, ui_text("yes", locale)), (False, ui_text("no", locale))]
            return []
        # An array of options may carry its titles on the items or on the array itself.
        labels = _enum_titles(source.get("x-enum-titles") or self.schema.get("x-enum-titles"), locale)
        return [
            (value, labels[i] if i < len(labels) else str(value)) for i, value in enumerate(source["enum"])
        ]

    def item_fields(self) -> list[Field]:
        """The fields of each item of a table (the rows of a columns table, the columns of a table of rows);
        empty for other fields."""
        items = self.schema.get("items")
        if not self.is_table or not isinstance(items, Mapping):
            return []
        required = set(items.get("required") or [])
        return [
            Field(name, items["properties"][name], name in required, parent=self.name)
            for name in ordered_names(items)
        ]


def _enum_titles(titles: Any, locale: Any) -> list[str]:
    if not isinstance(titles, Mapping):
        return []
    for key in ("zh_CN", "zh", "en") if normalize_locale(locale) == "zh_CN" else ("en",):
        value = titles.get(key)
        if isinstance(value, list):
            return [str(v) for v in value]
    return []


class FormSchema:
    """A loaded form file. ``schema`` is the parsed JSON; treat it as read-only."""

    def __init__(self, name: str, schema: Mapping[str, Any]) -> None:
        self.name = name
        self.schema = schema

    def __repr__(self) -> str:
        return f"FormSchema({self.name!r})"

    def title(self, locale: Any = None) -> str:
        return pick(self.schema.get("x-title"), locale) or self.schema.get("title") or self.name

    def fields(self) -> list[Field]:
        """Top-level fields in display order."""
        return list(self._fields)

    def field(self, name: str) -> Field | None:
        return next((f for f in self._fields if f.name == name), None)

    @cached_property
    def _fields(self) -> tuple[Field, ...]:
        properties = self.schema.get("properties") or {}
        required = set(self.schema.get("required") or [])
        return tuple(Field(n, properties[n], n in required) for n in ordered_names(self.schema))

    @cached_property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(self.schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def as_form_schema(form: FormSchema | Mapping[str, Any]) -> FormSchema:
    """Accept a FormSchema or a bare schema dict (for code and templates that hold either)."""
    if isinstance(form, FormSchema):
        return form
    if isinstance(form, Mapping):
        return FormSchema(str(form.get("$id") or "form"), form)
    raise TypeError(f"expected a FormSchema or a schema dict, got {type(form).__name__}")


_cache: dict[Path, tuple[int, FormSchema]] = {}


def form_path(forms_dir: Path, name: str) -> Path:
    """The file of form ``name`` inside ``forms_dir``; FormNotFound for anything but a plain name."""
    if not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name) or ".." in name:
        raise FormNotFound(f"form name {name!r} is not a plain file name")
    file_name = name if name.endswith(".json") else f"{name}.json"
    base = Path(forms_dir).resolve()
    path = (base / file_name).resolve()
    if path.parent != base or not path.is_file():
        raise FormNotFound(f"form {file_name!r} not found in {base}")
    return path


def load_form(forms_dir: Path, name: str) -> FormSchema:
    """Load ``name`` ("application_intake" or "application_intake.json") from ``forms_dir``.

    Cached by path and modification time, so an edited file is picked up without restart.
    Raises FormNotFound or FormSchemaError.
    """
    path = form_path(forms_dir, name)
    mtime = path.stat().st_mtime_ns
    cached = _cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormSchemaError(path.name, [f"not valid JSON: {exc}"]) from exc
    except RecursionError as exc:
        raise FormSchemaError(path.name, ["not valid JSON: nested too deeply"]) from exc
    problems = structural_problems(schema)
    if problems:
        raise FormSchemaError(path.name, problems)
    form = FormSchema(path.stem, schema)
    _cache[path] = (mtime, form)
    return form
