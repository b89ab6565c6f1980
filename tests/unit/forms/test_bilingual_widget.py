"""A read-only text the rules wrote "English / 中文" shows the reader's half; a person's words never are cut."""

from __future__ import annotations

from app.forms import FormSchema, check_form_schema
from app.forms.display import display_value

SCHEMA = {
    "type": "object",
    "properties": {
        "warning_name": {"type": "string", "readOnly": True, "x-widget": "bilingual", "title": "Warning"},
        "findings": {"type": "string", "readOnly": True, "title": "Findings"},
    },
}


def test_a_rules_text_shows_the_readers_half_and_a_persons_text_stays_whole():
    form = FormSchema("warning", SCHEMA)
    fields = {name: form.field(name) for name in ("warning_name", "findings")}
    assert display_value(fields["warning_name"], "Negative news / 负面舆情", "zh_CN") == "负面舆情"
    assert display_value(fields["warning_name"], "Negative news / 负面舆情", "en") == "Negative news"
    words = "No concerns found / 发现重大关联交易风险"
    assert display_value(fields["findings"], words, "en") == words


def test_the_bilingual_widget_is_for_read_only_texts():
    assert check_form_schema(SCHEMA) == []
    editable = {"type": "object", "properties": {"note": {"type": "string", "x-widget": "bilingual"}}}
    assert any("bilingual" in problem for problem in check_form_schema(editable))
