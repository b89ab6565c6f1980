"""Four-eyes on policy changes: a designer requests a deployment of the working copy (workflows/, rules/ and
forms/ with the saved drafts laid over them; checked, tests included, and kept as it was); a second designer or the
administrator approves it — never the one who asked — and exactly the files requested are deployed, or
rejects it. Every step is audited. A deployed snapshot is written back to the directories and closes its
drafts (``workspace.publish``)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import DeploymentRequest, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.design.deployment import deployment
from app.services.design.workspace import workspace
from app.services.design.workspace.designer import check_designer
from app.services.shared.unit_of_work import unit_of_work


def request(user: User, note: str) -> DeploymentRequest:
    """Check what would be deployed now and keep it for a second person's approval."""
    check_designer(user)
    note = (note or "").strip()
    if len(note) < 4:
        raise InvalidInput(_("The deployment was not requested."), {"note": _("say what changes and why")})
    workspace.check_stale()
    files, bases, records = workspace.snapshot(), workspace.bases(), workspace.draft_records()
    with workspace.materialized(files) as source:
        deployment.candidates_of(source=source)  # refused here, naming each problem, if anything fails
    with unit_of_work():
        row = DeploymentRequest(
            note=note[:500],
            files=files,
            bases=bases,
            drafts=records,
            requested_by_id=user.id,
            requested_at=utcnow(),
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            "deployment.requested", user, request_id=row.id, note=row.note, drafts=changed_files(row)
        )
    return row


def _pending(request_id: int) -> DeploymentRequest:
    row = db.session.get(DeploymentRequest, request_id)
    if row is None:
        raise NotFound(_("No deployment request %(id)s.", id=request_id))
    if row.status != "pending":
        state = f"request_{row.status}"  # a vocabulary code (app/web/vocabulary.py)
        raise Conflict(_("This request was already %(status)s.", status=_(state)))
    return row


def approve(user: User, request_id: int, comment: str = "") -> DeploymentRequest:
    """Deploy exactly the files requested (a second designer or the administrator)."""
    check_designer(user)
    row = _pending(request_id)
    if row.requested_by_id == user.id:
        raise NotAuthorized(_("Four eyes: someone other than the requester approves a deployment."))
    written_by_approver = [f"{r['kind']}/{r['name']}" for r in row.drafts or () if user.id in r["authors"]]
    if written_by_approver:
        raise NotAuthorized(
            _(
                "Four eyes: you wrote drafts this request deploys (%(files)s); another designer approves it.",
                files=", ".join(written_by_approver),
            )
        )
    changed = workspace.changed_since(row.bases) if row.bases is not None else []
    if changed:
        raise Conflict(
            _(
                "These files changed after the request was made: %(files)s. Reject it and request "
                "again, so what is approved is what is deployed over the files as they are.",
                files=", ".join(changed),
            )
        )
    try:
        with unit_of_work():
            with workspace.materialized(row.files) as source:
                outcomes = deployment.deploy_files(actor=row.requested_by, note=row.note, source=source)
            written = workspace.publish(row.files, row.drafts or [])
            row.status, row.decided_by_id, row.decided_at = "deployed", user.id, utcnow()
            row.comment, row.outcome = (
                comment or None,
                [[o.process_id, o.version, o.created] for o in outcomes],
            )
            audit.record(
                "deployment.approved",
                user,
                request_id=row.id,
                requested_by=row.requested_by.username,
                deployed=row.outcome,
                written=written,
            )
    except OSError as exc:  # rolled back: nothing was deployed
        raise Conflict(
            _(
                "The files could not be written back (%(reason)s); nothing was deployed.",
                reason=exc.strerror or exc,
            )
        ) from exc
    return row


def reject(user: User, request_id: int, comment: str) -> DeploymentRequest:
    check_designer(user)
    row = _pending(request_id)
    if not (comment or "").strip():
        raise InvalidInput(_("The request was not rejected."), {"comment": _("say why")})
    with unit_of_work():
        row.status, row.decided_by_id, row.decided_at, row.comment = (
            "rejected",
            user.id,
            utcnow(),
            comment.strip()[:500],
        )
        audit.record("deployment.rejected", user, request_id=row.id, comment=row.comment)
    return row


def listing(user: User) -> list[DeploymentRequest]:
    check_designer(user)
    return list(db.session.scalars(select(DeploymentRequest).order_by(DeploymentRequest.id.desc()).limit(30)))


def changed_files(row: DeploymentRequest) -> list[str]:
    """The drafts a request deploys, as kind/name (what the approver reads before approving)."""
    return [f"{r['kind']}/{r['name']}" for r in row.drafts or ()]
