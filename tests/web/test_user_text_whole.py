"""A person's own words are printed as written: only texts the rules write "English / 中文" show one half, so
a customer's name or an officer's opinion written with a slash is never cut in half (and never reads one way
in Chinese and another in English), and a returned form offers back all of it."""

from __future__ import annotations

from app.extensions import db
from app.models import ProcessInstance
from app.services.cases import tasks
from tests.factories import case_at, intake, open_task
from tests.web.test_pages import text_of

NAME = "Acme Trading / 甲乙贸易有限公司"
OPINION = "No concerns found / 发现重大关联交易风险，建议否决"


def test_a_customer_name_with_a_slash_is_shown_whole(as_user, people):
    case = case_at("intake", people.officer)
    tasks.complete(people.officer, open_task(case.id, "application_intake").id, intake(customer_name=NAME))
    english = text_of(as_user("officer").get(f"/cases/{case.id}"))
    chinese_client = as_user("officer", language="zh-CN")
    chinese = text_of(chinese_client.get(f"/cases/{case.id}"))
    assert db.session.get(ProcessInstance, case.id).summary["customer_name"] == NAME
    assert NAME in english and NAME in chinese


def test_an_officers_opinion_reads_the_same_in_both_languages(as_user, people):
    case = case_at("review", people.officer)
    data = {
        "proposed_limit": db.session.get(ProcessInstance, case.id).summary["proposed_limit"],
        "proposed_term_months": 12,
        "proposed_margin_pct": 1.2,
        "proposed_controls": "按季报送财务报表",
        "officer_opinion": OPINION,
    }
    tasks.complete(people.officer, open_task(case.id, "review_proposal").id, data)
    signoff = open_task(case.id, "approval_signoff")
    english = text_of(as_user("approver1").get(f"/tasks/{signoff.id}"))
    assert OPINION in english


def test_a_returned_form_offers_back_what_the_officer_wrote_not_half_of_it(as_user, people):
    """The form's inputs are printed through the same finalize: re-submitting the returned form as shown
    would store only the reader's half of the opinion."""
    case = case_at("review", people.officer)
    data = {
        "proposed_limit": db.session.get(ProcessInstance, case.id).summary["proposed_limit"],
        "proposed_term_months": 12,
        "proposed_margin_pct": 1.2,
        "proposed_controls": "按季报送财务报表",
        "officer_opinion": OPINION,
    }
    tasks.complete(people.officer, open_task(case.id, "review_proposal").id, data)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "return", "comment": "请补充说明。", "fields_to_fix": ["officer_opinion"]},
    )
    returned = open_task(case.id, "review_proposal")
    page = text_of(as_user("officer").get(f"/tasks/{returned.id}"))
    start = page.index('name="officer_opinion"')
    textarea = page[start : page.index("</textarea>", start)]
    assert "发现重大关联交易风险" in textarea
