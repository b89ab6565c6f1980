"""Texts written in both languages, shown in one: for screens, documents and e-mails alike."""

from __future__ import annotations


def title_in(titles: dict[str, tuple[str, str]], key: str, locale: str) -> str:
    """The (English, Chinese) title of ``key`` in ``locale``."""
    english, chinese = titles.get(key, (key, key))
    return chinese if str(locale).startswith("zh") else english


def in_language(text, locale) -> str:
    """Diagram and rule texts are written "English / 中文": the half for ``locale``."""
    if not isinstance(text, str) or " / " not in text:
        return text
    english, _sep, chinese = text.partition(" / ")
    return chinese if str(locale).startswith("zh") else english
