from __future__ import annotations

import pytest

from app.risk.errors import RiskInputError
from app.risk.uscc import CHARSET, check_character, make_uscc, org_code_check_character, validate_uscc

# CHARSET values: 0–9 → 0–9, A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23 Q24 R25
# T26 U27 W28 X29 Y30. Weights for positions 1–17: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.


def test_charset_has_no_i_o_s_v_z() -> None:
    assert len(CHARSET) == 31
    assert not set("IOSVZ") & set(CHARSET)


def test_fuzhou_example_code() -> None:
    # 91350100M000100Y43
    # Whole code, positions 1–17 "91350100M000100Y4":
    #   9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M21·20 + 0·29 + 0·25 + 0·13
    #   + 1·8 + 0·24 + 0·10 + Y30·30 + 4·28
    #   = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640
    #   1640 mod 31 = 1640 − 31·52 (1612) = 28 → 31 − 28 = 3 → "3"  ✓ position 18
    # Organization code "M000100Y" + "4" (GB 11714 letters: M = 22, Y = 34):
    #   22·3 + 0·7 + 0·9 + 0·10 + 1·5 + 0·8 + 0·4 + 34·2 = 66 + 5 + 68 = 139
    #   139 mod 11 = 139 − 132 = 7 → 11 − 7 = 4 → "4"  ✓ position 17
    assert check_character("91350100M000100Y4") == "3"
    assert org_code_check_character("M000100Y") == "4"
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_uscc("  91350100m000100y43\n") == "91350100M000100Y43"


def test_constructed_digit_code() -> None:
    # Organization code body 12345678:
    #   1·3 + 2·7 + 3·9 + 4·10 + 5·5 + 6·8 + 7·4 + 8·2 = 3+14+27+40+25+48+28+16 = 201
    #   201 mod 11 = 3 → 11 − 3 = 8 → organization code 12345678-8
    # Whole code "91350100" + "123456788":
    #   9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 1·20 + 2·29 + 3·25 + 4·13 + 5·8 + 6·24 + 7·10 + 8·30 + 8·28
    #   = 200 + 20 + 58 + 75 + 52 + 40 + 144 + 70 + 240 + 224 = 1123
    #   1123 mod 31 = 1123 − 1116 = 7 → 31 − 7 = 24 → "Q"
    assert org_code_check_character("12345678") == "8"
    assert make_uscc("91350100123456788") == "91350100123456788Q"
    assert validate_uscc("91350100123456788Q") == "91350100123456788Q"


def test_check_value_31_maps_to_0_and_org_check_10_maps_to_x() -> None:
    # Organization body 00000006: 6·2 = 12, 12 mod 11 = 1 → 11 − 1 = 10 → "X"
    # Whole code "9135010100000006X": 9 + 3 + 27 + 135 + 0 + 26 + 0 + 1·17 + 6·30 + X29·28
    #   = 217 + 180 + 812 = 1209 = 31·39 → mod 31 = 0 → 31 − 0 = 31 → 0 → "0"
    assert org_code_check_character("00000006") == "X"
    assert make_uscc("9135010100000006X") == "9135010100000006X0"
    assert validate_uscc("9135010100000006X0") == "9135010100000006X0"


def test_org_check_11_maps_to_0() -> None:
    # Body 00000000: Σ = 0, 0 mod 11 = 0 → 11 − 0 = 11 → "0"
    # Whole code "91350101000000000": 9 + 3 + 27 + 135 + 26 + 1·17 = 217 = 31·7 → "0"
    assert org_code_check_character("00000000") == "0"
    assert validate_uscc("913501010000000000") == "913501010000000000"


def _reason(code: object, **kwargs: bool) -> str:
    with pytest.raises(RiskInputError) as caught:
        validate_uscc(code, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == "uscc"
    return caught.value.message


def test_wrong_length() -> None:
    assert _reason("91350100M000100Y4") == "must be 18 characters, got 17"
    assert _reason("91350100M000100Y433") == "must be 18 characters, got 19"
    assert _reason("") == "must be 18 characters, got 0"


@pytest.mark.parametrize(
    "code, char, position",
    [("91350100M000100I43", "I", 16), ("O1350100M000100Y43", "O", 1), ("9135010-M000100Y43", "-", 8)],
)
def test_illegal_character_position(code: str, char: str, position: int) -> None:
    assert _reason(code) == f"illegal character {char!r} at position {position}"


def test_wrong_check_character() -> None:
    assert _reason("91350100M000100Y44") == "wrong check character at position 18: expected 3, got 4"
    # A typo in the body (position 13: 1 → 2 adds 1·8 = 8 to Σ: 1648 mod 31 = 5 → 31 − 5 = 26 → "T").
    assert _reason("91350100M000200Y43") == "wrong check character at position 18: expected T, got 3"


def test_wrong_organization_code_check() -> None:
    # Body 12345678 needs "8" at position 17; "7" with a recomputed position 18 passes the
    # whole-code check but not GB 11714.
    code = make_uscc("91350100123456787", check_org_code=False)
    assert _reason(code) == "wrong organization code check character at position 17: expected 8, got 7"
    assert validate_uscc(code, check_org_code=False) == code


def test_not_a_string() -> None:
    assert _reason(913501001234567880) == "must be a string, got int"


def test_make_uscc_rejects_bad_prefix() -> None:
    with pytest.raises(RiskInputError, match="prefix must be 17 characters, got 18"):
        make_uscc("91350100M000100Y43")
    with pytest.raises(RiskInputError, match="illegal character 'Z' at position 9"):
        make_uscc("91350100Z000100Y4")
    with pytest.raises(RiskInputError, match="expected 4, got 5"):
        make_uscc("91350100M000100Y5")


def test_org_code_body_must_be_alphanumeric() -> None:
    with pytest.raises(RiskInputError) as caught:
        org_code_check_character("1234567")
    assert caught.value.field == "org_code"
