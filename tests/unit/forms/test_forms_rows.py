"""A table laid out in rows (``"x-layout": "rows"``): a list of entries such as an inspection's findings, one
row per entry and one column per field, blank rows offered and dropped, each cell named in messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from app.forms import FormSchema, check_form_schema, coerce_form, register_template_helpers, validate_form
from app.forms.display import column_count, column_label

TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "templates"

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Visit",
    "properties": {
        "findings": {
            "type": "array",
            "x-layout": "rows",
            "x-rows": 3,
            "maxItems": 10,
            "title": "Findings",
            "x-title": {"zh_CN": "检查发现"},
            "items": {
                "type": "object",
                "required": ["severity", "text"],
                "properties": {
                    "severity": {
                        "type": "string",
                        "enum": ["low", "medium", "high"],
                        "title": "Severity",
                        "x-title": {"zh_CN": "严重程度"},
                        "x-enum-titles": {"en": ["Low", "Medium", "High"], "zh_CN": ["低", "中", "高"]},
                    },
                    "text": {
                        "type": "string",
                        "x-widget": "textarea",
                        "title": "What was found",
                        "x-title": {"zh_CN": "问题描述"},
                    },
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def app() -> Flask:
    flask_app = Flask(__name__, template_folder=str(TEMPLATES))
    register_template_helpers(flask_app)
    return flask_app


def render(app: Flask, **context: Any) -> str:
    source = (
        '{% from "forms/macros.html" import render_form, render_readonly %}'
        "{{ render_form(form, data, errors, locale) }}{{ render_readonly(form, data, locale) }}"
    )
    with app.app_context():
        return render_template_string(source, **context)


def test_a_table_of_rows_is_a_valid_form_and_its_hints_are_checked() -> None:
    assert check_form_schema(SCHEMA) == []
    wrong = {**SCHEMA["properties"]["findings"], "x-columns": 3}
    problems = check_form_schema({**SCHEMA, "properties": {"findings": wrong}})
    assert any("x-columns is for a table laid out in columns" in p for p in problems), problems
    too_many = {**SCHEMA["properties"]["findings"], "x-rows": 11}
    problems = check_form_schema({**SCHEMA, "properties": {"findings": too_many}})
    assert any("x-rows must be a whole number of rows from 1 to maxItems" in p for p in problems), problems


def test_blank_rows_are_offered_and_each_row_is_named_by_its_place() -> None:
    table = FormSchema("visit", SCHEMA).field("findings")
    assert table is not None and table.layout == "rows"
    assert column_count(table, []) == 3  # x-rows when empty
    assert column_count(table, [{}, {}, {}]) == 4  # one more than it holds
    assert column_label(table, [{"severity": "high"}], 0, "zh_CN") == "第 1 项"
    assert column_label(table, [], 1, "en") == "Item 2"


def test_every_blank_row_is_dropped_wherever_it_stands_and_none_filled_is_no_finding() -> None:
    posted = MultiDict(
        [
            ("findings-0-severity", ""),
            ("findings-0-text", " "),
            ("findings-1-severity", "high"),
            ("findings-1-text", "资金流向关联方"),
            ("findings-2-severity", ""),
            ("findings-2-text", ""),
        ]
    )
    assert coerce_form(SCHEMA, posted) == {"findings": [{"severity": "high", "text": "资金流向关联方"}]}
    blank = MultiDict([("findings-0-severity", ""), ("findings-0-text", "")])
    assert coerce_form(SCHEMA, blank) == {"findings": []}
    assert validate_form(SCHEMA, {"findings": []}) == {}


def test_a_cell_left_empty_is_named_with_its_row(app: Flask) -> None:
    errors = validate_form(SCHEMA, {"findings": [{"severity": "low"}]}, "zh_CN")
    assert errors == {"findings-0-text": "检查发现（第 1 项）问题描述 为必填项"}
    english = validate_form(SCHEMA, {"findings": [{"severity": "low"}]}, "en")
    assert english["findings-0-text"] == "Findings (Item 1): What was found is required"


def test_the_table_draws_one_row_per_finding_with_the_fields_as_columns(app: Flask) -> None:
    data = {"findings": [{"severity": "medium", "text": "库存积压"}]}
    html = render(app, form=SCHEMA, data=data, errors={}, locale="zh_CN")
    assert 'class="form-table form-table-rows"' in html
    assert html.index("严重程度") < html.index("问题描述") < html.index("第 1 项")
    assert 'name="findings-0-severity"' in html and 'name="findings-2-text"' in html  # x-rows offered
    assert 'name="findings-3-text"' not in html
    assert "<td>中</td>" in html and "<td>库存积压</td>" in html  # the read-only table, by the option's title
