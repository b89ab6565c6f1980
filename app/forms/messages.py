"""Locale handling and the texts the forms package shows (validation messages, UI words).

Forms take an explicit ``locale`` argument rather than reading Flask-Babel's request
locale, so the package works in services, jobs and tests without a request context.
Only two locales exist: ``zh_CN`` (default) and ``en``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_LOCALE = "zh_CN"

MESSAGES: dict[str, dict[str, str]] = {
    "required": {"zh_CN": "{title} 为必填项", "en": "{title} is required"},
    "type.number": {"zh_CN": "{title} 必须是数字", "en": "{title} must be a number"},
    "type.integer": {"zh_CN": "{title} 必须是整数", "en": "{title} must be a whole number"},
    "type.string": {"zh_CN": "{title} 必须是文本", "en": "{title} must be text"},
    "type.boolean": {"zh_CN": "{title} 必须是“是”或“否”", "en": "{title} must be yes or no"},
    "type.array": {"zh_CN": "{title} 必须是列表", "en": "{title} must be a list"},
    "type.object": {"zh_CN": "{title} 格式不正确", "en": "{title} has the wrong structure"},
    "minimum": {"zh_CN": "{title} 不能小于 {limit}", "en": "{title} must be at least {limit}"},
    "maximum": {"zh_CN": "{title} 不能大于 {limit}", "en": "{title} must be at most {limit}"},
    "exclusiveMinimum": {"zh_CN": "{title} 必须大于 {limit}", "en": "{title} must be greater than {limit}"},
    "exclusiveMaximum": {"zh_CN": "{title} 必须小于 {limit}", "en": "{title} must be less than {limit}"},
    "multipleOf": {"zh_CN": "{title} 必须是 {limit} 的整数倍", "en": "{title} must be a multiple of {limit}"},
    "minLength": {
        "zh_CN": "{title} 至少需要 {limit} 个字符",
        "en": "{title} must be at least {limit} {characters} long",
    },
    "maxLength": {
        "zh_CN": "{title} 不能超过 {limit} 个字符",
        "en": "{title} must be at most {limit} {characters} long",
    },
    "pattern": {"zh_CN": "{title} 格式不正确", "en": "{title} is not in the expected format"},
    "enum": {"zh_CN": "{title} 必须是以下选项之一：{options}", "en": "{title} must be one of: {options}"},
    "minItems": {"zh_CN": "{title} 至少需要 {limit} 项", "en": "{title} needs at least {limit} {entries}"},
    "maxItems": {
        "zh_CN": "{title} 最多只能有 {limit} 项",
        "en": "{title} can have at most {limit} {entries}",
    },
    "format.date": {
        "zh_CN": "{title} 不是有效的日期（格式：YYYY-MM-DD）",
        "en": "{title} is not a valid date (format: YYYY-MM-DD)",
    },
    "format": {"zh_CN": "{title} 格式不正确", "en": "{title} is not in the expected format"},
    "invalid": {"zh_CN": "{title} 无效", "en": "{title} is not valid"},
    "not_finite": {
        "zh_CN": "{title} 必须是有效数字（不能是 NaN 或无穷大）",
        "en": "{title} must be a number (not NaN or an infinity)",
    },
    "too_large": {
        "zh_CN": "{title} 的绝对值不能超过 {limit}",
        "en": "{title} must be at most {limit} in size",
    },
    "control": {
        "zh_CN": "{title} 含有不允许的控制字符",
        "en": "{title} holds a control character that is not allowed",
    },
    "date_range": {
        "zh_CN": "{title} 必须在 {first} 至 {last} 之间",
        "en": "{title} must be from {first} to {last}",
    },
    "single_line": {
        "zh_CN": "{title} 只能填写一行（不能换行或使用制表符）",
        "en": "{title} must be a single line (no line breaks or tabs)",
    },
    "must_tick": {"zh_CN": "请勾选“{title}”以确认", "en": "Tick “{title}” to confirm"},
    "custom": {"zh_CN": "{title}：{detail}", "en": "{title}: {detail}"},
    # How a cell of a table is named in a message: "财务报表（2023）总资产", "检查发现（第 2 项）严重程度".
    "item_title": {"zh_CN": "{array}（{column}）{field}", "en": "{array} ({column}): {field}"},
    "form": {"zh_CN": "表单", "en": "Form"},
}

UI_TEXT: dict[str, dict[str, str]] = {
    "error_summary": {"zh_CN": "请更正以下 {count} 个问题", "en": "Please correct {count} {problems}"},
    "required": {"zh_CN": "必填", "en": "required"},
    "must_tick": {"zh_CN": "须勾选确认", "en": "must be ticked"},
    "fix_summary": {"zh_CN": "退回修改：请修改以下内容", "en": "Returned for revision: fix these"},
    "fix_comment": {"zh_CN": "审批意见：", "en": "The approver's comment:"},
    "to_fix": {"zh_CN": "需修改", "en": "to fix"},
    "yes": {"zh_CN": "是", "en": "Yes"},
    "no": {"zh_CN": "否", "en": "No"},
    "choose": {"zh_CN": "请选择", "en": "Choose…"},
    "column": {"zh_CN": "第 {n} 列", "en": "Column {n}"},
    "item": {"zh_CN": "第 {n} 项", "en": "Item {n}"},
    "add_column": {"zh_CN": "增加一列", "en": "Add a column"},
    "add_row": {"zh_CN": "增加一行", "en": "Add a row"},
    "empty": {"zh_CN": "—", "en": "—"},
    "money_unit": {"zh_CN": "元", "en": "CNY"},
    "list_separator": {"zh_CN": "、", "en": ", "},
    # An aside after a label: full-width brackets in Chinese, ASCII ones after a space in English.
    "aside": {"zh_CN": "（{text}）", "en": " ({text})"},
}

_EN_PLURALS = {"characters": "character", "entries": "entry", "problems": "problem"}


def normalize_locale(locale: Any) -> str:
    """Map a locale ("zh", "zh-CN", Babel ``Locale('zh', 'CN')``, "en_US", None) to zh_CN or en."""
    if locale is None:
        return DEFAULT_LOCALE
    text = str(locale).replace("-", "_").lower()
    if text.startswith("zh") or not text:
        return "zh_CN"
    return "en"


def pick(texts: Any, locale: Any, fallback: str | None = None) -> str | None:
    """The text for ``locale`` from a {"zh_CN": ..., "en": ...} mapping, else ``fallback``.

    A plain string is returned as it is (a hint written in one language only).
    """
    if isinstance(texts, str):
        return texts
    if not isinstance(texts, Mapping):
        return fallback
    loc = normalize_locale(locale)
    keys = ("zh_CN", "zh") if loc == "zh_CN" else ("en",)
    for key in keys:
        value = texts.get(key)
        if isinstance(value, str) and value:
            return value
    return fallback


def _fill(template: str, locale: str, values: Mapping[str, Any]) -> str:
    limit = values.get("limit", values.get("count"))
    plural = not (locale == "en" and str(limit) == "1")
    words = {word: (word if plural else single) for word, single in _EN_PLURALS.items()}
    return template.format(**{**words, **values})


def message(kind: str, locale: Any, **values: Any) -> str:
    """A validation message of ``kind`` (a key of MESSAGES) filled with ``values``."""
    loc = normalize_locale(locale)
    texts = MESSAGES.get(kind, MESSAGES["invalid"])
    return _fill(texts[loc], loc, values)


def ui_text(key: str, locale: Any, **values: Any) -> str:
    """A word or phrase of the form UI (see UI_TEXT) in ``locale``."""
    loc = normalize_locale(locale)
    return _fill(UI_TEXT[key][loc], loc, values)
