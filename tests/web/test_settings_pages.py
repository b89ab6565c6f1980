"""The administrator's settings page (tier-1 capital) and the exposure shown with a proposal."""

from __future__ import annotations

from decimal import Decimal

from app.services.admin import settings
from tests.factories import case_at, open_task
from tests.web.test_pages import text_of


def test_the_administrator_sets_tier1_capital_and_bad_input_is_named(as_user, people):
    admin = as_user("admin")
    assert "Settings" in text_of(admin.get("/tasks"))
    bad = admin.post("/admin/settings", data={"tier1_capital": "lots"})
    assert bad.status_code == 422 and "a positive amount in CNY" in text_of(bad)
    assert settings.amount(settings.TIER1_CAPITAL) == Decimal("50000000000")  # unchanged
    good = admin.post("/admin/settings", data={"tier1_capital": "45,000,000,000"})
    assert good.status_code == 302
    assert settings.amount(settings.TIER1_CAPITAL) == Decimal("45000000000")
    assert "45,000,000,000" in text_of(admin.get("/admin/settings"))
    assert as_user("officer").get("/admin/settings").status_code == 403


def test_the_review_page_shows_the_exposures_against_the_limits(as_user, people):
    case = case_at("review", people.officer, group_name="华东控股集团")
    page = text_of(as_user("officer").get(f"/tasks/{open_task(case.id, 'review_proposal').id}"))
    assert "Exposure and large-exposure limits" in page and "Group 华东控股集团" in page
    assert "7,500,000,000" in page and "10,000,000,000" in page  # 15% and 20% of CNY 50 billion
