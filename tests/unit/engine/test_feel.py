"""FEEL unary tests and simple expressions, as DMN editors write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine.feel import (
    AnyTest,
    Comparison,
    Disjunction,
    Equals,
    FeelSyntaxError,
    Not,
    Range,
    parse_feel_literal,
    parse_feel_literal_list,
    parse_unary_tests,
)
from app.engine.feel_expressions import feel_expression_to_python
from app.engine.sandbox import evaluate


@pytest.mark.parametrize(
    ("text", "test"),
    [
        ("-", AnyTest()),
        ("", AnyTest()),
        ("  ", AnyTest()),
        ("5", Equals(5)),
        ("-5", Equals(-5)),
        ("-0.25", Equals(-0.25)),
        (".5", Equals(0.5)),
        ('"A"', Equals("A")),
        ("true", Equals(True)),
        ("false", Equals(False)),
        ("null", Equals(None)),
        ('date("2024-01-31")', Equals(dt.date(2024, 1, 31))),
        ('date and time("2024-01-31T10:30:00")', Equals(dt.datetime(2024, 1, 31, 10, 30))),
        ("< 10", Comparison("<", 10)),
        ("<=10", Comparison("<=", 10)),
        ("> -1.5", Comparison(">", -1.5)),
        (">= 100", Comparison(">=", 100)),
        ("= 5", Equals(5)),
        ('!= "X"', Not((Equals("X"),))),
        ("[1..10]", Range(1, 10, True, True)),
        ("[0.5..0.8)", Range(0.5, 0.8, True, False)),
        ("(1..2]", Range(1, 2, False, True)),
        ("]1..2[", Range(1, 2, False, False)),
        ("[ 1 .. 2 [", Range(1, 2, True, False)),
        ('"A","B"', Disjunction((Equals("A"), Equals("B")))),
        ("< 0, > 10", Disjunction((Comparison("<", 0), Comparison(">", 10)))),
        ('not("X", "Y")', Not((Equals("X"), Equals("Y")))),
        ("not([1..5])", Not((Range(1, 5, True, True),))),
    ],
)
def test_parse_forms(text: str, test: object) -> None:
    assert parse_unary_tests(text).test == test


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("[1..10]", [1, 10, 5.5], [0.99, 10.01]),
        ("[1..10)", [1, 9.999], [10]),
        ("(1..10]", [1.001, 10], [1]),
        ("]1..10[", [2], [1, 10]),
        ("< 10", [9.99, -1], [10, 11]),
        ("<= 10", [10], [10.01]),
        ("> 10", [10.01], [10]),
        (">= 10", [10], [9.99]),
    ],
)
def test_range_and_comparison_boundaries(text: str, inside: list, outside: list) -> None:
    tests = parse_unary_tests(text)
    assert all(tests.matches(v) for v in inside)
    assert not any(tests.matches(v) for v in outside)


def test_lists_and_not() -> None:
    tests = parse_unary_tests('"SME","CORP"')
    assert tests.matches("SME") and tests.matches("CORP") and not tests.matches("RETAIL")
    negated = parse_unary_tests('not("SME", "CORP")')
    assert negated.matches("RETAIL") and not negated.matches("SME")
    assert parse_unary_tests("not(< 0)").matches(5)


def test_types_never_mix() -> None:
    assert not parse_unary_tests("5").matches("5")
    assert not parse_unary_tests("1").matches(True)
    assert not parse_unary_tests("true").matches(1)
    assert not parse_unary_tests("< 10").matches("abc")
    assert parse_unary_tests("0.1").matches(Decimal("0.1"))
    assert parse_unary_tests("[1..2]").matches(Decimal("1.5"))


def test_null_semantics() -> None:
    for text in ("-", "null", 'not("X")', '!= "X"', "not(5)", '"A", null'):
        assert parse_unary_tests(text).matches(None), text
    for text in ("5", "< 5", "[1..2]", '"A"', "not(null)", "true"):
        assert not parse_unary_tests(text).matches(None), text
    assert not parse_unary_tests("null").matches(0)


def test_dates_match_dates_datetimes_and_iso_strings() -> None:
    tests = parse_unary_tests('>= date("2024-01-31")')
    assert tests.matches(dt.date(2024, 1, 31))
    assert tests.matches("2024-02-01")
    assert tests.matches(dt.datetime(2024, 2, 1, 8))
    assert not tests.matches("2024-01-30")
    assert not tests.matches("not a date")
    window = parse_unary_tests('[date("2024-01-01")..date("2024-12-31")]')
    assert window.matches("2024-06-30") and not window.matches(dt.date(2025, 1, 1))
    moment = parse_unary_tests('< date and time("2024-01-31T10:00:00")')
    assert moment.matches("2024-01-31T09:59:59")
    assert not moment.matches(dt.datetime(2024, 1, 31, 10))


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("[1..", 4),
        ("[1..2", 5),
        ("< name", 2),
        ('"open', 0),
        ("1 2", 2),
        ("not(1", 5),
        ("< null", 2),
        ('date("2024-13-01")', 5),
        ("@", 0),
        ("1,", 2),
    ],
)
def test_syntax_errors_have_positions(text: str, position: int) -> None:
    with pytest.raises(FeelSyntaxError) as error:
        parse_unary_tests(text)
    assert error.value.position == position
    assert error.value.text == text
    assert f"position {position}" in str(error.value)


def test_string_escapes() -> None:
    assert parse_feel_literal(r'"a\"b\u0041\n"') == 'a"bA\n'


def test_literals() -> None:
    assert parse_feel_literal("-3") == -3
    assert parse_feel_literal('date("2024-02-29")') == dt.date(2024, 2, 29)
    assert parse_feel_literal_list('"HIGH", "MEDIUM","LOW"') == ["HIGH", "MEDIUM", "LOW"]
    with pytest.raises(FeelSyntaxError):
        parse_feel_literal("x")


@pytest.mark.parametrize(
    ("feel", "context", "expected"),
    [
        ('"A"', {}, "A"),
        ("1000000", {}, 1000000),
        ("requested_amount * 0.8", {"requested_amount": 100}, 80.0),
        ("true", {}, True),
        ("null", {}, None),
        ("a + b * 2", {"a": 1, "b": 2}, 5),
        ("(a + b) * 2", {"a": 1, "b": 2}, 6),
        ("-a ** 2", {"a": 3}, -9),
        ("a = 1", {"a": 1}, True),
        ("a != 1 or b >= 2", {"a": 1, "b": 2}, True),
        ("not(a = 1) and b < 3", {"a": 2, "b": 2}, True),
        ('if score >= 0.5 then "PASS" else "FAIL"', {"score": 0.7}, "PASS"),
        ('if score >= 0.5 then "PASS" else "FAIL"', {"score": 0.2}, "FAIL"),
        ("applicant.income / 12", {"applicant": {"income": 120}}, 10),
        ('date("2024-01-31")', {}, dt.date(2024, 1, 31)),
        ('date and time("2024-01-31T10:00:00")', {}, dt.datetime(2024, 1, 31, 10)),
        ("max(a, b)", {"a": 1, "b": 4}, 4),
        ("[1, 2]", {}, [1, 2]),
    ],
)
def test_expression_translation_runs_in_the_sandbox(feel: str, context: dict, expected: object) -> None:
    assert evaluate(feel_expression_to_python(feel), context) == expected


@pytest.mark.parametrize(
    "text",
    [
        "x == 1",
        "x.get('a')",
        "a if b else c",
        "a < b < c",
        "x['a']",
        "",
        "if a then b",
        "lambda: 1",
    ],
)
def test_expression_outside_the_subset_raises(text: str) -> None:
    with pytest.raises(FeelSyntaxError):
        feel_expression_to_python(text)


@given(
    low=st.integers(-50, 50),
    high=st.integers(-50, 50),
    value=st.floats(-60, 60),
    low_closed=st.booleans(),
    high_closed=st.booleans(),
)
def test_range_matches_its_definition(
    low: int, high: int, value: float, low_closed: bool, high_closed: bool
) -> None:
    text = f"{'[' if low_closed else '('}{low}..{high}{']' if high_closed else ')'}"
    above = value >= low if low_closed else value > low
    below = value <= high if high_closed else value < high
    assert parse_unary_tests(text).matches(value) == (above and below)
