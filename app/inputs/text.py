"""Characters no text may hold, and those a single line may not.

Everywhere (every form field, query string, JSON string or key, path segment, file name, CSV header):
NUL, lone UTF-16 surrogates (they cannot be encoded to UTF-8: PostgreSQL and every file refuse them) and the
control characters C0 (but tab, line feed and carriage return), DEL and C1. A single-line field (a name, a
search, a file name, a query-string value) refuses tab, line breaks and the Unicode line separators too; a
multi-line field (a comment, an opinion) keeps ``\\n``, ``\\r\\n`` and ``\\t``.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

# NUL and the other C0 controls but \t \n \r, DEL, the C1 controls, and every surrogate code point (a str
# holds one only when it was unpaired: a JSON "\ud800", or bytes decoded with surrogateescape).
_NEVER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_A_LINE = re.compile(r"[\t\n\r\u2028\u2029]")
MAX_FILE_NAME = 255  # what every file system and our columns hold


def refused_kind(text: str, *, multi_line: bool = False) -> str | None:
    """What is wrong with ``text``: ``nul``, ``surrogate``, ``control`` or ``line`` (a line break or tab in a
    single line), or None; for callers with their own words (the forms package)."""
    found = _NEVER.search(text)
    if found:
        char = found.group()
        return "nul" if char == "\x00" else "surrogate" if "\ud800" <= char <= "\udfff" else "control"
    if not multi_line and _NOT_IN_A_LINE.search(text):
        return "line"
    return None


def text_problem(text: str, *, multi_line: bool = False) -> str | None:
    """Why ``text`` is refused (a short reason to show beside the field), or None when it is fine."""
    kind = refused_kind(text, multi_line=multi_line)
    if kind == "nul":
        return _("holds a NUL character")
    if kind == "surrogate":
        return _("holds an unpaired surrogate (not valid Unicode text)")
    if kind == "control":
        char = _NEVER.search(text).group()  # type: ignore[union-attr]
        return _("holds a control character (U+%(code)s)", code=f"{ord(char):04X}")
    if kind == "line":
        return _("must be a single line (no line breaks or tabs)")
    return None


def escaped(text: str) -> str:
    """``text`` with every character ``text_problem`` refuses written as ``\\uXXXX``: safe to show and to
    encode (a field's name that itself holds the offending character)."""
    return _NEVER.sub(
        lambda found: f"\\u{ord(found.group()):04x}",
        _NOT_IN_A_LINE.sub(lambda found: f"\\u{ord(found.group()):04x}", text),
    )


def file_name_problem(name: str) -> str | None:
    """Why an uploaded file's name is refused, or None."""
    if len(name) > MAX_FILE_NAME:
        return _("a file name of at most %(count)s characters", count=MAX_FILE_NAME)
    return text_problem(name)
