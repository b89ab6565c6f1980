"""Posted strings to typed values."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from app.forms import coerce_form
from app.forms.coerce import parse_date, parse_number

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "customer_name": {"type": "string", "readOnly": True},
        "requested_amount": {"type": "number", "x-widget": "money"},
        "term_months": {"type": "integer"},
        "rate": {"type": "number", "x-widget": "percent"},
        "related_party": {"type": "boolean"},
        "guaranteed": {"type": "boolean", "x-widget": "radio"},
        "decision": {"type": "string", "enum": ["approve", "return", "reject"]},
        "grade": {"type": "integer", "enum": [1, 2, 3]},
        "collateral": {"type": "array", "items": {"type": "string", "enum": ["land", "building", "deposit"]}},
        "start_date": {"type": "string", "format": "date"},
        "comment": {"type": "string", "x-widget": "textarea"},
        "statements": {
            "type": "array",
            "minItems": 2,
            "x-layout": "columns",
            "items": {
                "type": "object",
                "properties": {
                    "fiscal_year": {"type": "integer"},
                    "total_assets": {"type": "number", "x-widget": "money"},
                    "audited": {"type": "boolean", "readOnly": True},
                },
            },
        },
    },
}


def test_money_with_thousands_separators() -> None:
    assert coerce_form(SCHEMA, {"requested_amount": "1,234,567.89"}) == {
        "requested_amount": 1234567.89,
        "related_party": False,
        "collateral": [],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567.89", 1234567.89),
        ("1234567", 1234567),
        ("  5000.00 ", 5000),
        ("１２３４５", 12345),  # full-width digits
        ("１，２３４．５", 1234.5),  # full-width comma and point
        ("¥1,000", 1000),
        ("1000元", 1000),
        ("4.35%", 4.35),
        ("-12.5", -12.5),
        (".5", 0.5),
        ("1,23", None),  # a comma that is not a thousands separator is refused, not guessed
        ("12,34,567", None),
        ("abc", None),
        ("1e5", None),
        ("NaN", None),
        ("1.2.3", None),
    ],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


def test_whole_numbers_come_back_as_int() -> None:
    data = coerce_form(SCHEMA, {"requested_amount": "5,000.00", "term_months": "36"})
    assert data["requested_amount"] == 5000 and isinstance(data["requested_amount"], int)
    assert data["term_months"] == 36 and isinstance(data["term_months"], int)


def test_bad_numbers_are_kept_as_text_for_validation() -> None:
    data = coerce_form(SCHEMA, {"requested_amount": "lots", "term_months": "12.5"})
    assert data["requested_amount"] == "lots"
    assert data["term_months"] == "12.5"


def test_empty_values_are_absent() -> None:
    data = coerce_form(SCHEMA, {"requested_amount": "", "comment": "   ", "decision": "", "start_date": ""})
    assert data == {"related_party": False, "collateral": []}


@pytest.mark.parametrize(
    ("posted", "expected"), [("on", True), ("true", True), ("1", True), ("false", False)]
)
def test_checkbox(posted: str, expected: bool) -> None:
    assert coerce_form(SCHEMA, {"related_party": posted})["related_party"] is expected


def test_absent_checkbox_is_false_but_absent_radio_is_absent() -> None:
    # An unticked box posts nothing, so absence must mean "no" or a tick could never be removed.
    data = coerce_form(SCHEMA, {})
    assert data["related_party"] is False
    assert data["collateral"] == []
    assert "guaranteed" not in data
    assert coerce_form(SCHEMA, {"guaranteed": "false"})["guaranteed"] is False


def test_enums_map_to_their_members() -> None:
    data = coerce_form(SCHEMA, {"decision": "reject", "grade": "2"})
    assert data["decision"] == "reject"
    assert data["grade"] == 2
    assert coerce_form(SCHEMA, {"decision": "maybe"})["decision"] == "maybe"


def test_multi_choice_from_getlist() -> None:
    form = MultiDict([("collateral", "land"), ("collateral", "deposit"), ("collateral", "")])
    assert coerce_form(SCHEMA, form)["collateral"] == ["land", "deposit"]


def test_plain_dict_with_lists_works_like_a_multidict() -> None:
    assert coerce_form(SCHEMA, {"collateral": ["building"]})["collateral"] == ["building"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31", "2024-01-31"),
        ("2024/1/31", "2024-01-31"),
        ("2024.01.05", "2024-01-05"),
        ("2024年1月31日", "2024-01-31"),
        ("2024-02-30", None),
        ("31/01/2024", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_unparseable_date_is_kept() -> None:
    assert coerce_form(SCHEMA, {"start_date": "tomorrow"})["start_date"] == "tomorrow"


def test_textarea_keeps_lines_without_carriage_returns() -> None:
    assert coerce_form(SCHEMA, {"comment": " line 1\r\nline 2 "})["comment"] == "line 1\nline 2"


def test_read_only_fields_are_never_taken_from_the_post() -> None:
    current = {"customer_name": "甲公司"}
    assert coerce_form(SCHEMA, {"customer_name": "forged"}, current)["customer_name"] == "甲公司"
    assert "customer_name" not in coerce_form(SCHEMA, {"customer_name": "forged"})


def test_unknown_fields_are_ignored() -> None:
    data = coerce_form(SCHEMA, {"is_admin": "true", "csrf_token": "x", "statements-0-hack": "1"})
    assert data == {"related_party": False, "collateral": []}


def test_columns_table_from_indexed_names() -> None:
    form = MultiDict(
        {
            "statements-0-fiscal_year": "2023",
            "statements-0-total_assets": "1,000,000",
            "statements-1-fiscal_year": "2022",
            "statements-1-total_assets": "",
        }
    )
    assert coerce_form(SCHEMA, form)["statements"] == [
        {"fiscal_year": 2023, "total_assets": 1000000},
        {"fiscal_year": 2022},
    ]


def test_blank_trailing_columns_are_dropped_down_to_min_items() -> None:
    form = {
        "statements-0-fiscal_year": "2023",
        "statements-1-fiscal_year": "",
        "statements-2-fiscal_year": "",
        "statements-3-fiscal_year": "",
    }
    # Two columns stay (minItems 2) so the second one's cells get their own messages.
    assert coerce_form(SCHEMA, form)["statements"] == [{"fiscal_year": 2023}, {}]


def test_table_read_only_cells_keep_current_values() -> None:
    current = {
        "statements": [{"fiscal_year": 2023, "audited": True}, {"fiscal_year": 2022, "audited": False}]
    }
    form = {
        "statements-0-fiscal_year": "2023",
        "statements-0-audited": "false",
        "statements-1-fiscal_year": "2022",
        "statements-1-audited": "true",
    }
    items = coerce_form(SCHEMA, form, current)["statements"]
    assert [i["audited"] for i in items] == [True, False]


def test_huge_table_index_is_ignored() -> None:
    data = coerce_form(SCHEMA, {"statements-0-fiscal_year": "2023", "statements-999999-fiscal_year": "1"})
    assert data["statements"] == [{"fiscal_year": 2023}]


def test_table_not_posted_is_absent() -> None:
    assert "statements" not in coerce_form(SCHEMA, {"term_months": "12"})
