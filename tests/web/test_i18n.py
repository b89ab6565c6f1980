"""The catalogs: complete Chinese, readable English codes, and the request locale that loads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_locale, gettext, refresh

from app import select_locale
from app.web.vocabulary import VOCABULARY

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
# zh_CN lives in zh/: Babel names the zh_CN locale zh_Hans_CN and gettext then looks in
# zh_Hans_CN/ and zh/, never zh_CN/ (see app/translations/README.md).
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _compile_if_stale(po: Path) -> None:
    """Compile ``po`` next to itself when its .mo is missing or older (make test normally did)."""
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    catalog = _read(po)
    with mo.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)


for _po in (ZH_PO, EN_PO):
    _compile_if_stale(_po)


def _translations(catalog) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy}


POT_IDS = [m.id for m in _read(POT) if m.id]
ZH = _translations(_read(ZH_PO, "zh_CN"))
EN = _translations(_read(EN_PO, "en"))


def test_template_is_not_empty_and_holds_the_vocabulary():
    assert "My tasks" in POT_IDS
    assert set(VOCABULARY) <= set(POT_IDS), "re-run pybabel extract with -k N_"


@pytest.mark.parametrize("msgid", POT_IDS)
def test_every_msgid_has_chinese_with_the_same_placeholders(msgid):
    text = ZH.get(msgid)
    assert text, f"no zh_CN translation for {msgid!r}"
    assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid))


def test_no_stale_chinese_entries():
    assert set(ZH) <= set(POT_IDS), "zh catalog holds msgids the template no longer has"


@pytest.mark.parametrize("code", VOCABULARY)
def test_vocabulary_reads_well_in_both_languages(code):
    assert ZH.get(code), f"no zh_CN translation for {code!r}"
    english = EN.get(code)
    assert english and english != code, f"no readable English for {code!r}"
    assert "_" not in english and not english.startswith(code.split(".")[0] + ".")


def test_vocabulary_has_no_duplicates():
    assert len(VOCABULARY) == len(set(VOCABULARY))


def test_english_leaves_ordinary_msgids_alone():
    ordinary = {msgid: text for msgid, text in EN.items() if msgid not in VOCABULARY}
    assert not {msgid: text for msgid, text in ordinary.items() if text}


@pytest.mark.parametrize(
    ("header", "chosen", "resolved"),
    [
        ("zh-CN,zh;q=0.9", "zh_CN", "zh"),
        ("zh-CN", "zh_CN", "zh"),
        ("en-US", "en", "en"),
        ("en-US,en;q=0.9", "en", "en"),
    ],
)
def test_accept_language_picks_the_locale(app, header, chosen, resolved):
    with app.test_request_context(headers={"Accept-Language": header}):
        refresh()
        assert select_locale() == chosen
        assert get_locale().language == resolved


def test_chinese_request_is_translated(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        refresh()
        assert gettext("My tasks") == "我的待办"
        assert gettext("Sign-off inbox") == "审批待办"
        assert gettext("risk_manager") == "风险经理"
        assert gettext("No case %(id)s.", id=7) == "授信业务 7 不存在。"


def test_english_request_shows_readable_codes(app):
    with app.test_request_context(headers={"Accept-Language": "en-US"}):
        refresh()
        assert gettext("My tasks") == "My tasks"
        assert gettext("risk_manager") == "Risk manager"
        assert gettext("task.completed") == "Task completed"
        assert gettext("sme") == "SME"


def test_the_chosen_language_beats_the_browser(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN", "Cookie": "locale=en"}):
        refresh()
        assert gettext("My tasks") == "My tasks"


def test_the_login_page_is_chinese_unless_the_browser_asks_for_english(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    assert "登录" in client.get("/login", headers={"Accept-Language": "fr-FR,de;q=0.8"}).get_data(
        as_text=True
    )
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)


def test_the_language_chosen_in_the_top_bar_sticks_after_logging_out(client, people, login):
    login("officer")
    client.post("/locale/en", data={"next": "/tasks"})
    client.post("/logout")
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Log in" in page and "登录" not in page
    client.post("/locale/zh_CN")
    assert "登录" in client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)


def test_the_template_holds_exactly_what_the_code_asks_to_translate():
    """A new ``_()`` in a template or module must reach the catalogs (pybabel extract + update)."""
    from babel.messages.extract import extract_from_dir

    root = TRANSLATIONS.parent.parent
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "_l": None,
        "N_": None,
        "kept": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
    }
    found = {
        msgid if isinstance(msgid, str) else msgid[0]
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            str(root), method_map=method_map, keywords=keywords
        )
    }
    assert found - set(POT_IDS) == set(), "untranslated strings: run pybabel extract and update"
    assert set(POT_IDS) - found == set(), "stale strings in messages.pot: run pybabel extract"


@pytest.mark.parametrize(
    ("context", "msgid", "chinese"),
    [
        ("credit cases", "Cases", "授信业务"),
        ("test cases", "Cases", "用例"),
        ("an action refused", "Refused", "操作未获准许"),
        ("rows of a file", "Refused", "未导入"),
        ("amount", "Requested", "申请额度"),
        ("time", "Requested", "申请时间"),
    ],
)
def test_a_word_that_means_two_things_has_a_translation_for_each(app, context, msgid, chinese):
    from flask_babel import pgettext

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        refresh()
        assert pgettext(context, msgid) == chinese
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert pgettext(context, msgid) == msgid
