"""What an item's page (/collateral/<id>) shows, gathered by one call: the item, its valuations with their
reports, the facilities it secures with each one's whole cover (LTV), the borrower's live facilities to link, its
insurance, the revaluation running for it, and what the user may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.localtime import local_today
from app.models import Attachment, Collateral, CollateralValuation, Facility, ProcessInstance, User
from app.services.attachments import rights as attachment_rights
from app.services.customers.collateral import coverage, policy, register, revaluation


@dataclass(frozen=True)
class ItemPage:
    item: Collateral
    valuations: list[CollateralValuation]  # newest first
    covers: list[coverage.FacilityCover]  # the live facilities it secures, each with all its collateral
    facilities: list[Facility]  # the borrower's live facilities (the links form)
    shares: dict[int, Decimal]  # facility id -> this item's share, in percent
    running: ProcessInstance | None  # the revaluation under way
    reports_readable: bool  # the user's role reads documents (the reports are linked)
    may_write: bool
    may_release: bool  # a manager of the relationship (解押 is never the officer's alone)
    today: date

    @property
    def insurance(self) -> str | None:
        return coverage.insurance_state(self.item, self.today)

    @property
    def haircut_rule(self) -> str | None:
        """The haircut table's words for the rule that gave the item's haircut (both languages)."""
        return policy.haircut_rule_text(self.item.haircut_rule)

    @property
    def due(self) -> bool:
        return self.item.status == "active" and self.item.next_revaluation_on <= self.today

    def report_of(self, valuation: CollateralValuation) -> Attachment | None:
        """The valuation's report while it may be read (deleted: only for those who read deleted documents)."""
        report = valuation.report
        return report if report is not None and report.deleted_at is None else None


def page(user: User, item_id: int) -> ItemPage:
    """The item's page for ``user``, who must be able to read its borrower."""
    item = register.get(user, item_id)
    valuations = list(
        db.session.scalars(
            select(CollateralValuation)
            .options(
                joinedload(CollateralValuation.report),
                joinedload(CollateralValuation.instance),
                joinedload(CollateralValuation.recorded_by),
                joinedload(CollateralValuation.confirmed_by),
            )
            .where(CollateralValuation.collateral_id == item.id)
            .order_by(CollateralValuation.valued_on.desc(), CollateralValuation.id.desc())
        ).unique()
    )
    linked = {link.facility_id: link.share for link in item.links}
    covers = [c for c in coverage.of_customer(item.customer_id).covers if c.facility.id in linked]
    return ItemPage(
        item=item,
        valuations=valuations,
        covers=covers,
        facilities=register.live_facilities(item.customer_id),
        shares=linked,
        running=revaluation.running_case(item),
        reports_readable=attachment_rights.may_read(user),
        may_write=item.status == "active" and register.may_write(user, item.customer),
        may_release=item.status == "active" and register.may_release(user, item.customer),
        today=local_today(),
    )
