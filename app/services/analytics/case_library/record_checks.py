"""The analysis form's own check (``"x-checks": ["case_analysis"]``): a linked design draft must be one the
designers keep (named as its file is), so the library's link leads somewhere."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import InvalidInput
from app.extensions import db
from app.models import DesignDraft, ProcessInstance


def check_case_analysis(
    instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any], locale: str
) -> None:
    name = (submitted.get("draft_name") or "").strip()
    if name and db.session.scalar(select(DesignDraft.id).where(DesignDraft.name == name).limit(1)) is None:
        raise InvalidInput(
            _("The linked draft does not exist."),
            {"draft_name": _("no design draft is named %(name)s; leave it empty if none follows", name=name)},
        )
