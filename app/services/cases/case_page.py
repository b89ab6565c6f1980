"""What a case's page shows to one user, gathered by one call: the case (``cases.case_view``, which checks
that the user may read it), its kept documents and those it can produce, the files attached to it, and what the user may do on it —
move an open task to someone else or excuse a vote (a manager), withdraw the application (an officer who
works on it) — and, for a withdrawn case, who withdrew it, when and why.

Each part keeps the authorization of the service that owns it; this module only gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from app.models import AuditEvent, CaseDocument, User
from app.services.attachments import pages as attachment_pages
from app.services.audit import documents
from app.services.cases import delegation, recusal, withdrawal
from app.services.cases.cases import CaseView, case_view


@dataclass(frozen=True)
class CasePage:
    """The case page's parts, named as its template reads them."""

    view: CaseView
    documents: list[CaseDocument]  # the renderings kept, newest first
    offered: tuple[str, ...]  # the documents the case can produce now
    reassign: dict[int, list[User]]  # open task id -> whom a manager may move it to (only for a manager)
    excusable: set[int]  # the open committee votes a manager may excuse
    can_withdraw: bool
    withdrawn: AuditEvent | None  # the withdrawal (who, when, why) of a withdrawn case
    document_languages: tuple[str, ...]
    attachments: (
        attachment_pages.CaseDocuments | None
    )  # the documents attached (资料); None: the role reads none

    def names(self) -> dict[str, Any]:
        """The parts by name, for the template."""
        return {part.name: getattr(self, part.name) for part in fields(self)}


def case_page(user: User, case_id: int) -> CasePage:
    """Everything the page of case ``case_id`` shows to ``user`` (who must be able to read the case)."""
    view = case_view(user, case_id)
    instance = view.instance
    reassign = {
        t.id: delegation.reassign_targets(user, t)
        for t in view.tasks
        if t.state == "ready" and user.role in delegation.MANAGERS
    }
    return CasePage(
        view=view,
        documents=documents.stored_documents(case_id),
        offered=documents.offered(view),
        reassign=reassign,
        excusable={t.id for t in view.tasks if recusal.may_excuse(user, t)},
        can_withdraw=withdrawal.may_withdraw(user, instance),
        withdrawn=withdrawal.withdrawal_of(case_id) if instance.status == withdrawal.WITHDRAWN else None,
        document_languages=documents.LANGUAGES,
        attachments=attachment_pages.for_case(user, instance, view.data),
    )
