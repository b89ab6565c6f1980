"""The texts a page is built from keep each language in its place, so a page can show one language.

English texts (msgids, the English catalog, the forms' English titles and descriptions) hold no Chinese;
the files designers keep write a text "English / 中文" with a Chinese-free English half, which is what
``app.language.in_language`` splits (an English half with Chinese in it is shown whole, in both languages).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.language import has_chinese, in_language

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"


def _catalog(path: Path):
    with path.open("rb") as f:
        return [m for m in read_po(f) if m.id]


def test_no_english_message_holds_chinese():
    msgids = [m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(TRANSLATIONS / "messages.pot")]
    english = [m.string for m in _catalog(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po") if m.string]
    assert [text for text in msgids + english if has_chinese(text)] == []


def _english_texts(node, path=""):
    """Every English text of a form: titles, descriptions, English option titles (not the x-... zh_CN ones)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description") and isinstance(value, str):
                yield f"{path}/{key}", value
            elif key == "x-enum-titles" and isinstance(value, dict):
                yield from ((f"{path}/{key}/en", t) for t in value.get("en") or () if isinstance(t, str))
            elif not key.startswith("x-") or key in ("x-columns",):
                yield from _english_texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _english_texts(value, f"{path}/{index}")


@pytest.mark.parametrize("form", sorted((ROOT / "forms").glob("*.json")), ids=lambda p: p.name)
def test_a_forms_english_texts_hold_no_chinese(form):
    schema = json.loads(form.read_text(encoding="utf-8"))
    assert [(where, text) for where, text in _english_texts(schema) if has_chinese(text)] == []


BILINGUAL = re.compile(r'(?:name="|<text>|<description>)([^"<\n]* / [^"<\n]*)')


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "workflows").glob("*.bpmn"), *(ROOT / "rules").glob("*.dmn")]),
    ids=lambda p: p.name,
)
def test_every_text_written_in_both_languages_splits_into_one(path):
    texts = BILINGUAL.findall(path.read_text(encoding="utf-8"))
    whole = [t for t in texts if has_chinese(t) and in_language(t, "en") == t]
    assert whole == [], "write these 'English / 中文', the English half without Chinese"
