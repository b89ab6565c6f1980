"""Group exposure (统一授信) and the large-exposure limits (大额风险暴露).

A customer's exposure is the sum of its active limits; its connected group's is the sum over every
customer of the group, with the guarantees in force its members give for the bank's borrowers outside it (each
borrower's up to its live limits) at the share the table gives (``guaranteed_share``). A proposal is measured on top of both, against shares of the bank's tier-1
capital: the shares come from ``rules/large_exposure.dmn`` (into the case data), the capital from
the administrator's setting. A proposal that would breach a limit is refused with the numbers. A renewal
(续授信) is measured without the facility it replaces, which ends when the renewal is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from app.errors import InvalidInput
from app.extensions import db
from app.forms.display import format_money
from app.localtime import local_today
from app.models import Customer, Facility, Guarantee, ProcessInstance
from app.models.customers import LIVE_FACILITY_STATUSES
from app.models.customers.guarantee import in_force
from app.services.admin import settings

LIMIT_FIELD = "proposed_limit"


@dataclass(frozen=True)
class Exposure:
    group_name: str | None
    customer_existing: Decimal  # active limits of this customer, other cases
    # active limits of the whole group (this customer included, other cases), and what it guarantees for others
    group_existing: Decimal
    proposed: Decimal
    capital: Decimal | None
    single_share: Decimal | None
    group_share: Decimal | None
    # of group_existing: the guarantees the group gives for others, at the share counted
    guaranteed: Decimal = Decimal(0)

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
    counted = data.get("guaranteed_share")  # a case decided by a table without it counted none
    guaranteed = Decimal(0)
    if group and counted:
        guaranteed = (guaranteed_by_group(group) * Decimal(str(counted))).quantize(Decimal("0.01"))
    return Exposure(
        group_name=group,
        customer_existing=customer_existing,
        group_existing=group_existing + guaranteed,
        proposed=Decimal(str(proposed or 0)),
        capital=settings.amount(settings.TIER1_CAPITAL),
        single_share=Decimal(str(share)) if share is not None else None,
        group_share=Decimal(str(group_share)) if group_share is not None else None,
        guaranteed=guaranteed,
    )


def guaranteed_by_group(group: str) -> Decimal:
    """The guarantees in force the members of ``group`` give for the bank's borrowers outside it: per borrower,
    their sum up to the borrower's live limits (a guarantee secures no more than the credit it guarantees)."""
    guarantor, borrower = aliased(Customer), aliased(Customer)
    rows = db.session.execute(
        select(borrower.id, borrower.live_limit, func.sum(Guarantee.amount))
        .join(guarantor, guarantor.id == Guarantee.guarantor_id)
        .join(borrower, borrower.id == Guarantee.customer_id)
        .where(
            in_force(local_today()),
            guarantor.group_name == group,
            or_(borrower.group_name.is_(None), borrower.group_name != group),
        )
        .group_by(borrower.id, borrower.live_limit)
    )
    return sum((min(Decimal(total), Decimal(live or 0)) for _id, live, total in rows), Decimal(0))


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
