"""Figures the administrator sets for policy rules to use: tier-1 capital (一级资本净额, CNY)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.inputs.numbers import number_problem, written_decimal
from app.models import AppSetting, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.shared.unit_of_work import unit_of_work

TIER1_CAPITAL = "tier1_capital"
SETTINGS = {TIER1_CAPITAL: "Tier-1 capital (CNY)"}


def amount(key: str) -> Decimal | None:
    """A money setting, or None while the administrator has not set it."""
    row = db.session.get(AppSetting, key)
    return Decimal(row.value) if row is not None else None


def set_amount(actor: User | None, key: str, raw: str) -> Decimal:
    """Set a money setting (administrators only, or the system at set-up); audited with before/after."""
    if actor is not None and actor.role != "admin":
        raise NotAuthorized(
            _("Only an administrator may change %(setting)s.", setting=_(SETTINGS.get(key, key)))
        )
    if key not in SETTINGS:
        raise InvalidInput(_("Unknown setting."), {"key": _("one of %(keys)s", keys=", ".join(SETTINGS))})
    value = written_decimal(raw)
    if value is None or value <= 0 or number_problem(value):
        raise InvalidInput(_("The setting was not changed."), {key: _("a positive amount in CNY")})
    with unit_of_work():
        row = db.session.get(AppSetting, key)
        before = row.value if row is not None else None
        if row is None:
            row = AppSetting(key=key, value=str(value))
            db.session.add(row)
        row.value, row.updated_by_id, row.updated_at = str(value), actor.id if actor else None, utcnow()
        audit.record("setting.changed", actor, key=key, before=before, after=str(value))
    return value
