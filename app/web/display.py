"""Small display helpers shared by views and templates, and ``term``: any stored value as a person reads it.

The engine, the decision tables and the forms keep codes (``substandard``, ``reduce_limit``, ``past_due_30``,
``P4D``, ``True``); whatever a page, the memo or a PDF prints of such a value goes through ``term``, which
finds its words in this order: the form field of that name (its choices' titles, 是/否), the vocabulary
(``app.web.vocabulary``, a variable's own prefix first: a ``severity`` of ``high`` is ``severity_high``),
the names the decision tables write beside their codes, an ISO 8601 duration in words; numbers read as their
variable's kind (``app.formatting.figure``), and an "English / 中文" text in the reader's half.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from jinja2 import pass_context

from app.formatting import EMPTY, figure
from app.forms.display import display_value
from app.language import in_language, shown, title_in  # noqa: F401  (template filters and globals)
from app.localtime import local_time  # noqa: F401  (a template filter too)
from app.services.audit.readable import actor, people_named
from app.web.vocabulary import VOCABULARY

# Variables whose codes the vocabulary keeps under a prefix of their own.
CODE_PREFIXES: dict[str, str] = {
    "severity": "severity_",
    "five_category": "class_",
    "loan_class": "class_",
    "class_before": "class_",
    "class_after": "class_",
    "z_model": "z_model_",
}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
_KNOWN = frozenset(VOCABULARY)


def field_message(field: Any, message: Any) -> str:
    """A refused field and why, as one list item of an error summary ("金额：须为数字" / "Amount: a number"): the
    catalogue holds the separator, a full-width colon in Chinese."""
    return gettext("%(field)s: %(message)s", field=field, message=message)


def duration(text: str) -> str | None:
    """An ISO 8601 duration in words ("P4D" -> "4 天" / "4 days"); None when ``text`` is not one."""
    found = _DURATION.match(text)
    if not found or not any(found.groups()):
        return None
    years, months, weeks, days, hours, minutes = (int(g) if g else 0 for g in found.groups())
    # One msgid for one and one for more (the catalogs keep no plural forms): Chinese reads both alike.
    parts = [
        (gettext("%(num)s year", num=1) if years == 1 else gettext("%(num)s years", num=years))
        if years
        else "",
        (gettext("%(num)s month", num=1) if months == 1 else gettext("%(num)s months", num=months))
        if months
        else "",
        (gettext("%(num)s week", num=1) if weeks == 1 else gettext("%(num)s weeks", num=weeks))
        if weeks
        else "",
        (gettext("%(num)s day", num=1) if days == 1 else gettext("%(num)s days", num=days)) if days else "",
        (gettext("%(num)s hour", num=1) if hours == 1 else gettext("%(num)s hours", num=hours))
        if hours
        else "",
        (gettext("%(num)s minute", num=1) if minutes == 1 else gettext("%(num)s minutes", num=minutes))
        if minutes
        else "",
    ]
    return " ".join(part for part in parts if part)


def word(text: str, name: str | None, codes: Mapping[str, str] | None, locale: Any) -> str:
    """A stored text in words: a code by its label, a duration in words, a bilingual text in one half."""
    if _CODE.match(text):
        prefixed = CODE_PREFIXES.get(name or "", "") + text
        if prefixed in _KNOWN:
            return gettext(prefixed)
        if text in _KNOWN:
            return gettext(text)
        if codes and text in codes:
            return in_language(codes[text], locale)
        return text
    return duration(text) or in_language(text, locale)


def term(
    value: Any,
    name: str | None = None,
    locale: Any = None,
    fields: Mapping | None = None,
    codes: Mapping[str, str] | None = None,
) -> str:
    """``value`` of the variable ``name`` as a person reads it (see the module's docstring)."""
    if value is None or value == "":
        return EMPTY
    field = (fields or {}).get(name) if name else None
    if field is not None and (isinstance(value, bool) or field.options(locale)):
        return display_value(field, value, locale)
    if isinstance(value, str):
        return word(value, name, codes, locale)
    if isinstance(value, Mapping):
        return "; ".join(
            f"{term(key, None, locale, fields, codes)}: {term(item, str(key), locale, fields, codes)}"
            for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return ("、" if str(locale).startswith("zh") else ", ").join(
            term(item, name, locale, fields, codes) for item in value
        )
    return figure(value, name, locale)


@pass_context
def term_filter(
    context,
    value: Any,
    name: str | None = None,
    fields: Mapping | None = None,
    codes: Mapping[str, str] | None = None,
) -> str:
    """``{{ value|term(name, fields, codes) }}`` in the page's language."""
    return term(value, name, context.get("current_locale"), fields, codes)


def actor_filter(event) -> str:
    """``{{ event|actor }}``: who did it, by name, never a user name."""
    return actor(event)


@pass_context
def people_filter(context, usernames) -> str:
    """``{{ usernames|people }}``: the people a process kept by user name (a committee's veto), by name."""
    separator = "、" if str(context.get("current_locale")).startswith("zh") else ", "
    return separator.join(people_named(usernames or ()))
