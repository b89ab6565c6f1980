"""A case's full history for auditors: every audit event in order with its data, as CSV, or as a PDF with
the case's facts, each decision (table version, inputs, matched rules, outputs) and each submission."""

from __future__ import annotations

import json

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from weasyprint import HTML

from app.documents import sheets
from app.extensions import db
from app.language import in_language
from app.localtime import local_time
from app.models import ProcessDefinition, User
from app.services.audit.audit_search import check_auditor
from app.services.cases.cases import case_view

# The recorded columns as stored (codes, for tools), then the same event as people read it, in the language
# asked: the event's name, the person's name, the step's name and what was submitted, field by field.
COLUMNS = (
    "id",
    "occurred_at",
    "event_type",
    "actor",
    "element",
    "payload",
    "hash",
    "event",
    "by",
    "step",
    "submitted",
)


def history_csv(user: User, instance_id: int, language: str = "zh_CN") -> bytes:
    check_auditor(user)
    view = case_view(user, instance_id)
    rows: list[list] = [list(COLUMNS)]
    with force_locale(language):
        for m in view.timeline:
            e = m.event
            rows.append(
                [
                    e.id,
                    local_time(e.occurred_at, "%Y-%m-%d %H:%M:%S"),
                    e.event_type,
                    e.actor_name,
                    m.element or "",
                    json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
                    e.hash,
                    _(e.event_type),
                    m.actor,
                    in_language(m.step, language) if m.step else "",
                    "; ".join(f"{x.title}: {x.value}" for x in m.submitted),
                ]
            )
    return sheets.csv_bytes(rows)


def history_pdf(user: User, instance_id: int, language: str = "zh_CN") -> bytes:
    return HTML(string=history_html(user, instance_id, language)).write_pdf()


def history_html(user: User, instance_id: int, language: str = "zh_CN") -> str:
    """The page the history PDF is printed from."""
    check_auditor(user)
    view = case_view(user, instance_id)
    versions = {
        d.id: d.version
        for d in db.session.scalars(
            select(ProcessDefinition).where(
                ProcessDefinition.id.in_({log.definition_id for log in view.decisions} or {0})
            )
        )
    }
    with force_locale(language):
        return render_template(
            "documents/history.html", view=view, versions=versions, current_locale=language
        )
