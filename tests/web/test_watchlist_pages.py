"""The watchlist page: every customer under an open warning with its stage and owner; the portfolio
check started by a risk manager only."""

from __future__ import annotations

from datetime import date

from app.services import portfolio
from tests.web.test_pages import text_of
from tests.workflows.test_warning_escalation import approved_customer, observe


def test_the_watchlist_shows_each_warning_with_its_stage_and_owner(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, on=date.today().isoformat(), days_past_due="45")
    portfolio.scan(people.risk)
    page = text_of(as_user("risk").get("/watchlist"))
    assert f'data-customer="{customer.uscc}"' in page and "Past due over 30 days" in page
    assert "Investigate the warning" in page and people.officer.display_name in page  # stage and owner
    assert "High" in page and f"/customers/{customer.id}" in page
    assert "Past due over 30 days" not in text_of(as_user("risk").get("/watchlist?severity=low"))
    customer_page = text_of(as_user("officer").get(f"/customers/{customer.id}"))
    assert 'id="warnings"' in customer_page and "Past due over 30 days" in customer_page


def test_only_a_risk_manager_runs_the_portfolio_check_and_approvers_do_not_see_the_list(as_user, people):
    assert as_user("officer").post("/watchlist/check").status_code == 403
    started = as_user("risk").post("/watchlist/check")
    assert started.status_code == 302
    assert as_user("approver1").get("/watchlist").status_code == 403
