"""The escalation's pages list every warning it holds: its rule, severity, the figures its rule tested as
observed and the date of the observation that triggered it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.extensions import db
from app.models import HumanTask
from app.services import portfolio, tasks
from tests.factories import snapshot
from tests.web.test_pages import text_of
from tests.workflows.test_warning_escalation import approved_customer, observe, ready

TODAY = date.today()


def test_the_investigation_lists_each_warning_with_its_rule_values_and_date(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=4)).isoformat(), days_past_due="95", overdue_interest="18000")
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), utilization_pct="98.5")
    [case_id] = portfolio.scan(people.risk).started
    page = text_of(as_user("officer").get(f"/tasks/{ready(case_id, 'investigate_warning').id}"))
    table = page[page.index('id="escalation-warnings"'):]
    rows = re.findall(r'<tr class="severity-\w+" data-warning="(\w+)">(.*?)</tr>', table, re.S)
    assert [code for code, _row in rows] == ["past_due_30", "overdue_interest", "high_utilization"]  # worst first
    by_code = dict(rows)
    assert "Past due over 30 days" in by_code["past_due_30"] and "Days past due" in by_code["past_due_30"]
    assert 'data-figure="days_past_due">95<' in by_code["past_due_30"]
    assert (TODAY - timedelta(days=4)).isoformat() in by_code["past_due_30"]  # its observation's date
    assert 'data-figure="overdue_interest">CNY 18,000.00<' in by_code["overdue_interest"]
    assert 'data-figure="utilization_pct">98.5%<' in by_code["high_utilization"]
    assert (TODAY - timedelta(days=1)).isoformat() in by_code["high_utilization"]
    assert "Rule_warning_rules" in by_code["past_due_30"]  # the rule that matched
    case_page = text_of(as_user("risk").get(f"/cases/{case_id}"))
    assert 'id="escalation-warnings"' in case_page and case_page.count('data-warning="') == 3


def box_of(page: str, field: str) -> str:
    """The conditional box around a field's input, as rendered."""
    start = page.rindex("<div class=\"form-conditional\"", 0, page.index(f'id="f-{field}"'))
    return page[start:page.index(">", start) + 1]


def test_the_risk_manager_reduces_a_limit_without_the_term_field_refusing_it(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, days_past_due="95")  # the table proposes an exit
    [case_id] = portfolio.scan(people.risk).started
    tasks.complete(people.officer, ready(case_id, "investigate_warning").id,
                   {"assessment": "confirmed", "findings": "逾期属实，客户停产。"})
    risk = as_user("risk")
    review = ready(case_id, "risk_review")
    page = text_of(risk.get(f"/tasks/{review.id}"))
    assert " hidden" in box_of(page, "term_months") and " hidden" in box_of(page, "reduce_share")  # no action yet
    assert re.search(r'id="f-reduce_share"[^>]*value="0.2"', page)  # a fifth, not the whole limit
    assert re.search(r'id="f-term_months"[^>]*value="12"', page)  # not 0

    form = {"action": "shorten_term", "expected_loss_pct": "20", "review_comment": "缩短期限。",
            "_version": str(snapshot(case_id).version)}
    refused = risk.post(f"/tasks/{review.id}", data=form)
    assert refused.status_code == 422 and 'id="f-term_months-error"' in text_of(refused)  # applies: required
    assert " hidden" not in box_of(text_of(refused), "term_months")

    # what the page posted before (every field, the term at 0) for a reduction of the limit: accepted
    done = risk.post(f"/tasks/{review.id}", data={**form, "action": "reduce_limit", "reduce_share": "0.3",
                                                   "term_months": "0", "margin_add_pct": "0"})
    assert done.status_code == 302
    approval = ready(case_id, "approve_control")
    assert approval.required_level is not None
    submitted = db.session.get(HumanTask, review.id).submitted
    assert submitted["reduce_share"] == 0.3 and "term_months" not in submitted  # dropped, not kept
    approver = {1: "approver1", 2: "approver2", 3: "approver3"}[approval.required_level]
    shown = text_of(as_user(approver).get(f"/tasks/{approval.id}"))
    assert " hidden" not in box_of(shown, "reduce_share") and " hidden" in box_of(shown, "term_months")
