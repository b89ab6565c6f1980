"""The form macros rendered through a minimal Flask app, and the display helpers."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string

from app.forms import FormSchema, check_form_schema, register_template_helpers, validate_form
from app.forms.display import column_count, error_items, format_money, input_value
from app.forms.schema import Field

TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "templates"


def _title(en: str, zh: str) -> dict[str, Any]:
    return {"title": en, "x-title": {"zh_CN": zh}}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "credit_review",
    "type": "object",
    **_title("Credit review", "授信审查"),
    "required": ["requested_amount", "decision"],
    "x-order": ["customer_name", "requested_amount", "term_months", "decision", "grade", "comment"],
    "properties": {
        "customer_name": {"type": "string", "readOnly": True, **_title("Customer", "客户名称")},
        "requested_amount": {
            "type": "number",
            "x-widget": "money",
            "minimum": 0,
            "description": "Amount applied for",
            "x-description": {"zh_CN": "本次申请的授信金额"},
            **_title("Requested amount", "申请金额"),
        },
        "term_months": {
            "type": "integer",
            "x-unit": {"zh_CN": "个月", "en": "months"},
            **_title("Term", "期限"),
        },
        "decision": {
            "type": "string",
            "enum": ["approve", "return", "reject"],
            "x-widget": "radio",
            "x-enum-titles": {"en": ["Approve", "Return", "Reject"], "zh_CN": ["同意", "退回", "拒绝"]},
            **_title("Decision", "审批结论"),
        },
        "grade": {
            "type": "string",
            "enum": ["A", "B"],
            "x-enum-titles": {"en": ["Grade A", "Grade B"], "zh_CN": ["甲级", "乙级"]},
            **_title("Grade", "评级"),
        },
        "comment": {"type": "string", "x-widget": "textarea", **_title("Comment", "意见")},
        "related_party": {"type": "boolean", **_title("Related party", "关联方")},
        "start_date": {"type": "string", "format": "date", **_title("Start date", "起始日")},
        "statements": {
            "type": "array",
            "minItems": 2,
            "maxItems": 3,
            "x-layout": "columns",
            **_title("Financial statements", "财务报表"),
            "items": {
                "type": "object",
                "required": ["fiscal_year"],
                "properties": {
                    "fiscal_year": {"type": "integer", **_title("Fiscal year", "会计年度")},
                    "total_assets": {
                        "type": "number",
                        "x-widget": "money",
                        **_title("Total assets", "总资产"),
                    },
                    "audited": {"type": "boolean", "readOnly": True, **_title("Audited", "已审计")},
                },
            },
        },
    },
    "if": {"properties": {"decision": {"enum": ["return", "reject"]}}, "required": ["decision"]},
    "then": {"required": ["comment"]},
}
FORM = FormSchema("credit_review", SCHEMA)


@pytest.fixture(scope="module")
def app() -> Flask:
    flask_app = Flask(__name__, template_folder=str(TEMPLATES))
    register_template_helpers(flask_app)
    return flask_app


def render(app: Flask, call: str, **context: Any) -> str:
    source = '{% from "forms/macros.html" import render_form, render_readonly %}' + call
    with app.app_context():
        return render_template_string(source, **context)


class Tags(HTMLParser):
    """Start tags with their attributes, found by id or name."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def by_id(self, id_: str) -> tuple[str, dict[str, str]]:
        found = [t for t in self.tags if t[1].get("id") == id_]
        assert len(found) == 1, f"{len(found)} elements with id {id_!r}"
        return found[0]

    def named(self, name: str) -> list[tuple[str, dict[str, str]]]:
        return [t for t in self.tags if t[1].get("name") == name]


DATA = {
    "customer_name": "甲公司",
    "requested_amount": 1234567.89,
    "decision": "reject",
    "grade": "B",
    "statements": [{"fiscal_year": 2023, "total_assets": 5000000, "audited": True}],
}


def test_labels_hints_and_required_markers_in_chinese(app: Flask) -> None:
    html = render(app, "{{ render_form(form, data, {}, 'zh_CN') }}", form=FORM, data=DATA)
    for label in (
        "客户名称",
        "申请金额",
        "期限",
        "审批结论",
        "意见",
        "关联方",
        "财务报表",
        "会计年度",
        "总资产",
    ):
        assert label in html
    assert "本次申请的授信金额" in html
    assert 'class="form-required"' in html and "（必填）" in html
    assert "form-error-summary" not in html


