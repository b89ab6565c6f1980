"""Group exposure (统一授信) and the large-exposure limits (大额风险暴露).

A customer's exposure is the sum of its active limits; its connected group's is the sum over every
customer of the group. A proposal is measured on top of both, against shares of the bank's tier-1
capital: the shares come from ``rules/large_exposure.dmn`` (into the case data), the capital from
the administrator's setting. A proposal that would breach a limit is refused with the numbers. A renewal
(续授信) is measured without the facility it replaces, which ends when the renewal is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.errors import InvalidInput
from app.extensions import db
from app.forms.display import format_money
from app.models import Customer, Facility, ProcessInstance
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.admin import settings

LIMIT_FIELD = "proposed_limit"


@dataclass(frozen=True)
class Exposure:
    group_name: str | None
    customer_existing: Decimal  # active limits of this customer, other cases
    group_existing: Decimal  # active limits of the whole group (this customer included), other cases
    proposed: Decimal
    capital: Decimal | None
    single_share: Decimal | None
    group_share: Decimal | None

    @property
    def single_total(self) -> Decimal:
        return self.customer_existing + self.proposed

    @property
    def group_total(self) -> Decimal:
        return self.group_existing + self.proposed

    @property
    def single_limit(self) -> Decimal | None:
        return self.capital * self.single_share if self.capital and self.single_share is not None else None

    @property
    def group_limit(self) -> Decimal | None:
        return self.capital * self.group_share if self.capital and self.group_share is not None else None

    @property
    def breaches(self) -> list[str]:
        found = []
        if self.single_limit is not None and self.single_total > self.single_limit:
            found.append("single")
        if self.group_name and self.group_limit is not None and self.group_total > self.group_limit:
            found.append("group")
        return found


def _active_total(*conditions) -> Decimal:
    query = (
        select(func.coalesce(func.sum(Facility.limit_amount), 0))
        .join(Customer, Facility.customer_id == Customer.id)
        .where(Facility.status.in_(LIVE_FACILITY_STATUSES), *conditions)
    )
    return Decimal(str(db.session.scalar(query) or 0))


def exposure_of(instance: ProcessInstance, data: dict[str, Any], proposed: Any) -> Exposure:
    """The exposures a proposal of ``proposed`` CNY would bring for this case's customer and group."""
    uscc, group = data.get("uscc"), (data.get("group_name") or "").strip() or None
    other_cases = Facility.instance_id != instance.id
    if data.get(
        "renews_facility_id"
    ):  # a renewal (续授信) replaces its facility: the two are never counted together
        other_cases = other_cases & (Facility.id != data["renews_facility_id"])
    customer_existing = _active_total(Customer.uscc == uscc, other_cases) if uscc else Decimal(0)
    group_existing = customer_existing
    if group:
        group_existing = (
            _active_total(Customer.group_name == group, Customer.uscc != uscc, other_cases)
            + customer_existing
        )
    share = data.get("single_client_share")
    group_share = data.get("group_share")
    return Exposure(
        group_name=group,
        customer_existing=customer_existing,
        group_existing=group_existing,
        proposed=Decimal(str(proposed or 0)),
        capital=settings.amount(settings.TIER1_CAPITAL),
        single_share=Decimal(str(share)) if share is not None else None,
        group_share=Decimal(str(group_share)) if group_share is not None else None,
    )


def check_large_exposure(
    instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any], locale: str
) -> None:
    """Refuse a proposal (or an approval of it) that would breach a large-exposure limit, naming the
    numbers; refuse any while tier-1 capital is not set, since the limits cannot be checked."""
    if submitted.get("decision") not in (None, "approve"):
        return  # returning or rejecting never adds exposure
    proposed = submitted.get(LIMIT_FIELD, data.get(LIMIT_FIELD))
    exposure = exposure_of(instance, {**data, **submitted}, proposed)
    field = LIMIT_FIELD if LIMIT_FIELD in submitted else "decision"
    if exposure.capital is None:
        raise InvalidInput(
            _("The large-exposure limits cannot be checked."),
            {field: _("Tier-1 capital is not set; an administrator sets it under Settings.")},
        )
    errors = []
    if "single" in exposure.breaches:
        assert exposure.single_share is not None  # a breach has a limit, so a share
        errors.append(
            _(
                "Single-client exposure would be %(total)s, above %(share)s%% of tier-1 capital (%(limit)s).",
                total=format_money(exposure.single_total, locale),
                share=f"{float(exposure.single_share * 100):g}",
                limit=format_money(exposure.single_limit, locale),
            )
        )
    if "group" in exposure.breaches:
        assert exposure.group_share is not None
        errors.append(
            _(
                "Exposure to the group %(group)s would be %(total)s, above %(share)s%% of tier-1 "
                "capital (%(limit)s).",
                group=exposure.group_name,
                total=format_money(exposure.group_total, locale),
                share=f"{float(exposure.group_share * 100):g}",
                limit=format_money(exposure.group_limit, locale),
            )
        )
    if errors:
        raise InvalidInput(_("The proposal breaches a large-exposure limit."), {field: " ".join(errors)})
