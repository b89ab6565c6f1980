"""Facilities for the tests of dates, maturity and renewals: a case's facility, moved to mature on a day, and the
renewal it has."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Facility, ProcessInstance


def facility_of(case: ProcessInstance) -> Facility:
    db.session.expire_all()
    return db.session.scalar(select(Facility).where(Facility.instance_id == case.id))


def maturing_in(case: ProcessInstance, days: int) -> Facility:
    """The case's facility, moved so that it matures ``days`` from today (negative: matured)."""
    facility = facility_of(case)
    facility.matures_on = local_today() + timedelta(days=days)
    db.session.commit()
    return facility


def renewal_of(facility: Facility) -> ProcessInstance | None:
    db.session.expire_all()
    renewal_id = db.session.scalar(select(Facility.renewal_case_id).where(Facility.id == facility.id))
    return db.session.get(ProcessInstance, renewal_id) if renewal_id else None
