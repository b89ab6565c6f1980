"""The escalation's pages list every warning it holds: its rule, severity, the figures its rule tested as
observed and the date of the observation that triggered it."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import HumanTask, ProcessInstance
from app.services.cases import tasks, timers
from app.services.monitoring import portfolio
from tests.factories import snapshot
from tests.web.test_pages import text_of
from tests.workflows.test_warning_escalation import approved_customer, observe, ready

TODAY = local_today()  # the bank's (Beijing) date, as the app reads it


def test_the_investigation_lists_each_warning_with_its_rule_values_and_date(as_user, people):
    customer = approved_customer(people)
    observe(
        people,
        customer,
        on=(TODAY - timedelta(days=4)).isoformat(),
        days_past_due="95",
        overdue_interest="18000",
    )
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), utilization_pct="98.5")
    [case_id] = portfolio.scan(people.risk).started
    page = text_of(as_user("officer").get(f"/tasks/{ready(case_id, 'investigate_warning').id}"))
    table = page[page.index('id="escalation-warnings"') :]
    rows = re.findall(r'<tr class="severity-\w+" data-warning="(\w+)">(.*?)</tr>', table, re.S)
    assert [code for code, _row in rows] == [
        "past_due_30",
        "overdue_interest",
        "high_utilization",
    ]  # worst first
    by_code = dict(rows)
    assert "Past due over 30 days" in by_code["past_due_30"] and "Days past due" in by_code["past_due_30"]
    assert 'data-figure="days_past_due">95<' in by_code["past_due_30"]
    assert (TODAY - timedelta(days=4)).isoformat() in by_code["past_due_30"]  # its observation's date
    assert 'data-figure="overdue_interest">CNY 18,000.00<' in by_code["overdue_interest"]
    assert 'data-figure="utilization_pct">98.50%<' in by_code["high_utilization"]
    assert (TODAY - timedelta(days=1)).isoformat() in by_code["high_utilization"]
    assert "Rule_warning_rules" in by_code["past_due_30"]  # the rule that matched
    case_page = text_of(as_user("risk").get(f"/cases/{case_id}"))
    assert 'id="escalation-warnings"' in case_page and case_page.count('data-warning="') == 3


def box_of(page: str, field: str) -> str:
    """The conditional box around a field's input, as rendered."""
    start = page.rindex('<div class="form-conditional"', 0, page.index(f'id="f-{field}"'))
    return page[start : page.index(">", start) + 1]


def test_the_risk_manager_reduces_a_limit_without_the_term_field_refusing_it(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, days_past_due="95")  # the table proposes an exit
    [case_id] = portfolio.scan(people.risk).started
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "逾期属实，客户停产。"},
    )
    risk = as_user("risk")
    review = ready(case_id, "risk_review")
    page = text_of(risk.get(f"/tasks/{review.id}"))
    assert " hidden" in box_of(page, "term_months") and " hidden" in box_of(
        page, "reduce_share"
    )  # no action yet
    assert re.search(r'id="f-reduce_share"[^>]*value="20"', page)  # a fifth (20%), not the whole limit
    assert re.search(r'id="f-term_months"[^>]*value="12"', page)  # not 0

    form = {
        "action": "shorten_term",
        "expected_loss_pct": "20",
        "review_comment": "缩短期限。",
        "_version": str(snapshot(case_id).version),
    }
    refused = risk.post(f"/tasks/{review.id}", data=form)
    assert refused.status_code == 422 and 'id="f-term_months-error"' in text_of(refused)  # applies: required
    assert " hidden" not in box_of(text_of(refused), "term_months")

    # what the page posted before (every field, the term at 0) for a reduction of the limit: accepted
    done = risk.post(
        f"/tasks/{review.id}",
        data={
            **form,
            "action": "reduce_limit",
            "reduce_share": "30",
            "term_months": "0",
            "margin_add_pct": "0",
        },
    )
    assert done.status_code == 302
    approval = ready(case_id, "approve_control")
    assert approval.required_level is not None
    submitted = db.session.get(HumanTask, review.id).submitted
    assert submitted["reduce_share"] == 0.3 and "term_months" not in submitted  # dropped, not kept
    approver = {1: "approver1", 2: "approver2", 3: "approver3"}[approval.required_level]
    shown = text_of(as_user(approver).get(f"/tasks/{approval.id}"))
    card = shown[
        shown.index('id="escalation-action"') : shown.index("</div>", shown.index('id="escalation-action"'))
    ]
    assert 'id="f-reduce_share"' not in shown and 'id="f-term_months"' not in shown  # shown above, not again
    assert (
        "30.00%" in card and "Shorten the term" not in card
    )  # the reduction, not a term that does not apply


