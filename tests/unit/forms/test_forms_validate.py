"""Validation messages per field, in zh_CN and en."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.forms import (
    FormErrors,
    UnknownValidator,
    clean_form,
    register_validator,
    validate_form,
    validate_submission,
)
from app.forms.registry import unregister_validator


def _title(en: str, zh: str) -> dict[str, Any]:
    return {"title": en, "x-title": {"zh_CN": zh}}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["requested_amount", "decision"],
    "properties": {
        "requested_amount": {
            "type": "number",
            "minimum": 0,
            "maximum": 50_000_000,
            **_title("Requested amount", "申请金额"),
        },
        "fee": {"type": "number", "x-widget": "money", "exclusiveMinimum": 0, **_title("Fee", "手续费")},
        "rate": {"type": "number", "x-widget": "percent", "exclusiveMaximum": 24, **_title("Rate", "利率")},
        "term_months": {"type": "integer", "multipleOf": 3, **_title("Term", "期限")},
        "purpose": {"type": "string", "minLength": 5, "maxLength": 10, **_title("Purpose", "用途")},
        "code": {"type": "string", "pattern": "^[0-9A-Z]{18}$", **_title("Credit code", "统一社会信用代码")},
        "decision": {
            "type": "string",
            "enum": ["approve", "return", "reject"],
            "x-enum-titles": {"en": ["Approve", "Return", "Reject"], "zh_CN": ["同意", "退回", "拒绝"]},
            **_title("Decision", "审批结论"),
        },
        "start_date": {"type": "string", "format": "date", **_title("Start date", "起始日")},
        "comment": {"type": "string", "x-widget": "textarea", **_title("Comment", "意见")},
        "statements": {
            "type": "array",
            "minItems": 2,
            "maxItems": 3,
            "x-layout": "columns",
            **_title("Financial statements", "财务报表"),
            "items": {
                "type": "object",
                "required": ["fiscal_year", "total_assets"],
                "properties": {
                    "fiscal_year": {"type": "integer", **_title("Fiscal year", "会计年度")},
                    "total_assets": {
                        "type": "number",
                        "x-widget": "money",
                        "minimum": 0,
                        **_title("Total assets", "总资产"),
                    },
                },
            },
        },
    },
    "if": {"properties": {"decision": {"enum": ["return", "reject"]}}, "required": ["decision"]},
    "then": {"required": ["comment"]},
}

VALID = {"requested_amount": 1000, "decision": "approve"}


def _errors(locale: str, **data: Any) -> dict[str, str]:
    return validate_form(SCHEMA, {**VALID, **data}, locale)


def test_valid_data_has_no_errors() -> None:
    assert validate_form(SCHEMA, VALID) == {}


@pytest.mark.parametrize(
    ("data", "path", "zh", "en"),
    [
        (
            {"requested_amount": None},
            "requested_amount",
            "申请金额 必须是数字",
            "Requested amount must be a number",
        ),
        (
            {"requested_amount": "lots"},
            "requested_amount",
            "申请金额 必须是数字",
            "Requested amount must be a number",
        ),
        ({"term_months": "12.5"}, "term_months", "期限 必须是整数", "Term must be a whole number"),
        (
            {"requested_amount": -1},
            "requested_amount",
            "申请金额 不能小于 0",
            "Requested amount must be at least 0",
        ),
        (
            {"requested_amount": 60_000_000},
            "requested_amount",
            "申请金额 不能大于 50000000",
            "Requested amount must be at most 50000000",
        ),
        ({"fee": 0}, "fee", "手续费 必须大于 0.00 元", "Fee must be greater than CNY 0.00"),
        ({"rate": 24}, "rate", "利率 必须小于 24.00%", "Rate must be less than 24.00%"),
        ({"term_months": 10}, "term_months", "期限 必须是 3 的整数倍", "Term must be a multiple of 3"),
        (
            {"purpose": "abc"},
            "purpose",
            "用途 至少需要 5 个字符",
            "Purpose must be at least 5 characters long",
        ),
        (
            {"purpose": "x" * 11},
            "purpose",
            "用途 不能超过 10 个字符",
            "Purpose must be at most 10 characters long",
        ),
        ({"code": "123"}, "code", "统一社会信用代码 格式不正确", "Credit code is not in the expected format"),
        (
            {"decision": "maybe"},
            "decision",
            "审批结论 必须是以下选项之一：同意、退回、拒绝",
            "Decision must be one of: Approve, Return, Reject",
        ),
        (
            {"start_date": "2024-02-30"},
            "start_date",
            "起始日 不是有效的日期（格式：YYYY-MM-DD）",
            "Start date is not a valid date (format: YYYY-MM-DD)",
        ),
        (
            {"statements": [{"fiscal_year": 2023, "total_assets": 1}]},
            "statements",
            "财务报表 至少需要 2 项",
            "Financial statements needs at least 2 entries",
        ),
        (
            {"statements": [{"fiscal_year": y, "total_assets": 1} for y in range(2020, 2024)]},
            "statements",
            "财务报表 最多只能有 3 项",
            "Financial statements can have at most 3 entries",
        ),
    ],
)
def test_every_message_kind_names_the_field_in_both_locales(
    data: dict[str, Any], path: str, zh: str, en: str
) -> None:
    assert _errors("zh_CN", **data) == {path: zh}
    assert _errors("en", **data) == {path: en}


def test_required_names_the_missing_field() -> None:
    assert validate_form(SCHEMA, {"decision": "approve"}, "zh_CN") == {
        "requested_amount": "申请金额 为必填项"
    }
    assert validate_form(SCHEMA, {}, "en") == {
        "requested_amount": "Requested amount is required",
        "decision": "Decision is required",
    }


def test_english_singular() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string", "minLength": 1, "title": "Name"}}}
    assert validate_form(schema, {"x": ""}, "en") == {"x": "Name must be at least 1 character long"}


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_comment_required_when_returning_or_rejecting(decision: str) -> None:
    assert _errors("zh_CN", decision=decision) == {"comment": "意见 为必填项"}
    assert _errors("en", decision=decision) == {"comment": "Comment is required"}
    assert _errors("en", decision=decision, comment="Missing tax records") == {}
    assert _errors("en", decision="approve") == {}


def test_table_cells_are_reported_per_cell_with_their_column() -> None:
    statements = [{"fiscal_year": 2023, "total_assets": -5}, {"fiscal_year": 2022}]
    errors = _errors("zh_CN", statements=statements)
    assert errors == {
        "statements-0-total_assets": "财务报表（2023）总资产 不能小于 0.00 元",
        "statements-1-total_assets": "财务报表（2022）总资产 为必填项",
    }
    errors = _errors("en", statements=[{"total_assets": "n/a"}, {"fiscal_year": 2022, "total_assets": 1}])
    assert errors == {
        "statements-0-fiscal_year": "Financial statements (Column 1): Fiscal year is required",
        "statements-0-total_assets": "Financial statements (Column 1): Total assets must be a number",
    }


def test_form_level_error_for_non_object_data() -> None:
    assert list(validate_form(SCHEMA, ["not", "an", "object"])) == ["_form"]


def test_locale_variants_are_accepted() -> None:
    assert _errors("zh-CN", requested_amount=-1)["requested_amount"].startswith("申请金额")
    assert _errors("en_US", requested_amount=-1)["requested_amount"].startswith("Requested amount")


@pytest.fixture
def uscc() -> Iterator[None]:
    def check(value: str) -> str:
        value = value.strip().upper()
        if len(value) != 18:
            raise ValueError({"zh_CN": "应为 18 位", "en": "must have 18 characters"})
        if value.endswith("X"):
            raise ValueError("校验位错误")
        return value

    register_validator("uscc_test", check)
    yield
    unregister_validator("uscc_test")


VALIDATED = {
    "type": "object",
    "properties": {
        "uscc": {"type": "string", "x-validator": "uscc_test", **_title("Credit code", "统一社会信用代码")},
        "rows": {
            "type": "array",
            "x-layout": "columns",
            **_title("Guarantors", "担保人"),
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "x-validator": "uscc_test", **_title("Code", "代码")}
                },
            },
        },
    },
}


@pytest.mark.usefixtures("uscc")
def test_x_validator_messages_and_normalization() -> None:
    assert validate_form(VALIDATED, {"uscc": "123"}, "zh_CN") == {"uscc": "统一社会信用代码：应为 18 位"}
    assert validate_form(VALIDATED, {"uscc": "123"}, "en") == {"uscc": "Credit code: must have 18 characters"}
    assert validate_form(VALIDATED, {"uscc": "91350100M000100Y4X"}, "en") == {
        "uscc": "Credit code: 校验位错误"
    }
    data = {"uscc": "91350100m000100y43", "rows": [{"code": "bad"}]}
    cleaned, errors = clean_form(VALIDATED, data, "zh_CN")
    assert cleaned["uscc"] == "91350100M000100Y43"
    assert data["uscc"] == "91350100m000100y43"  # the input is not changed
    assert errors == {"rows-0-code": "担保人（第 1 列）代码：应为 18 位"}


def test_unregistered_validator_fails_loudly() -> None:
    with pytest.raises(UnknownValidator, match="uscc_test"):
        validate_form(VALIDATED, {"uscc": "x"})


def test_validate_submission_raises_form_errors_with_the_posted_data() -> None:
    with pytest.raises(FormErrors) as caught:
        validate_submission(SCHEMA, {"requested_amount": "1,000", "decision": "reject"}, locale="en")
    assert caught.value.errors == {"comment": "Comment is required"}
    assert caught.value.data == {"requested_amount": 1000, "decision": "reject"}
    assert "comment" in str(caught.value)
    data = validate_submission(SCHEMA, {"requested_amount": "2,000.50", "decision": "approve"})
    assert data == {"requested_amount": 2000.5, "decision": "approve"}
