"""A yes/no field is never "required": unticked is an answer ("no"). The form machinery never marks one as
required; one people must tick to go on is ``const: true`` and says so; the designer's checks refuse a
required yes/no field; the shipped forms have none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string

from app.forms import FormSchema, check_form_schema, register_template_helpers, validate_form
from app.forms.coerce import coerce_form
from app.forms.hints import primary_type

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "forms").glob("*.json"))


def form(**extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "listed": {"type": "boolean", "title": "Listed company", "x-title": {"zh_CN": "上市公司"}},
            "confirmed": {
                "type": "boolean",
                "const": True,
                "title": "I confirm the figures",
                "x-title": {"zh_CN": "确认数据真实"},
            },
            "decision": {"type": "string", "enum": ["sign_off", "return"]},
        },
    }
    schema.update(extra)
    return schema


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_no_shipped_form_requires_a_yes_no_field(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert [p for p in check_form_schema(schema) if "yes/no" in p] == []
    for name in schema.get("required", []):
        assert primary_type(schema["properties"][name]) != "boolean", name


@pytest.mark.parametrize(
    "extra, where",
    [
        ({"required": ["listed"]}, "required: 'listed'"),
        (
            {
                "allOf": [
                    {
                        "if": {"properties": {"decision": {"const": "sign_off"}}},
                        "then": {"required": ["listed"]},
                    }
                ]
            },
            "allOf[0].then.required: 'listed'",
        ),
        (
            {"if": {"properties": {"decision": {"const": "sign_off"}}}, "then": {"required": ["listed"]}},
            "then.required: 'listed'",
        ),
    ],
)
def test_the_designers_checks_refuse_a_required_yes_no_field(extra: dict, where: str) -> None:
    problems = check_form_schema(form(**extra))
    assert any(p.startswith(where) and "yes/no" in p and '"const": true' in p for p in problems), problems


def test_a_yes_no_field_in_a_table_cannot_be_required() -> None:
    schema = form(
        properties={
            "years": {
                "type": "array",
                "x-layout": "columns",
                "items": {
                    "type": "object",
                    "required": ["audited"],
                    "properties": {"fiscal_year": {"type": "integer"}, "audited": {"type": "boolean"}},
                },
            }
        }
    )
    assert any(p.startswith("properties.years.items.required: 'audited'") for p in check_form_schema(schema))


def test_a_must_tick_field_may_be_required_where_it_says_const_true() -> None:
    assert check_form_schema(form(required=["confirmed"])) == []
    conditional = {
        "allOf": [
            {
                "if": {"properties": {"decision": {"const": "sign_off"}}, "required": ["decision"]},
                "then": {"required": ["listed"], "properties": {"listed": {"enum": [True]}}},
            }
        ]
    }
    assert check_form_schema(form(**conditional)) == []


@pytest.fixture(scope="module")
def app() -> Flask:
    flask_app = Flask(__name__, template_folder=str(ROOT / "app" / "templates"))
    register_template_helpers(flask_app)
    return flask_app


def rendered(app: Flask, schema: dict, errors: dict | None = None, locale: str = "zh_CN") -> str:
    source = '{% from "forms/macros.html" import render_form %}{{ render_form(form, {}, errors, locale) }}'
    with app.app_context():
        return render_template_string(
            source, form=FormSchema("f", schema), errors=errors or {}, locale=locale
        )


def label_of(html: str, field_id: str) -> str:
    start = html.index(f'<label class="form-label" for="{field_id}">')
    return html[start : html.index("</label>", start)]


def test_a_yes_no_field_is_never_marked_required_even_if_a_form_lists_it(app: Flask) -> None:
    html = rendered(app, form(required=["listed"]))  # an old form file, written before the check
    assert "form-required" not in label_of(html, "f-listed") and "必填" not in label_of(html, "f-listed")
    assert FormSchema("f", form(required=["listed"])).field("listed").required is False


def test_a_must_tick_field_is_marked_as_such(app: Flask) -> None:
    label = label_of(rendered(app, form()), "f-confirmed")
    assert "form-required" in label and "须勾选确认" in label
    assert "must be ticked" in label_of(rendered(app, form(), locale="en"), "f-confirmed")


def test_unticked_is_no_and_a_must_tick_field_left_unticked_is_refused_with_its_own_message() -> None:
    data = coerce_form(form(), {"decision": "sign_off"})
    assert data["listed"] is False and data["confirmed"] is False
    errors = validate_form(form(), data, "zh_CN")
    assert errors == {"confirmed": "请勾选“确认数据真实”以确认"}
    assert validate_form(form(), data, "en") == {"confirmed": "Tick “I confirm the figures” to confirm"}
    assert validate_form(form(), {**data, "confirmed": True}, "en") == {}
