"""The portfolio check as a job the watchlist page follows: a risk manager asks for it (or the daily beat
runs it), a Celery worker runs ``portfolio.scan``, and its row tells the page how far it got — customer
by customer, as each one's new warnings are raised — and, when it is done, what it did: customers
evaluated, warnings raised, escalations started and joined.

A check runs again safely (a lost worker's job is redelivered): the scan never raises a warning twice,
and what an earlier run of the same check did is kept and added to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import NotAuthorized, NotFound
from app.extensions import db
from app.models import PortfolioCheck, ProcessInstance, User
from app.models.base import utcnow
from app.services import audit, portfolio
from app.services.observations import MAY_READ

MAY_RUN = {"risk_manager"}
RUNNING = ("queued", "running")
STALLED_AFTER = timedelta(hours=1)  # the job's time limit: a check still "running" then has no worker
SHOWN = 50  # escalations listed with links


def request(user: User) -> tuple[PortfolioCheck, bool]:
    """A risk manager asks for a check now: the one already waiting or running, else a new one (and True:
    the caller queues its job)."""
    if user.role not in MAY_RUN:
        raise NotAuthorized(_("Only a risk manager may run the portfolio check."))
    waiting = db.session.scalar(select(PortfolioCheck).where(PortfolioCheck.status.in_(RUNNING),
                                                             PortfolioCheck.requested_at > utcnow() - STALLED_AFTER)
                                .order_by(PortfolioCheck.id.desc()).limit(1))
    if waiting is not None:
        return waiting, False
    check = _new(user)
    audit.record("monitoring.portfolio_check_requested", user, check_id=check.id)
    db.session.commit()
    return check, True


def _new(user: User | None) -> PortfolioCheck:
    check = PortfolioCheck(status="queued", started=[], joined=[], requested_by_id=user.id if user else None,
                           requested_at=utcnow())
    db.session.add(check)
    db.session.flush()
    return check


def run(check_id: int | None = None) -> PortfolioCheck:
    """Run a check (a new one for the beat's daily run), keeping its progress in its row as it goes."""
    check = db.session.get(PortfolioCheck, check_id) if check_id is not None else _new(None)
    if check is None or check.status in ("done", "failed"):
        return check
    check.status = "running"
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
        check.status, check.failure, check.finished_at = "failed", str(exc)[:500], utcnow()
        audit.record("monitoring.portfolio_check_failed", None, check_id=check.id, reason=check.failure)
        db.session.commit()
        raise
    check.status, check.finished_at = "done", utcnow()
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
    return CheckView(check, [found[i] for i in check.started[:SHOWN] if i in found],
                     [found[i] for i in check.joined[:SHOWN] if i in found])


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
