"""What the attachments tests share: a PDF's fields, a file as it is uploaded, and the reasons a refusal gives."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from app.errors import InvalidInput
from app.services.attachments.attachments import Upload

PDF_FIELDS = {
    "kind": "audited_statements",
    "title": "2025 年审计报告",
    "note": "会计师事务所出具\n无保留意见",
}


def upload(name: str, data: bytes, claimed: str | None = None) -> Upload:
    return Upload(name, claimed, io.BytesIO(data))


def refused(call) -> dict[str, str]:
    """The reasons, read in English whatever language the suite ran in before."""
    with force_locale("en"), pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.errors
