"""The watchlist page: every customer under an open warning with its stage and owner; the portfolio
check started by a risk manager only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import PortfolioCheck
from app.services.monitoring import escalations, portfolio, portfolio_checks
from tests.web.test_pages import text_of
from tests.workflows.test_warning_escalation import approved_customer, approved_customer_of, observe

pytestmark = pytest.mark.usefixtures("jobs_here")  # the check runs at once, in this process


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


def test_the_portfolio_check_shows_its_result_with_links_when_done(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, on=date.today().isoformat(), days_past_due="95", tax_arrears="300")
    risk = as_user("risk")
    assert risk.post("/watchlist/check").status_code == 302  # the job ran at once (eager Celery in tests)
    page = text_of(risk.get("/watchlist"))
    assert 'id="check-progress"' in page and 'data-status="done"' in page and "hx-trigger" not in page
    [check] = db.session.scalars(select(PortfolioCheck))
    [case_id] = check.started
    assert (check.customers, check.raised, check.groups_done, check.groups_total) == (1, 2, 1, 1)
    counts = page[page.index('id="check-counts"') :]
    assert "1 customers evaluated · 2 warnings raised · 1 escalations started · 0 joined" in counts
    assert f'href="/cases/{case_id}"' in page[page.index('id="check-escalations"') :]


def test_a_check_waiting_for_its_worker_is_polled_until_done_and_then_refreshes_the_list(
    as_user, people, monkeypatch, no_worker
):
    customer = approved_customer(people)
    observe(people, customer, on=date.today().isoformat(), utilization_pct="97")
    risk = as_user("risk")
    risk.post("/watchlist/check")
    risk.post("/watchlist/check")  # asked twice: one check
    [check] = db.session.scalars(select(PortfolioCheck))
    page = text_of(risk.get("/watchlist"))
    assert 'data-status="queued"' in page and f'hx-get="/watchlist/checks/{check.id}/progress"' in page
    waiting = text_of(risk.get(f"/watchlist/checks/{check.id}/progress"))
    assert 'data-status="queued"' in waiting and 'hx-trigger="every 1s"' in waiting
    portfolio_checks.run(check.id)  # the worker gets to it
    done = text_of(risk.get(f"/watchlist/checks/{check.id}/progress"))
    assert 'data-status="done"' in done and "every 1s" not in done
    assert 'hx-select="#watchlist"' in done  # the list below is brought up to date, no reload
    assert (
        as_user("officer").get(f"/watchlist/checks/{check.id}/progress").status_code == 200
    )  # readers follow it
    assert as_user("approver1").get(f"/watchlist/checks/{check.id}/progress").status_code == 403


def test_the_check_keeps_its_progress_customer_by_customer_as_it_goes(
    deployed, people, monkeypatch, no_worker
):
    first, second = approved_customer(people), approved_customer_of(people, 2)
    for customer in (first, second):
        observe(people, customer, on=date.today().isoformat(), utilization_pct="97")
    check, _new = portfolio_checks.request(people.risk)
    seen = []
    start = escalations.start

    def watched(*args, **kwargs):
        row = db.session.get(PortfolioCheck, check.id)
        seen.append((row.status, row.groups_done, row.groups_total))
        return start(*args, **kwargs)

    monkeypatch.setattr(escalations, "start", watched)
    portfolio_checks.run(check.id)
    assert seen == [("running", 0, 2), ("running", 1, 2)]
    db.session.expire_all()
    done = db.session.get(PortfolioCheck, check.id)
    assert (done.status, done.groups_done, done.raised, len(done.started)) == ("done", 2, 2, 2)


def test_a_check_that_gave_way_says_why_in_the_readers_language(
    as_user, people, no_worker
):  # the job is lost
    risk = as_user("risk")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        risk.post("/watchlist/check")
        clock.shift(timedelta(minutes=11))
        risk.post("/watchlist/check")
    lost, new = db.session.scalars(select(PortfolioCheck).order_by(PortfolioCheck.id))
    assert (lost.status, new.status) == ("failed", "queued")
    risk = as_user("risk")  # its cookie was signed 11 minutes ahead of the clock we are back to
    english = text_of(risk.get(f"/watchlist/checks/{lost.id}/progress"))
    assert (
        "The check stopped: No worker took it within 10 minutes: its job was lost. A new check took its place."
        in english
    )
    chinese = as_user("risk", language="zh-CN")
    assert "10 分钟" in text_of(chinese.get(f"/watchlist/checks/{lost.id}/progress"))
