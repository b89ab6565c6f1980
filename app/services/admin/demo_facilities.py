"""Demo facilities that end: the demo's live facilities were all decided today, so a few are dated as if granted
earlier — maturing within 30, 60 and 90 days, one matured but still live — and the renewal (续授信) of the
soonest is proposed already, its intake waiting on its officer's "My tasks".

The dates move the whole facility back in time (its decision, start and maturity keep their term apart); the
renewal goes through ``renewals`` as the customer's officer, so its checks and audit trail are the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today, to_utc
from app.models import Facility, User
from app.services.customers.facilities import facility_terms, renewals

# Days from today the demo's live facilities mature, in the order they were decided (matured: negative); the
# first has its renewal proposed already.
MATURITIES = (20, 50, 80, -10, 25)


def load() -> Iterator[str]:
    today = local_today()
    facilities = db.session.scalars(
        select(Facility).where(Facility.status.in_(facility_terms.LIVE)).order_by(Facility.id)
    ).all()
    for facility, days in zip(facilities, MATURITIES, strict=False):
        facility.matures_on = today + timedelta(days=days)
        facility.start_on = facility_terms.add_months(facility.matures_on, -(facility.term_months or 12))
        facility.decided_at = to_utc(datetime.combine(facility.start_on, time(10)))
    db.session.commit()
    dated = facilities[: len(MATURITIES)]
    yield f"{len(dated)} facilities dated to mature soon (in {', '.join(str(d) for d in MATURITIES[: len(dated)])} days)"
    officer = (
        db.session.get(User, dated[0].customer.officer_id) if dated and dated[0].customer.officer_id else None
    )
    if officer is not None:
        facility = dated[0]
        renewal = renewals.propose(officer, facility.id)
        yield f"renewal {renewal.reference} proposed for {facility.instance.reference} ({facility.customer.name})"
