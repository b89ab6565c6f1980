"""Demo data of the customers' files after their cases: contacts, documents, facility dates, guarantees, collateral
and post-loan inspection visits, each from a module of its own, in the order one builds on the other; then the
warning rules run once more over the book, so what these files make them say (a collateral shortfall, a circle) is
raised as the daily check would raise it; then two years of the book's history (grades, classes, warnings);
then the stress tests, over the book as it then stands; last the past applications of former customers
that a scoring model is trained on, and the monthly checks of the models in use (模型监测) over the last half year."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.admin import (
    demo_case_library,
    demo_collateral,
    demo_contacts,
    demo_documents,
    demo_facilities,
    demo_guarantees,
    demo_history,
    demo_inspections,
    demo_scoring_history,
    demo_stress,
)
from app.services.monitoring import portfolio


def load() -> Iterator[str]:
    """Each part of the customers' files, in order; yields lines to print."""
    yield from demo_contacts.load()
    yield from demo_documents.load()
    yield from demo_facilities.load()
    yield from demo_guarantees.load()
    yield from demo_collateral.load()
    yield from demo_inspections.load()
    risk = db.session.scalar(select(User).where(User.username == "risk"))
    result = portfolio.scan(risk)
    yield f"portfolio check again: {len(result.raised)} more warning(s) from the customers' files"
    yield from demo_history.load()
    yield from demo_stress.load()
    yield from demo_case_library.load()  # its customers are those the check left without a warning
    yield from demo_scoring_history.load()  # last: former customers, outside the book the others build
    yield from demo_scoring_history.checks()
