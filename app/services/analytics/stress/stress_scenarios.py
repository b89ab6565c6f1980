"""Stress scenarios (压力测试情景) as data: a name, a description and its shocks, kept by risk managers.

A shock is ``{"industry", "sales_pct", "ebit_pct", "rate_bp", "collateral_pct"}``: the industry it hits (a code of
``book_filter.INDUSTRIES``, or ``"*"`` for every industry), the change of operating revenue and of EBIT in percent
(−30 is a fall of 30 %), the rise of interest rates in basis points (+200 is two points on every yuan of debt) and
the change of collateral values in percent. Where a scenario names an industry and also ``"*"``, the industry's
own shock applies to it (the most specific wins; they are not added). How the run reads a shock:
``stress_compute``.

Every field is checked and a bad one named (422): numbers must be finite and within :data:`BOUNDS`
(NaN, Infinity and absurd sizes refused), an industry named at most once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import StressScenario, User
from app.models.base import utcnow
from app.services.analytics import rights
from app.services.audit import audit
from app.services.customers.relationship.book_filter import INDUSTRIES
from app.services.shared.unit_of_work import unit_of_work

EVERY = "*"
MAY_KEEP = ("risk_manager",)
MAX_SHOCKS = 20
NAME_MAX, DESCRIPTION_MAX = 120, 2000
# field -> (lowest, highest): a sales fall beyond −100 % or a rate rise of 20 points is no scenario but a typo
BOUNDS: dict[str, tuple[float, float]] = {
    "sales_pct": (-100.0, 100.0),
    "ebit_pct": (-100.0, 100.0),
    "rate_bp": (-500.0, 2000.0),
    "collateral_pct": (-100.0, 100.0),
}
NUMBERS = tuple(BOUNDS)


def check_reader(user: User) -> rights.Reach:
    """The reach of a reader of the stress tests (the portfolio's readers), else refused."""
    return rights.portfolio_reach(user)


def check_keeper(user: User) -> None:
    if user.role not in MAY_KEEP:
        raise NotAuthorized(_("Only a risk manager may keep the stress scenarios."))


def _number(raw: Any, field: str, errors: dict[str, str]) -> float:
    low, high = BOUNDS[field.rsplit(".", 1)[-1]]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0.0
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        errors[field] = _("a number from %(low)s to %(high)s", low=f"{low:g}", high=f"{high:g}")
        return 0.0
    return round(value, 4)


def clean_shocks(raw: Any) -> list[dict[str, Any]]:
    """The shocks checked and in their stored shape; InvalidInput names each bad field (``shocks.2.rate_bp``)."""
    errors: dict[str, str] = {}
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(_("The scenario cannot be kept."), {"shocks": _("at least one shock")})
    if len(raw) > MAX_SHOCKS:
        raise InvalidInput(
            _("The scenario cannot be kept."), {"shocks": _("at most %(n)s shocks", n=MAX_SHOCKS)}
        )
    shocks: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, item in enumerate(raw):
        where = f"shocks.{position}"
        if not isinstance(item, Mapping):
            errors[where] = _("a shock: industry and its changes")
            continue
        industry = str(item.get("industry") or "").strip()
        if industry != EVERY and industry not in INDUSTRIES:
            errors[f"{where}.industry"] = _("an industry, or * for every industry")
        elif industry in seen:
            errors[f"{where}.industry"] = _("this industry has a shock already")
        seen.add(industry)
        shock: dict[str, Any] = {"industry": industry}
        for name in NUMBERS:
            shock[name] = _number(item.get(name), f"{where}.{name}", errors)
        shocks.append(shock)
    if errors:
        raise InvalidInput(_("The scenario cannot be kept."), errors)
    return shocks


def _clean(data: Mapping[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = _("a name of 1 to %(n)s characters", n=NAME_MAX)
    description = str(data.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("at most %(n)s characters", n=DESCRIPTION_MAX)
    try:
        shocks = clean_shocks(data.get("shocks"))
    except InvalidInput as exc:
        errors.update(exc.errors)
        shocks = []
    if errors:
        raise InvalidInput(_("The scenario cannot be kept."), errors)
    return name, description, shocks


def shocks_from_form(form: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rows of the scenario form (``industry_0``, ``sales_pct_0``...), the empty ones left out."""
    rows = []
    for position in range(MAX_SHOCKS):
        industry = (form.get(f"industry_{position}") or "").strip()
        if not industry:
            continue
        rows.append({"industry": industry, **{n: form.get(f"{n}_{position}") for n in NUMBERS}})
    return rows


def create(user: User, data: Mapping[str, Any]) -> StressScenario:
    """A new scenario (a risk manager's), audited."""
    check_keeper(user)
    name, description, shocks = _clean(data)
    with unit_of_work():
        scenario = StressScenario(
            name=name, description=description, shocks=shocks, created_by_id=user.id, created_at=utcnow()
        )
        db.session.add(scenario)
        db.session.flush()
        audit.record("stress.scenario_kept", user, scenario_id=scenario.id, name=name, shocks=shocks)
    return scenario


def update(user: User, scenario_id: int, data: Mapping[str, Any]) -> StressScenario:
    """The scenario changed (a risk manager's), audited; its past runs keep the shocks they ran with."""
    check_keeper(user)
    scenario = get(user, scenario_id)
    name, description, shocks = _clean(data)
    with unit_of_work():
        scenario.name, scenario.description, scenario.shocks = name, description, shocks
        audit.record("stress.scenario_kept", user, scenario_id=scenario.id, name=name, shocks=shocks)
    return scenario


def get(user: User, scenario_id: int) -> StressScenario:
    check_reader(user)
    scenario = db.session.get(StressScenario, scenario_id)
    if scenario is None:
        raise NotFound(_("No stress scenario %(id)s.", id=scenario_id))
    return scenario


def listed(user: User) -> list[StressScenario]:
    """Every scenario, the newest first."""
    check_reader(user)
    return list(db.session.scalars(select(StressScenario).order_by(StressScenario.id.desc())))
