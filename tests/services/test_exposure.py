"""Group exposure (统一授信) and large-exposure limits: shown with the proposal, a breach refused with
the numbers (at the proposal and again at approval), the capital figure set by the administrator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.models import AppSetting, AuditEvent
from app.services.admin import settings
from app.services.cases import cases, tasks
from tests.factories import compliance_sign_off, intake, open_task, review, snapshot, statements

GROUP = "华东控股集团"


def at_review(officer, index: int, **intake_overrides):
    case = cases.start_case(officer, "credit_application")
    tasks.complete(officer, open_task(case.id, "application_intake").id, intake(index, **intake_overrides))
    tasks.complete(officer, open_task(case.id, "financial_statements").id, {"statements": statements()})
    db.session.refresh(case)
    return case


def approved(people, index: int, limit: int, **intake_overrides):
    """A case for customer ``index`` approved and signed off at ``limit``: an active facility."""
    case = at_review(people.officer, index, **intake_overrides)
    tasks.complete(
        people.officer, open_task(case.id, "review_proposal").id, review(case, proposed_limit=limit)
    )
    signoff = open_task(case.id, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level, people.approver3)
    tasks.complete(approver, signoff.id, {"decision": "approve"})
    compliance_sign_off(case, people.compliance)
    assert case.outcome == "approved"
    return case


@pytest.fixture
def small_bank(deployed, people):
    """Tier-1 capital of CNY 40 million: 15% is CNY 6 million per client, 20% CNY 8 million per group."""
    settings.set_amount(people.admin, settings.TIER1_CAPITAL, "40,000,000")


def test_the_proposal_shows_the_exposures_and_the_limits(small_bank, people):
    approved(people, 11, 3_000_000, group_name=GROUP)
    case = at_review(people.officer, 12, group_name=GROUP)
    view = tasks.open_task(people.officer, open_task(case.id, "review_proposal").id)
    exposure = view.exposure
    assert exposure.group_name == GROUP and exposure.group_existing == Decimal(3_000_000)
    assert exposure.single_limit == Decimal(6_000_000) and exposure.group_limit == Decimal(8_000_000)


def test_a_proposal_above_the_single_client_limit_is_refused_with_the_numbers(small_bank, people):
    approved(people, 21, 5_000_000)
    case = at_review(people.officer, 21)  # the same customer again
    before = snapshot(case.id)
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(
            people.officer,
            open_task(case.id, "review_proposal").id,
            review(case, proposed_limit=2_000_000),
            locale="en",
        )
    message = caught.value.errors["proposed_limit"]
    assert "7,000,000" in message and "15%" in message and "6,000,000" in message
    assert snapshot(case.id) == before
    tasks.complete(
        people.officer, open_task(case.id, "review_proposal").id, review(case, proposed_limit=1_000_000)
    )


def test_a_proposal_above_the_group_limit_is_refused_naming_the_group(small_bank, people):
    approved(people, 31, 5_000_000, group_name=GROUP)
    case = at_review(people.officer, 32, group_name=GROUP)  # another customer of the same group
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(
            people.officer,
            open_task(case.id, "review_proposal").id,
            review(case, proposed_limit=4_000_000),
            locale="en",
        )
    message = caught.value.errors["proposed_limit"]
    assert GROUP in message and "9,000,000" in message and "20%" in message and "8,000,000" in message
    outside = at_review(people.officer, 33)  # a customer outside the group may take the same amount
    tasks.complete(
        people.officer, open_task(outside.id, "review_proposal").id, review(outside, proposed_limit=4_000_000)
    )


def test_approval_checks_again_and_a_return_is_always_possible(small_bank, people):
    case = at_review(people.officer, 41)
    tasks.complete(
        people.officer, open_task(case.id, "review_proposal").id, review(case, proposed_limit=5_000_000)
    )
    settings.set_amount(
        people.admin, settings.TIER1_CAPITAL, "20000000"
    )  # capital fell: the limit is 3 million
    signoff = open_task(case.id, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level, people.approver3)
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(approver, signoff.id, {"decision": "approve"}, locale="en")
    assert "3,000,000" in caught.value.errors["decision"]
    tasks.complete(
        approver,
        signoff.id,
        {"decision": "return", "comment": "超出大额风险暴露限额", "fields_to_fix": ["proposed_limit"]},
    )


def test_without_tier1_capital_no_proposal_goes_through(deployed, people):
    db.session.execute(AppSetting.__table__.delete())
    db.session.commit()
    case = at_review(people.officer, 51)
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(people.officer, open_task(case.id, "review_proposal").id, review(case), locale="en")
    assert (
        "一级资本净额" in caught.value.errors["proposed_limit"]
    )  # "tier-1 capital is not set" (no request: zh)


def test_only_an_administrator_sets_the_capital_with_before_and_after_audited(deployed, people):
    with pytest.raises(NotAuthorized):
        settings.set_amount(people.officer, settings.TIER1_CAPITAL, "1")
    for wrong in ("minus one", "５０,000,000,000", "5_000_000", "1e10", "NaN", "1" + "0" * 30):
        with pytest.raises(InvalidInput):
            settings.set_amount(people.admin, settings.TIER1_CAPITAL, wrong)
    before = settings.amount(settings.TIER1_CAPITAL)
    assert settings.set_amount(people.admin, settings.TIER1_CAPITAL, "50,000,000,000") == Decimal(
        50_000_000_000
    )
    changed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == "setting.changed").order_by(AuditEvent.id.desc())
    ).first()
    assert changed.actor_name == "admin" and changed.payload["after"] == "50000000000"
    assert changed.payload["before"] == (str(before) if before is not None else None)