def test_each_page_shows_which_escalation_each_warning_went_to_and_what_joining_did(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=2)).isoformat(), tax_arrears="800")  # low
    [first] = portfolio.scan(people.risk).started
    observe(
        people, customer, on=(TODAY - timedelta(days=1)).isoformat(), utilization_pct="97"
    )  # joins: medium
    assert portfolio.scan(people.risk).joined == [first]
    officer = as_user("officer")
    task_page = text_of(officer.get(f"/tasks/{ready(first, 'investigate_warning').id}"))
    note = task_page[task_page.index('id="triaged-again"') :]
    assert note.startswith(
        'id="triaged-again">1 of these warnings joined during the investigation: the triage ran'
    )
    assert "Confirmed, the group goes to the risk manager." in note[: note.index("</p>")]
    joined_row = re.search(r'data-warning="high_utilization">(.*?)</tr>', task_page, re.S).group(1)
    assert "joined at" in joined_row
    assert "joined at" not in re.search(r'data-warning="tax_arrears">(.*?)</tr>', task_page, re.S).group(1)

    tasks.complete(
        people.officer,
        ready(first, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "欠税属实，额度用满。"},
    )
    observe(people, customer, on=TODAY.isoformat(), overdue_interest="900")  # after the investigation
    [second] = portfolio.scan(people.risk).started
    references = {i.id: i.reference for i in db.session.scalars(select(ProcessInstance))}
    risk = as_user("risk")
    old_page = text_of(risk.get(f"/cases/{first}"))
    others = old_page[old_page.index('id="other-escalations"') :]
    assert f'<a href="/cases/{second}">{references[second]}</a> · Investigate the warning' in others
    review_page = text_of(risk.get(f"/tasks/{ready(first, 'risk_review').id}"))  # the decision knows of it
    assert f'href="/cases/{second}"' in review_page[review_page.index('id="other-escalations"') :]
    new_page = text_of(risk.get(f"/cases/{second}"))
    assert f'href="/cases/{first}"' in new_page[new_page.index('id="other-escalations"') :]
    assert new_page.count('data-warning="') == 1 and 'data-warning="overdue_interest"' in new_page

    for page in (text_of(risk.get("/watchlist")), text_of(risk.get(f"/customers/{customer.id}"))):
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
        went = {
            code: case
            for code in ("Tax arrears", "Limit nearly used up", "Interest overdue")
            for row in rows
            if code in row
            for case in re.findall(r'href="/cases/(\d+)"', row)
        }
        assert went == {
            "Tax arrears": str(first),
            "Limit nearly used up": str(first),
            "Interest overdue": str(second),
        }


def test_an_investigation_sent_after_a_warning_joined_comes_back_on_the_new_task_with_what_was_entered(
    as_user, people
):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), tax_arrears="800")
    [case_id] = portfolio.scan(people.risk).started
    old = ready(case_id, "investigate_warning")
    officer = as_user("officer")
    form = text_of(officer.get(f"/tasks/{old.id}"))
    version = re.search(r'name="_version" value="(\d+)"', form).group(1)
    observe(people, customer, on=TODAY.isoformat(), utilization_pct="97")  # joins while the officer writes
    assert portfolio.scan(people.risk).joined == [case_id]
    new = ready(case_id, "investigate_warning")

    sent = officer.post(
        f"/tasks/{old.id}", data={"assessment": "confirmed", "findings": "欠税属实。", "_version": version}
    )
    assert sent.status_code == 409
    page = text_of(sent)
    assert "opened again with what the case learnt since" in page
    assert f'action="/tasks/{new.id}"' in page and "欠税属实。" in page  # to check against the group and send
    assert 'data-warning="high_utilization"' in page
    assert db.session.get(HumanTask, new.id).state == "ready"  # nothing was completed

    opened = officer.get(f"/tasks/{old.id}")  # an old link leads to the task now
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/tasks/{new.id}")


def test_an_investigation_its_time_limit_took_away_says_so_not_that_the_system_completed_it(as_user, people):
    customer = approved_customer(people)
    observe(people, customer, on=TODAY.isoformat(), tax_arrears="800")
    with time_machine.travel(TODAY.isoformat() + " 02:00:00+00:00", tick=False) as clock:
        [case_id] = portfolio.scan(people.risk).started
        old = ready(case_id, "investigate_warning")
        clock.shift(timedelta(days=5, minutes=1))
        timers.fire_due()
    opened = as_user("officer").get(f"/tasks/{old.id}")
    assert opened.status_code == 409
    assert "without being done: the case went on without it" in text_of(opened)
    assert "completed by" not in text_of(opened)


def test_the_control_approval_opens_with_the_proposal_above_the_decision_and_shares_as_percentages(
    as_user, people
):
    customer = approved_customer(people)
    observe(people, customer, days_past_due="95")
    [case_id] = portfolio.scan(people.risk).started
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "逾期属实，客户停产。"},
    )
    risk = as_user("risk")
    review = ready(case_id, "risk_review")
    page = text_of(risk.get(f"/tasks/{review.id}"))
    assert (
        re.search(r'id="f-reduce_share"[^>]*value="20"', page)
        and "%"
        in box_of(page, "reduce_share")
        + page[page.index('id="f-reduce_share"') : page.index('id="f-reduce_share"') + 400]
    )
    done = risk.post(
        f"/tasks/{review.id}",
        data={
            "action": "reduce_limit",
            "reduce_share": "30",
            "expected_loss_pct": "15",
            "review_comment": "压降三成。",
            "_version": str(snapshot(case_id).version),
        },
    )
    assert done.status_code == 302, text_of(done)
    assert db.session.get(HumanTask, review.id).submitted["reduce_share"] == 0.3
    approval = ready(case_id, "approve_control")
    approver = as_user({1: "approver1", 2: "approver2", 3: "approver3"}[approval.required_level])
    for language, confirmed, reduce, proposed_by_table in (
        ("en", "Confirmed: the risk is real", "Reduce the limit", "Exit"),
        ("zh", "属实：风险存在", "压降额度", "退出"),
    ):
        approver.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        shown = text_of(approver.get(f"/tasks/{approval.id}"))
        proposal = shown[: shown.index('name="control_decision"')]  # all of it above the decision, once
        for words in (
            confirmed,
            "逾期属实，客户停产。",
            proposed_by_table,
            reduce,
            "30.00%",
            "15.00%",
            "压降三成。",
        ):
            assert words in proposal, (language, words)
        assert "0.3" not in re.sub(r"<[^>]+>", " ", proposal)
