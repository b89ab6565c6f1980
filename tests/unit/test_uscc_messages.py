"""The unified social credit code validator speaks the screen's language."""

import pytest

from app.services.admin.demo import demo_uscc
from app.services.design.forms.forms import _uscc


def test_wrong_check_character_is_explained_in_both_languages():
    code = demo_uscc(1)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValueError) as refused:
        _uscc(wrong)
    reasons = refused.value.args[0]
    assert reasons["zh_CN"] == f"第 18 位校验码错误：应为 {code[17]}，实际为 {wrong[17]}"
    assert reasons["en"] == f"wrong check character at position 18: expected {code[17]}, got {wrong[17]}"


def test_a_valid_code_comes_back_normalized():
    code = demo_uscc(2)
    assert _uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "zh"),
    [
        ("123", "应为 18 位，实际 3 位"),
        ("91310000MA0000I00X", "第 15 位字符“I”不允许使用"),
    ],
)
def test_every_refusal_has_its_chinese_reason(code, zh):
    with pytest.raises(ValueError) as refused:
        _uscc(code)
    assert refused.value.args[0]["zh_CN"] == zh
