"""Champion and challenger (冠军/挑战者模型) by four-eyes: one risk person proposes, another approves.

- A version is **proposed** as champion or challenger with a reason (``propose``); one proposal is open on a
  version at a time.
- A **second person** approves or rejects it (``decide``; never the proposer nor the version's author).
  Approving a champion makes the last champion a challenger no more: it is **replaced** (kept, retired).
  There is one champion, the model the rating uses; challengers run in shadow beside it, deciding nothing.
- A challenger or the champion can be **retired** (``retire``), with a reason; the rating then falls back to
  the bank's hand-set scorecard until a champion is approved.

Every step is a ``ScoringModelDecision`` row and an audit event (``scoring_model.<action>``). Switching
champion never changes a decided case: a case keeps the PD, grade and model version it was rated with.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.inputs.text import text_problem
from app.models.people import User
from app.models.scoring import CANDIDATE, CHALLENGER, CHAMPION, RETIRED, ScoringModel, ScoringModelDecision
from app.services.audit import audit
from app.services.scoring import rights, versions
from app.services.shared.unit_of_work import unit_of_work

ROLES = (CHAMPION, CHALLENGER)
# each step's action, recorded as ``scoring_model.<action>`` (the audit log's vocabulary names each)
ACTIONS = ("proposed", "approved", "rejected", "retired", "replaced")
NOTE_LENGTH = 500


def open_proposal(version: ScoringModel) -> ScoringModelDecision | None:
    """The version's last step when it is a proposal not yet decided."""
    last = db.session.scalars(
        select(ScoringModelDecision)
        .where(ScoringModelDecision.model_id == version.id)
        .order_by(ScoringModelDecision.id.desc())
        .limit(1)
    ).first()
    return last if last is not None and last.action == "proposed" else None


def waiting(ids: list[int]) -> set[int]:
    """Which of the versions ``ids`` have a proposal waiting (their last step is one), in one query."""
    last = (
        select(func.max(ScoringModelDecision.id))
        .where(ScoringModelDecision.model_id.in_(ids))
        .group_by(ScoringModelDecision.model_id)
    )
    found = select(ScoringModelDecision.model_id).where(
        ScoringModelDecision.id.in_(last), ScoringModelDecision.action == "proposed"
    )
    return set(db.session.scalars(found)) if ids else set()


def history(version: ScoringModel) -> list[ScoringModelDecision]:
    query = select(ScoringModelDecision).where(ScoringModelDecision.model_id == version.id)
    return list(db.session.scalars(query.order_by(ScoringModelDecision.id)))


def champion() -> ScoringModel | None:
    return db.session.scalars(select(ScoringModel).where(ScoringModel.status == CHAMPION).limit(1)).first()


def challengers() -> list[ScoringModel]:
    return list(db.session.scalars(select(ScoringModel).where(ScoringModel.status == CHALLENGER)))


def propose(user: User, model_id: int, role: str, note: str) -> ScoringModelDecision:
    rights.check_keeper(user)
    note = _note(note)
    if role not in ROLES:
        raise InvalidInput(_("The proposal was not made."), {"role": _("champion or challenger")})
    with unit_of_work():
        version = _locked(model_id)
        if open_proposal(version) is not None:
            raise Conflict(_("This version already has a proposal waiting for a second person."))
        if version.status == role:
            status = f"model_status_{role}"  # a code of the vocabulary (wording.CODES)
            raise Conflict(_("This version already is the %(role)s.", role=_(status)))
        if version.status == RETIRED:
            raise Conflict(_("A retired version cannot be proposed again; train a new one."))
        step = _step(version, "proposed", role, user, note)
    return step


DECISIONS = {"approve": True, "reject": False}


def decide(user: User, model_id: int, approve: bool | str | None, note: str) -> ScoringModelDecision:
    """Approve or reject the open proposal: ``approve`` is True or False, or as a form says it, approve or reject
    (anything else is refused, never read as a rejection)."""
    rights.check_keeper(user)
    if not isinstance(approve, bool):
        if approve not in DECISIONS:
            raise InvalidInput(
                _("Nothing was decided."), {"decision": _("one of %(keys)s", keys="approve, reject")}
            )
        approve = DECISIONS[approve]
    note = _note(note, required=not approve)
    with unit_of_work():
        version = _locked(model_id)
        proposal = open_proposal(version)
        if proposal is None:
            raise Conflict(_("This version has no proposal waiting for a decision."))
        rights.check_second_person(user, version, proposal.actor_id)
        if not approve:
            return _step(version, "rejected", proposal.role, user, note)
        if proposal.role == CHAMPION:
            # the champion's row is locked, and the one-champion index refuses a race this lock cannot see
            champions = select(ScoringModel).where(ScoringModel.status == CHAMPION).with_for_update()
            for previous in db.session.scalars(champions).all():
                previous.status = RETIRED
                # the note names the new champion, in no language: every reader sees the step in their own
                _step(previous, "replaced", CHAMPION, user, f"→ {version.name} v{version.version}")
        version.status = proposal.role or CANDIDATE
        step = _step(version, "approved", proposal.role, user, note)
    return step


def retire(user: User, model_id: int, note: str) -> ScoringModelDecision:
    rights.check_keeper(user)
    note = _note(note, required=True)
    with unit_of_work():
        version = _locked(model_id)
        if version.status not in ROLES:
            raise Conflict(_("Only the champion or a challenger is retired."))
        role = version.status
        version.status = RETIRED
        step = _step(version, "retired", role, user, note)
    return step


def _locked(model_id: int) -> ScoringModel:
    versions.find(model_id)
    found = db.session.scalars(
        select(ScoringModel).where(ScoringModel.id == model_id).with_for_update()
    ).one()
    return found


def _step(
    version: ScoringModel, action: str, role: str | None, user: User, note: str
) -> ScoringModelDecision:
    step = ScoringModelDecision(model_id=version.id, action=action, role=role, actor_id=user.id, note=note)
    db.session.add(step)
    db.session.flush()
    audit.record(
        f"scoring_model.{action}",
        user,
        model_id=version.id,
        name=version.name,
        version=version.version,
        role=role,
        note=note,
    )
    return step


def _note(note: str | None, required: bool = False) -> str:
    text = (note or "").strip()
    if required and not text:
        raise InvalidInput(_("Nothing was changed."), {"note": _("say why")})
    if problem := text_problem(text, multi_line=True):
        raise InvalidInput(_("Nothing was changed."), {"note": problem})
    if len(text) > NOTE_LENGTH:
        raise InvalidInput(
            _("Nothing was changed."), {"note": _("at most %(count)s characters", count=NOTE_LENGTH)}
        )
    return text
