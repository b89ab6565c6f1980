"""Texts written in both languages, shown in one: for screens, documents and e-mails alike.

Diagram element names, rule annotations and the texts a decision table outputs are written
"English / 中文" in the files designers keep (one field, both languages, so neither is forgotten).
Whatever shows such a text shows the half for the reader's language (``in_language``, the templates'
filter; a form's read-only field with ``"x-widget": "bilingual"``). A person's own words (a name, an
opinion) are never split, whatever they look like: only a text the rules wrote is.
"""

from __future__ import annotations

import math
import re

from babel import Locale
from flask import current_app
from flask_babel import get_locale

LOCALE_COOKIE = "locale"  # the language chosen in the top bar
LOCALE_COOKIE_DAYS = 365
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")
_MAX_LENGTH = 4000  # a description; longer text is a document, not a label


def configured_locale() -> str:
    """The reader's language as the app's configuration names it (``zh_CN``, ``en``): what a precomputed page is
    kept under."""
    current = get_locale()
    languages = current_app.config["LANGUAGES"]
    return next((name for name in languages if Locale.parse(name) == current), str(current))


def N_(s: str) -> str:  # noqa: N802  (the conventional gettext no-op marker)
    """Mark ``s`` for extraction without translating it (``pybabel extract -k N_``)."""
    return s


def title_in(titles: dict[str, tuple[str, str]], key: str, locale: str) -> str:
    """The (English, Chinese) title of ``key`` in ``locale``."""
    english, chinese = titles.get(key, (key, key))
    return chinese if str(locale).startswith("zh") else english


def _half(text: str, locale: str) -> str | None:
    """ "English / 中文" (one line, a Latin half without Chinese, then a half with Chinese): one half."""
    english, _sep, chinese = text.partition(" / ")
    if "\n" in text or not _LATIN.search(english) or _CJK.search(english) or not _CJK.search(chinese):
        return None
    return chinese.strip() if str(locale).startswith("zh") else english.strip()


def in_language(text, locale) -> str:
    """The half of an "English / 中文" text for ``locale``; any other value as it is.

    A list of such texts joined by ", " (the steps a case waits at) is shown part by part, each name once.
    """
    if not isinstance(text, str) or " / " not in text or len(text) > _MAX_LENGTH:
        return text
    parts = [_half(part, locale) for part in text.split(", ")]
    halves = [part for part in parts if part is not None]
    if len(parts) > 1 and len(halves) == len(parts):
        return ("、" if str(locale).startswith("zh") else ", ").join(dict.fromkeys(halves))
    half = _half(text, locale)
    return text if half is None else half


def collation_key(text: str, locale) -> tuple:
    """Sort ``text`` as a reader of ``locale`` expects a list sorted: Chinese by pinyin, English by letter,
    case aside. GB 2312 lays its 3,755 common characters out in pinyin order (so GB 18030, which keeps that
    layout, gives their order in its bytes); rarer characters follow by radical, as in a dictionary."""
    folded = str(text).casefold()
    if str(locale).startswith("zh"):
        return (folded.encode("gb18030", errors="replace"),)
    return (folded,)


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


class Kept(str):
    """A translated message that remembers its msgid and values, so what is stored now (an import's
    refusals, written by a job in one language) is shown later in the reader's language (``shown``).

    It is the message in the current language wherever a string is used; ``stored()`` is what to keep.
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> Kept:
        from flask_babel import gettext  # a request, a job or the CLI: whatever locale is in force

        text = super().__new__(cls, gettext(msgid, **params) if params else gettext(msgid))
        text.msgid, text.params = msgid, params
        return text

    def stored(self) -> dict:
        return {
            "msgid": self.msgid,
            "params": {name: _json_safe(value) for name, value in self.params.items()},
        }


def _json_safe(value):
    """A message's value as JSON keeps it: text, a whole number or a finite float as it is, anything else
    (a Decimal, a date, NaN) as the text it reads as."""
    if (
        value is None
        or isinstance(value, str | bool | int)
        or (isinstance(value, float) and math.isfinite(value))
    ):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def kept(msgid: str, **params) -> Kept:
    """``_()`` for a message that is stored (extracted like ``_``: babel.cfg's keywords name ``kept``)."""
    return Kept(msgid, **params)


def stored(text) -> dict | str:
    """What to keep of a message: its msgid and values when it is a ``Kept``, else the text."""
    return text.stored() if isinstance(text, Kept) else text


def shown(value) -> str:
    """A stored message in the reader's language (a plain text, e.g. from an older row, as it is)."""
    if isinstance(value, dict) and isinstance(value.get("msgid"), str):
        from flask_babel import gettext

        params = value.get("params") or {}
        return gettext(value["msgid"], **params) if params else gettext(value["msgid"])
    return value
