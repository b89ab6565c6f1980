"""The one way a download is named: ``Content-Disposition`` with an ASCII fallback and the exact name (RFC 6266 /
RFC 5987), so a name in Chinese (a model, a column, a customer) reaches the browser whole and never breaks the
response (an HTTP header is Latin-1: a raw Chinese name fails the response after the view has run)."""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def attachment(name: str) -> dict[str, str]:
    """The header naming the download ``name``."""
    fallback = _UNSAFE.sub("_", name).strip("_") or "download"
    return {
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    }
