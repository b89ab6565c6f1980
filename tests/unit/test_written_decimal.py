"""One reader of a decimal a person wrote (``app.inputs.numbers.written_decimal``), used by the query-string
amounts (the inbox's filters), the administrator's money settings and the guarantee register: ``Decimal``
alone reads full-width and Arabic-Indic digits, ``1_000``, exponents, NaN and infinities as numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import InvalidInput
from app.inputs.numbers import decimal_number, written_decimal

NOT_WRITTEN_AMOUNTS = [
    "１０００",  # full-width digits
    "١٠٠٠",  # Arabic-Indic digits
    "1_000",
    "1e3",
    "1E3",
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "=1+1",
    "1\x00",
    "",
    " ",
    True,
    None,
    [1],
    float("nan"),
    float("inf"),
    1e20,  # written by Python as 1e+20
]


@pytest.mark.parametrize("raw", NOT_WRITTEN_AMOUNTS, ids=repr)
def test_what_is_not_a_written_decimal_is_none(raw):
    assert written_decimal(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1,000,000.50", Decimal("1000000.50")),
        (" 42 ", Decimal(42)),
        ("-3.5", Decimal("-3.5")),
        (7, Decimal(7)),
    ],
)
def test_a_written_decimal_is_read(raw, value):
    assert written_decimal(raw) == value


@pytest.mark.parametrize("raw", ["１０００", "1_000", "١٠٠٠"], ids=repr)
def test_a_query_string_amount_in_other_digits_is_refused_naming_the_field(raw):
    with pytest.raises(InvalidInput) as caught:
        decimal_number({"min_amount": raw}, "min_amount")
    assert set(caught.value.errors) == {"min_amount"}
