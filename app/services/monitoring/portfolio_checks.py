"""The portfolio check as a job the watchlist page follows: a risk manager asks for it (or the daily beat
runs it), a Celery worker runs ``portfolio.scan``, and its row tells the page how far it got — customer
by customer, as each one's new warnings are raised — and, when it is done, what it did: customers
evaluated, warnings raised, escalations started and joined.

One check at a time, which the database holds (one row ``active``, while queued or running): two at once
would each see the other's customers without an escalation and start a second one for the same signals.
Asking while one is going on follows that one; the beat leaves it be. A check that can no longer finish
does not block the next: one still queued long after a worker would have taken it (its job was lost) or
running past the job's time limit (its worker is gone) is failed, saying so, and a new one takes its place.

A check runs again safely (a lost worker's job is redelivered): the scan never raises a warning twice,
and what an earlier run of the same check did is kept and added to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import NotAuthorized, NotFound
from app.extensions import db
from app.language import kept, stored
from app.models import PortfolioCheck, ProcessInstance, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.monitoring import portfolio
from app.services.monitoring.observations import MAY_READ
from app.services.shared import dispatch

MAY_RUN = {"risk_manager"}
RUNNING = ("queued", "running")
# A worker takes a queued check within seconds; one still queued this long after was lost on its way.
QUEUE_LOST_AFTER = timedelta(minutes=10)
# The job's time limit (app/jobs/monitoring.py) and a margin: a check running longer has no worker.
STALLED_AFTER = timedelta(hours=1, minutes=5)
SHOWN = 50  # escalations listed with links


def request(user: User) -> tuple[PortfolioCheck | None, bool]:
    """A risk manager asks for a check now: the one already going on, else a new one (and True), its job
    queued with it."""
    if user.role not in MAY_RUN:
        raise NotAuthorized(_("Only a risk manager may run the portfolio check."))
    check, new = _claim(user)
    if check is not None and new:
        audit.record("monitoring.portfolio_check_requested", user, check_id=check.id)
        dispatch.enqueue(dispatch.CHECK_PORTFOLIO, check.id)
    db.session.commit()
    return check, new


def _going() -> PortfolioCheck | None:
    return db.session.scalar(select(PortfolioCheck).where(PortfolioCheck.active.is_(True)))


def _claim(user: User | None) -> tuple[PortfolioCheck | None, bool]:
    """The check going on, else a new one, queued (True); flushed, not committed. Of two asking at once,
    the database lets one insert and the other gets its check (None if that one finished meanwhile)."""
    going = _going()
    if going is not None and not _given_up(going):
        return going, False
    try:
        with db.session.begin_nested():
            check = PortfolioCheck(
                status="queued",
                active=True,
                started=[],
                joined=[],
                requested_by_id=user.id if user else None,
                requested_at=utcnow(),
            )
            db.session.add(check)
    except IntegrityError:  # another request, or the beat, inserted theirs first
        return _going(), False
    return check, True


def _given_up(check: PortfolioCheck) -> bool:
    """Fail ``check`` if it can no longer finish, saying why; True if it was."""
    now = utcnow()
    if check.status == "queued" and check.requested_at < now - QUEUE_LOST_AFTER:
        reason = kept(
            "No worker took it within %(minutes)s minutes: its job was lost. A new check took its place.",
            minutes=int(QUEUE_LOST_AFTER.total_seconds() // 60),
        )
    elif check.status == "running" and (check.started_at or check.requested_at) < now - STALLED_AFTER:
        reason = kept(
            "It ran past its time limit without finishing: its worker stopped. A new check took its place."
        )
    else:
        return False
    _fail(check, reason)
    db.session.flush()  # no longer active before the new one is
    return True


def _fail(check: PortfolioCheck, reason) -> None:
    check.status, check.active, check.failure, check.finished_at = "failed", None, stored(reason), utcnow()
    audit.record("monitoring.portfolio_check_failed", None, check_id=check.id, reason=str(reason)[:500])


def run(check_id: int | None = None) -> PortfolioCheck | None:
    """Run a check, keeping its progress in its row as it goes. The beat's daily run (``check_id`` None)
    runs a new one, unless one is going on: then that one is returned, left to its worker. None: there is no
    check ``check_id``, or the check going on that refused the beat's ended before the beat read it."""
    if check_id is None:
        check, new = _claim(None)
        db.session.commit()
        if not new:
            return check
    else:
        check = db.session.get(PortfolioCheck, check_id)
    if check is None or check.status not in RUNNING:
        return check  # done, or failed (given up for lost: another took its place)
    check.status, check.started_at = "running", utcnow()
    db.session.commit()
    done_before, raised_before = check.groups_done, check.raised
    started_before, joined_before = list(check.started), list(check.joined)

    def progress(result: portfolio.ScanResult, done: int, total: int) -> None:
        check.customers, check.signals = result.customers, result.signals
        check.groups_total, check.groups_done = done_before + total, done_before + done
        check.raised = raised_before + len(result.raised)
        check.started, check.joined = started_before + result.started, joined_before + result.joined
        db.session.commit()

    try:
        portfolio.scan(check.requested_by, progress)
    except Exception as exc:  # noqa: BLE001 - whatever stopped it, the page says so instead of spinning
        db.session.rollback()
        _fail(check, str(exc)[:500])
        db.session.commit()
        raise
    check.status, check.active, check.finished_at = "done", None, utcnow()
    db.session.commit()
    return check


@dataclass(frozen=True)
class CheckView:
    check: PortfolioCheck
    started: list[ProcessInstance]  # the escalations it started (the first SHOWN)
    joined: list[ProcessInstance]  # the open escalations its warnings joined


def _view(check: PortfolioCheck) -> CheckView:
    ids = [*check.started[:SHOWN], *check.joined[:SHOWN]]
    found = {i.id: i for i in db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))}
    return CheckView(
        check,
        [found[i] for i in check.started[:SHOWN] if i in found],
        [found[i] for i in check.joined[:SHOWN] if i in found],
    )


def latest(user: User) -> CheckView | None:
    """The last check asked for or run, for the watchlist page."""
    _check_reader(user)
    check = db.session.scalar(select(PortfolioCheck).order_by(PortfolioCheck.id.desc()).limit(1))
    return _view(check) if check is not None else None


def get(user: User, check_id: int) -> CheckView:
    _check_reader(user)
    check = db.session.get(PortfolioCheck, check_id)
    if check is None:
        raise NotFound(_("No portfolio check %(id)s.", id=check_id))
    return _view(check)


def _check_reader(user: User) -> None:
    if user.role not in MAY_READ:
        raise NotAuthorized(_("Your role may not read the watchlist."))
