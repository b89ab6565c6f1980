"""Every download is named through ``app.web.downloads.attachment``: a name in Chinese reaches the browser whole
(RFC 5987) and the header stays Latin-1 (a raw Chinese name broke the validation report of a model named
企业客户评分卡 after its view had run)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from app.web.downloads import attachment

WEB = Path(__file__).resolve().parents[2] / "app" / "web"


def test_a_chinese_name_is_latin_1_with_the_exact_name_beside_its_fallback():
    header = attachment("model-validation-企业客户评分卡-v1.pdf")["Content-Disposition"]
    header.encode("latin-1")
    assert 'filename="model-validation-_-v1.pdf"' in header
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == "model-validation-企业客户评分卡-v1.pdf"
    assert 'filename="a_b.csv"' in attachment('a"/b.csv')["Content-Disposition"]


def test_no_view_writes_the_header_itself():
    written = [
        str(path.relative_to(WEB))
        for path in WEB.rglob("*.py")
        if path.name != "downloads.py" and '"Content-Disposition":' in path.read_text(encoding="utf-8")
    ]
    assert written == []
