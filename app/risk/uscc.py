"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Layout of the 18 characters (positions counted from 1):

- 1     registration authority (e.g. 9 = market regulator)
- 2     organization category (e.g. 1 = enterprise)
- 3–8   administrative division code
- 9–17  organization code (组织机构代码, GB 11714): eight body characters and its own
        check character at position 17
- 18    check character of the whole code

Whole-code check: each of positions 1–17 has a value, its index in :data:`CHARSET`
("0"–"9" = 0–9, "A" = 10 ... "Y" = 30; I, O, S, V and Z are never used), and a weight
from :data:`WEIGHTS`; check value = 31 − (Σ value·weight mod 31), where 31 becomes 0;
the check character is CHARSET[check value].

Organization-code check (GB 11714): body values are digits 0–9 and letters A=10 ... Z=35
(plain alphabet order, unlike CHARSET), weights :data:`ORG_WEIGHTS`;
check value = 11 − (Σ value·weight mod 11), where 11 becomes "0" and 10 becomes "X".
"""

from __future__ import annotations

from app.risk.errors import RiskInputError

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
LENGTH = 18
ORG_CODE_START = 8  # zero-based index of position 9
ORG_CODE_END = 17  # zero-based, exclusive: positions 9–17

_FIELD = "uscc"


def _check_characters(text: str) -> None:
    for index, char in enumerate(text):
        if char not in CHARSET:
            raise RiskInputError(
                _FIELD,
                f"illegal character {char!r} at position {index + 1}",
                f"第 {index + 1} 位字符“{char}”不允许使用",
            )


def check_character(prefix17: str) -> str:
    """CHARSET[c] with c = 31 − (Σ CHARSET.index(char_i) · WEIGHTS_i mod 31), 31 → 0.

    ``prefix17`` must be 17 upper-case characters of CHARSET.
    """
    total = sum(CHARSET.index(char) * weight for char, weight in zip(prefix17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    """GB 11714 check: c = 11 − (Σ value_i · ORG_WEIGHTS_i mod 11); 11 → "0", 10 → "X".

    value_i is the digit, or 10 + alphabet index for a letter (A = 10 ... Z = 35).
    """
    if len(body8) != len(ORG_WEIGHTS) or not all(c.isdigit() or "A" <= c <= "Z" for c in body8):
        raise RiskInputError("org_code", f"body must be 8 digits or capital letters, got {body8!r}")
    total = sum(int(char, 36) * weight for char, weight in zip(body8, ORG_WEIGHTS, strict=True))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def validate_uscc(code: str, *, check_org_code: bool = True) -> str:
    """Return the code stripped and upper-cased if it is a valid USCC.

    Checks, in order: a string of 18 characters; each character in CHARSET; the
    whole-code check character at position 18; and, unless ``check_org_code`` is
    False, the organization code's check character at position 17 (formulas in the
    module docstring). Raises RiskInputError("uscc", reason) with a specific reason.
    """
    if not isinstance(code, str):
        raise RiskInputError(_FIELD, f"must be a string, got {type(code).__name__}")
    normalized = code.strip().upper()
    if len(normalized) != LENGTH:
        raise RiskInputError(
            _FIELD,
            f"must be {LENGTH} characters, got {len(normalized)}",
            f"应为 {LENGTH} 位，实际 {len(normalized)} 位",
        )
    _check_characters(normalized)
    expected = check_character(normalized[:17])
    if normalized[17] != expected:
        raise RiskInputError(
            _FIELD,
            f"wrong check character at position 18: expected {expected}, got {normalized[17]}",
            f"第 18 位校验码错误：应为 {expected}，实际为 {normalized[17]}",
        )
    if check_org_code:
        _check_org_code(normalized[ORG_CODE_START:ORG_CODE_END])
    return normalized


def _check_org_code(org_code: str) -> None:
    expected = org_code_check_character(org_code[:8])
    if org_code[8] != expected:
        raise RiskInputError(
            _FIELD,
            f"wrong organization code check character at position 17: expected {expected}, got {org_code[8]}",
            f"第 17 位组织机构代码校验码错误：应为 {expected}，实际为 {org_code[8]}",
        )


def make_uscc(prefix17: str, *, check_org_code: bool = True) -> str:
    """prefix17 + its check character (see :func:`check_character`), for demo data.

    With ``check_org_code`` (the default) positions 9–17 of the prefix must already be
    a valid organization code; :func:`org_code_check_character` gives position 17.
    """
    if not isinstance(prefix17, str):
        raise RiskInputError(_FIELD, f"prefix must be a string, got {type(prefix17).__name__}")
    prefix = prefix17.strip().upper()
    if len(prefix) != LENGTH - 1:
        raise RiskInputError(_FIELD, f"prefix must be {LENGTH - 1} characters, got {len(prefix)}")
    _check_characters(prefix)
    if check_org_code:
        _check_org_code(prefix[ORG_CODE_START:ORG_CODE_END])
    return prefix + check_character(prefix)
