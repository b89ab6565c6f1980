"""Contact people's numbers: the resident identity number's check character (GB 11643-1999), telephone
numbers, e-mail addresses and the mask every screen shows."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.services.customers.contacts import identity


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.mark.parametrize("number", ["11010519491231002X", "110101199003071233", "440305199208155679"])
def test_a_resident_id_with_its_check_character_is_accepted(number):
    assert identity.resident_id_problem(number) is None


def test_the_check_character_is_the_standards():
    # Σ d·W mod 11 → "10X98765432": the standard's own example 11010519491231002X
    assert identity.check_character("11010519491231002") == "X"
    assert identity.ID_WEIGHTS == tuple(2 ** (17 - i) % 11 for i in range(17))


@pytest.mark.parametrize(
    ("number", "word"),
    [
        ("110105194912310021", "check character"),  # one digit off: the check character catches it
        ("110101199003071234", "check character"),
        ("11010519491331002X", "date of birth"),  # month 13
        ("1101051949123100", "18 characters"),
        ("11010519491231002Y", "18 characters"),
    ],
)
def test_a_mistyped_resident_id_is_refused_saying_why(number, word):
    assert word in identity.resident_id_problem(number)


def test_other_documents_are_letters_and_digits():
    assert identity.id_number_problem("passport", "E12345678") is None
    assert identity.id_number_problem("passport", "E1<script>") is not None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("021-62345678", "021-62345678"),
        ("0755 88886666", "0755-88886666"),
        ("010-62345678-801", "010-62345678-801"),
    ],
)
def test_mainland_mobile_and_landline_numbers_are_read_and_written_one_way(typed, stored):
    assert identity.normal_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12812345678", "1381234567", "62345678", "021-623", "phone me", "+1 415 555 0100"]
)
def test_other_phone_numbers_are_refused(typed):
    assert identity.normal_phone(typed) is None


def test_email_addresses():
    assert identity.email_problem("cfo@hdjx.example.cn") is None
    assert identity.email_problem("no-at-sign") is not None
    assert identity.email_problem("a@b") is not None
    assert identity.email_problem("a" * 250 + "@b.cn") is not None


def test_the_mask_keeps_the_first_and_last_characters():
    assert identity.masked("11010519491231002X") == "1101**********002X"
    assert identity.masked("E12345678") == "E1*****78"
    assert identity.masked("ABC") == "***"
    assert identity.masked(None) == ""