def test_labels_in_english(app: Flask) -> None:
    html = render(app, "{{ render_form(form, data, {}, 'en') }}", form=FORM, data=DATA)
    assert "Requested amount" in html and "Amount applied for" in html and "申请金额" not in html
    assert "Grade B" in html and "months" in html and "CNY" in html


def test_inputs_match_types(app: Flask) -> None:
    tags = Tags(render(app, "{{ render_form(form, data, {}, 'zh_CN') }}", form=FORM, data=DATA))
    tag, money = tags.by_id("f-requested_amount")
    assert (tag, money["type"], money["inputmode"], money["value"]) == (
        "input",
        "text",
        "decimal",
        "1,234,567.89",
    )
    assert "f-requested_amount-unit" in money["aria-describedby"]
    assert money["aria-required"] == "true"
    _, term = tags.by_id("f-term_months")
    assert (term["type"], term["step"]) == ("number", "1")
    assert tags.by_id("f-comment")[0] == "textarea"
    assert tags.by_id("f-grade")[0] == "select"
    assert tags.by_id("f-related_party")[1]["type"] == "checkbox"
    assert tags.by_id("f-start_date")[1]["type"] == "date"
    radios = tags.named("decision")
    assert [r[1]["value"] for r in radios] == ["approve", "return", "reject"]
    assert ["checked" in r[1] for r in radios] == [False, False, True]
    selected = [t for t in tags.tags if t[0] == "option" and "selected" in t[1]]
    assert [t[1]["value"] for t in selected] == ["B"]


def test_read_only_fields_are_text_not_inputs(app: Flask) -> None:
    html = render(app, "{{ render_form(form, data, {}, 'zh_CN') }}", form=FORM, data=DATA)
    tags = Tags(html)
    assert tags.named("customer_name") == []
    assert tags.by_id("f-customer_name")[0] == "div"
    assert "甲公司" in html
    assert tags.named("statements-0-audited") == []
    assert tags.by_id("f-statements-0-audited")[0] == "span"


def test_columns_table(app: Flask) -> None:
    html = render(app, "{{ render_form(form, data, {}, 'zh_CN') }}", form=FORM, data=DATA)
    tags = Tags(html)
    # One existing year, minItems 2: two columns; the first headed by its year.
    assert tags.by_id("f-statements-col-0") and tags.by_id("f-statements-col-1")
    assert not [t for t in tags.tags if t[1].get("id") == "f-statements-col-2"]
    assert ">2023</th>" in html and ">第 2 列</th>" in html
    _, cell = tags.by_id("f-statements-0-total_assets")
    assert (cell["name"], cell["value"]) == ("statements-0-total_assets", "5,000,000.00")
    assert cell["aria-labelledby"] == "f-statements-row-total_assets f-statements-col-0"
    assert tags.by_id("f-statements-1-fiscal_year")[1]["value"] == ""
    assert [t for t in tags.tags if t[0] == "th" and t[1].get("scope") == "row"][0][1]["id"] == (
        "f-statements-row-fiscal_year"
    )
    assert "form-add-column" not in html


def test_add_column(app: Flask) -> None:
    call = "{{ render_form(form, data, {}, 'en', add='statements', add_links=True) }}"
    html = render(app, call, form=FORM, data=DATA)
    assert 'name="statements-2-fiscal_year"' in html
    assert "Add a column" not in html  # maxItems 3 reached
    html = render(app, "{{ render_form(form, data, {}, 'en', add_links=True) }}", form=FORM, data=DATA)
    assert 'href="?add=statements"' in html and "Add a column" in html


def test_errors_with_aria_and_summary(app: Flask) -> None:
    data = {
        "customer_name": "甲公司",
        "requested_amount": "lots",
        "decision": "reject",
        "statements": [{"fiscal_year": 2023, "total_assets": "x"}, {}],
    }
    errors = validate_form(SCHEMA, data, "zh_CN")
    html = render(
        app, "{{ render_form(form, data, errors, 'zh_CN') }}", form=SCHEMA, data=data, errors=errors
    )
    tags = Tags(html)
    assert "请更正以下 4 个问题" in html
    for path, message in errors.items():
        assert message in html
        tag, attrs = tags.by_id(f"f-{path}")
        assert attrs["aria-invalid"] == "true"
        assert f"f-{path}-error" in attrs["aria-describedby"].split()
        assert tags.by_id(f"f-{path}-error")[0] == "p"
        assert f'href="#f-{path}"' in html
    # A value that failed conversion is shown back as typed.
    _, amount = tags.by_id("f-requested_amount")
    assert amount["value"] == "lots"
    assert "申请金额 必须是数字" in html
    assert "意见 为必填项" in html
    assert "财务报表（2023）总资产 必须是数字" in html


