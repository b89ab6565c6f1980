"""Small display helpers shared by views and templates."""

from __future__ import annotations

from app.localtime import local_time  # noqa: F401  (a template filter too)


def title_in(titles: dict[str, tuple[str, str]], key: str, locale: str) -> str:
    english, chinese = titles.get(key, (key, key))
    return chinese if str(locale).startswith("zh") else english


def in_language(text, locale) -> str:
    """Diagram and rule texts are written "English / 中文": show the half for the screen's language."""
    if not isinstance(text, str) or " / " not in text:
        return text
    english, _sep, chinese = text.partition(" / ")
    return chinese if str(locale).startswith("zh") else english
