"""One entry of the case library as its page shows it (``case_library.show``: the stable link other rooms give,
e.g. training's reading lists), a customer's analyses for its page, and the form to start one by hand."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.errors import NotFound
from app.extensions import db
from app.models import CaseAnalysis, Customer, EarlyWarning, User
from app.services.analytics.case_library import causes, rights, timeline


@dataclass(frozen=True)
class EntryPage:
    analysis: CaseAnalysis
    timeline: list[timeline.Entry]
    causes: dict[str, str]  # code → title, the form's order
    outcomes: dict[str, str]


def entry(user: User, analysis_id: int) -> EntryPage:
    """The analysis with its customer's timeline (every credit user; an analysis under way reads as far as it got)."""
    rights.check_read(user)
    analysis = db.session.scalar(
        select(CaseAnalysis)
        .where(CaseAnalysis.id == analysis_id)
        .options(
            selectinload(CaseAnalysis.customer),
            selectinload(CaseAnalysis.instance),
            selectinload(CaseAnalysis.analyst),
            selectinload(CaseAnalysis.reviewer),
        )
    )
    if analysis is None:
        raise NotFound(_("No case analysis %(id)s.", id=analysis_id))
    return EntryPage(
        analysis,
        timeline.timeline(analysis.customer_id, analysis.default_on),
        causes.cause_titles(),
        causes.outcome_titles(),
    )


def of_customer(customer_id: int) -> list[CaseAnalysis]:
    """The customer's analyses, newest first (its page lists them for whoever reads the customer)."""
    return list(
        db.session.scalars(
            select(CaseAnalysis)
            .where(CaseAnalysis.customer_id == customer_id)
            .order_by(CaseAnalysis.id.desc())
            .options(selectinload(CaseAnalysis.instance))
        )
    )


@dataclass(frozen=True)
class StartForm:
    customer: Customer
    closed_warnings: list[EarlyWarning]  # those a success case may be of


def start_form(user: User, customer_id: int) -> StartForm:
    """What the form to start an analysis by hand offers (a risk manager's)."""
    rights.check_start(user)
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(_("No customer %(id)s.", id=customer_id))
    closed = list(
        db.session.scalars(
            select(EarlyWarning)
            .where(EarlyWarning.customer_id == customer_id, EarlyWarning.status == "closed")
            .order_by(EarlyWarning.closed_at.desc(), EarlyWarning.id.desc())
            .limit(50)
        )
    )
    return StartForm(customer, closed)