def test_summary_follows_page_order() -> None:
    errors = {
        "statements-1-fiscal_year": "c",
        "comment": "b",
        "requested_amount": "a",
        "statements-0-total_assets": "e",
        "statements-0-fiscal_year": "d",
        "_form": "z",
    }
    ordered = [path for path, _, _ in error_items(FORM, errors)]
    assert ordered == [
        "_form",
        "requested_amount",
        "comment",
        "statements-0-fiscal_year",
        "statements-1-fiscal_year",
        "statements-0-total_assets",
    ]
    assert error_items(FORM, {"_form": "z"}) == [("_form", "z", None)]


def test_table_level_error_points_at_the_table(app: Flask) -> None:
    errors = {"statements": "财务报表 至少需要 2 项"}
    tags = Tags(render(app, "{{ render_form(form, {}, errors, 'zh_CN') }}", form=FORM, errors=errors))
    tag, attrs = tags.by_id("f-statements")
    assert tag == "fieldset" and attrs["aria-describedby"] == "f-statements-error"


def test_user_text_is_escaped(app: Flask) -> None:
    data = {"comment": "<script>alert(1)</script>", "requested_amount": '"><b>'}
    html = render(app, "{{ render_form(form, data, {}, 'en') }}", form=FORM, data=data)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '"><b>' not in html


def test_schema_names_are_escaped_in_attributes(app: Flask) -> None:
    # check_form_schema refuses such names; the macros must still never write them unescaped.
    evil = 'x"><img src=x onerror=alert(1)>'
    table = {"type": "array", "items": {"type": "object", "properties": {evil: {"type": "number"}}}}
    html = render(
        app, "{{ render_form(form, {}, {}, 'en') }}", form={"type": "object", "properties": {evil: table}}
    )
    assert "<img" not in html
    _, cell = Tags(html).by_id(f"f-{evil}-0-{evil}")
    assert cell["aria-labelledby"] == f"f-{evil}-row-{evil} f-{evil}-col-0"


def test_render_readonly(app: Flask) -> None:
    data = {**DATA, "related_party": False}
    html = render(app, "{{ render_readonly(form, data, 'zh_CN') }}", form=FORM, data=data)
    assert '<dl class="form-readonly">' in html
    assert '<dt class="form-readonly-label">申请金额</dt>' in html
    assert "1,234,567.89 元" in html and "拒绝" in html and "乙级" in html and ">否<" in html
    assert "5,000,000.00 元" in html and ">是<" in html
    assert "<input" not in html
    html = render(app, "{{ render_readonly(form, data, 'en') }}", form=FORM, data=data)
    assert "CNY 1,234,567.89" in html and "Reject" in html


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (1234567, "zh_CN", "1,234,567.00 元"),
        (1234567, "en", "CNY 1,234,567.00"),
        (0.1 + 0.2, "zh_CN", "0.30 元"),
        (-5, "en", "CNY -5.00"),
        ("abc", "en", "abc"),
        (None, "en", ""),
    ],
)
def test_format_money(value: Any, locale: str, expected: str) -> None:
    assert format_money(value, locale) == expected


def test_input_value_has_no_exponent() -> None:
    assert input_value(Field("x", {"type": "number"}), 1e-05) == "0.00001"
    assert input_value(Field("x", {"type": "number"}), 2.0) == "2"


def test_format_money_is_a_filter(app: Flask) -> None:
    assert render(app, "{{ 1234.5|format_money('en') }}") == "CNY 1,234.50"


def test_a_table_offering_columns_shows_them_and_one_more_than_it_holds() -> None:
    table = Field(
        "years",
        {
            "type": "array",
            "minItems": 1,
            "maxItems": 5,
            "x-columns": 3,
            "x-layout": "columns",
            "items": {"type": "object", "properties": {"fiscal_year": {"type": "integer"}}},
        },
    )
    assert column_count(table, None) == 3  # one to five years: three offered on an empty page
    assert (
        column_count(table, [{}] * 3) == 4 and column_count(table, [{}] * 5) == 5
    )  # room for one more, up to 5
    plain = Field("years", {**table.schema, "x-columns": None})
    assert column_count(plain, None) == 1 and column_count(plain, [{}] * 2) == 2
    problems = check_form_schema(
        {
            **SCHEMA,
            "properties": {
                **SCHEMA["properties"],
                "statements": {**SCHEMA["properties"]["statements"], "x-columns": 4},
            },
        }
    )
    assert problems == [
        "properties.statements: x-columns must be a whole number of columns from 1 to maxItems"
    ]
