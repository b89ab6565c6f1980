"""What a deployment request changes, read for the designer who approves it (四眼原则): each process whose
deployed version it would change — with what changes against the version running now (the version diff) —
and each decision table it changes, with its impact on the portfolio (policy impact). Once deployed, the
request links the versions it made instead.

The request's files are the snapshot kept when it was made, so what is read here is exactly what an
approval deploys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app import engine
from app.engine.xml import parse_xml
from app.errors import NotFound
from app.extensions import db
from app.models import DeploymentRequest, ProcessDefinition, User
from app.services.design.deployment import deployment, version_diff
from app.services.design.deployment.deployment_requests import changed_files
from app.services.design.impact import policy_impact
from app.services.design.workspace import workspace
from app.services.design.workspace.designer import check_designer


@dataclass(frozen=True)
class ProcessChange:
    process_id: str
    name: str  # "English / 中文", as the diagram names it
    current: int | None  # the version running now (None: a process deployed for the first time)
    made: int | None = None  # the version the approved request made


@dataclass(frozen=True)
class RequestReview:
    request: DeploymentRequest
    files: list[str]  # the drafts it takes, kind/name
    processes: list[ProcessChange]
    tables: list[str]  # the decision tables (rules/*.dmn) whose deployed text it changes


@dataclass(frozen=True)
class Proposed:
    """A process as a pending request would deploy it, read like a deployed version (for the diff)."""

    process_id: str
    bpmn_file: str
    bpmn_xml: str
    dmn_files: dict[str, str]
    forms: dict[str, dict]
    request: DeploymentRequest
    version: None = None

    @property
    def note(self) -> str:
        return self.request.note

    @property
    def deployed_by(self) -> User:
        return self.request.requested_by

    @property
    def deployed_at(self) -> datetime:
        return self.request.requested_at


def _request(user: User, request_id: int) -> DeploymentRequest:
    check_designer(user)
    row = db.session.get(DeploymentRequest, request_id)
    if row is None:
        raise NotFound(_("No deployment request %(id)s.", id=request_id))
    return row


def _process_id(candidate: deployment.Candidate) -> str:
    ids = sorted(engine.process_ids(candidate.bpmn_xml, candidate.bpmn_file))
    deployed = [i for i in ids if deployment.latest_definition(i, required=False) is not None]
    return (deployed or ids or [candidate.bpmn_file])[0]


def _proposals(row: DeploymentRequest, only: str | None = None) -> list[Proposed]:
    """Each process the pending request would deploy a new version of (``only``: that process, if so)."""
    found = []
    with workspace.materialized(row.files) as source:
        candidates = deployment.prepared(source, only)
    for c in candidates:
        if c.problems:
            continue  # it could not be deployed as it is: the approval is refused, naming the problem
        process_id = _process_id(c)
        latest = deployment.latest_definition(process_id, required=False)
        if latest is None or latest.content_hash != engine.content_hash(
            c.bpmn_xml, c.dmn_files, c.forms, c.called_files
        ):
            found.append(Proposed(process_id, c.bpmn_file, c.bpmn_xml, c.dmn_files, c.forms, row))
    return found


def _tables(pairs) -> dict[str, str | None]:
    """The tables whose text differs between each (before, after) pair: name -> the text before."""
    changed: dict[str, str | None] = {}
    for before, after in pairs:
        was = (before.dmn_files or {}) if before is not None else {}
        for name, text in sorted((after.dmn_files or {}).items()):
            if was.get(name) != text:
                changed.setdefault(name, was.get(name))
    return changed


def _versions(process_id: str, *versions: int) -> dict[int, ProcessDefinition]:
    return {
        d.version: d
        for d in db.session.scalars(
            select(ProcessDefinition).where(
                ProcessDefinition.process_id == process_id, ProcessDefinition.version.in_(versions)
            )
        )
    }


def review(user: User, request_id: int) -> RequestReview:
    """A request with the processes and tables it changes (designers, who approve requests)."""
    row = _request(user, request_id)
    processes: list[ProcessChange] = []
    pairs: list[tuple[ProcessDefinition | None, Proposed | ProcessDefinition]] = []  # (before, after)
    if row.status == "pending":
        for p in _proposals(row):
            latest = deployment.latest_definition(p.process_id, required=False)
            processes.append(
                ProcessChange(
                    p.process_id,
                    _name(p.bpmn_xml, p.bpmn_file, p.process_id) or p.process_id,
                    latest.version if latest else None,
                )
            )
            pairs.append((latest, p))
    else:
        for process_id, version, created in row.outcome or ():
            if created:
                found = _versions(process_id, version - 1, version)
                processes.append(ProcessChange(process_id, found[version].name, version - 1 or None, version))
                pairs.append((found.get(version - 1), found[version]))
    return RequestReview(row, changed_files(row), processes, list(_tables(pairs)))


def _name(xml: str, filename: str, process_id: str) -> str | None:
    process = next(
        (p for p in parse_xml(xml, filename).iter("{*}process") if p.get("id") == process_id), None
    )
    return process.get("name") if process is not None else None


def proposed(user: User, request_id: int, process_id: str) -> Proposed:
    """``process_id`` as the pending request would deploy it."""
    row = _request(user, request_id)
    found = (
        next((p for p in _proposals(row, process_id) if p.process_id == process_id), None)
        if row.status == "pending"
        else None
    )
    if found is None:
        raise NotFound(
            _("Deployment request %(id)s changes no process %(process)s.", id=request_id, process=process_id)
        )
    return found


def process_diff(user: User, request_id: int, process_id: str) -> version_diff.VersionDiff:
    """What the pending request changes in ``process_id`` against the version running now."""
    after = proposed(user, request_id, process_id)
    before = deployment.latest_definition(process_id, required=False)
    if before is None:
        raise NotFound(
            _("%(process)s is new: there is no deployed version to compare it with.", process=process_id)
        )
    return version_diff.compare(process_id, before, after)


def table_impact(user: User, request_id: int, dmn_file: str) -> policy_impact.Impact:
    """The impact of a table as the pending request would deploy it, against the table running now."""
    row = _request(user, request_id)
    proposals = _proposals(row) if row.status == "pending" else []
    changed = _tables((deployment.latest_definition(p.process_id, required=False), p) for p in proposals)
    if dmn_file not in changed:
        raise NotFound(
            _("Deployment request %(id)s changes no table %(file)s.", id=request_id, file=dmn_file)
        )
    if changed[dmn_file] is None:
        raise NotFound(_("%(file)s is new: no table runs yet to compare it with.", file=dmn_file))
    after = next(p.dmn_files[dmn_file] for p in proposals if dmn_file in p.dmn_files)
    return policy_impact.impact(user, dmn_file, after, current_xml=changed[dmn_file])
