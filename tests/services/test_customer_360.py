"""The customer 360 (客户全景视图): the master data history with before/after and who, the exposure of the
customer and of its group, the statements kept with their ratio trend, and the reviews apart from the cases."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import FinancialStatement
from app.services.admin import settings
from app.services.customers.page import customer_page
from tests.services.test_exposure import GROUP, approved


def test_an_approved_change_of_master_data_shows_before_after_who_and_the_case(deployed, people):
    first = approved(people, 31, 2_000_000, size="medium")
    second = approved(people, 31, 1_000_000, size="large", industry="wholesale_retail")
    view = customer_page.page(people.risk, first.customer_id)
    latest, created = view.master_changes[0], view.master_changes[-1]
    assert created.created and created.instance_id == first.id
    assert not latest.created and latest.instance_id == second.id
    assert {(c.field, c.before, c.after) for c in latest.changes} >= {
        ("size", "medium", "large"),
        ("industry", "manufacturing", "wholesale_retail"),
    }
    assert latest.actor_name in {
        people.approver1.display_name,
        people.approver2.display_name,
        people.approver3.display_name,
        people.compliance.display_name,
    }


def test_exposure_counts_the_live_limits_of_the_customer_and_of_its_group(deployed, people):
    settings.set_amount(people.admin, settings.TIER1_CAPITAL, "400,000,000")
    a = approved(people, 41, 3_000_000, group_name=GROUP)
    approved(people, 42, 2_000_000, group_name=GROUP)
    approved(people, 43, 9_000_000)  # outside the group
    exposure = customer_page.page(people.officer, a.customer_id).exposure
    assert exposure.customer_limit == Decimal(3_000_000) and exposure.live_facilities == 1
    assert exposure.group_name == GROUP and exposure.group_members == 2
    assert exposure.group_limit == Decimal(5_000_000)
    assert exposure.share(exposure.group_limit) == Decimal("0.0125")


def test_the_statements_kept_give_a_ratio_trend_and_a_year_that_does_not_hold_together_is_named(
    deployed, people
):
    case = approved(people, 51, 2_000_000)
    figures = customer_page.page(people.officer, case.customer_id).figures
    years = [st["fiscal_year"] for st in figures.statements]
    assert years == sorted(years) and len(years) >= 2
    assert set(figures.ratio_trend) == {str(y) for y in years}
    assert 0 < figures.ratio_trend[str(years[-1])]["debt_to_asset"] < 1
    broken = (
        db.session.query(FinancialStatement)
        .filter_by(customer_id=case.customer_id, fiscal_year=years[0])
        .one()
    )
    broken.items = {**broken.items, "total_assets": -1}
    db.session.commit()
    figures = customer_page.page(people.officer, case.customer_id).figures
    assert figures.unreadable == [years[0]] and str(years[0]) not in figures.ratio_trend


def test_a_customer_outside_a_group_has_no_group_exposure(deployed, people):
    case = approved(people, 61, 1_500_000)
    exposure = customer_page.page(people.compliance, case.customer_id).exposure
    assert exposure.group_name is None and exposure.group_limit is None
    assert exposure.share(exposure.group_limit) is None
