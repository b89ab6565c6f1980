"""The credit memo as a page: everything an approver decides on, in one place, for readers of the case."""

from __future__ import annotations

from app.forms.display import display_value, format_money
from app.forms.schema import as_form_schema
from app.services.cases import tasks
from tests.factories import case_at, case_routed, open_task, review
from tests.web.test_pages import text_of


def test_the_memo_shows_customer_rating_proposal_decisions_and_chart(as_user, people):
    case = case_routed("single", people.officer)
    approver = as_user("approver1")
    response = approver.get(f"/cases/{case.id}/memo")
    assert response.status_code == 200
    page = text_of(response)
    summary = case.summary
    assert summary["customer_name"] in page and summary["uscc"] in page
    assert f"<strong>{summary['grade']}</strong>" in page
    assert format_money(summary["proposed_limit"], "en") in page
    assert "Exposure and large-exposure limits" in page and "This customer" in page
    assert "<svg" in page and "Debt-to-asset" in page
    assert "Credit rating master scale" in page and "信用评级主标尺" not in page  # the DMN's name, in English
    assert "Rule_credit_rating_" in page  # the rule the rating matched, and what it says
    assert "Why this grade: PD " in page
    assert "经营稳健，建议授信。" in page  # the officer's opinion


def test_the_case_page_and_the_sign_off_page_link_to_the_memo(as_user, people):
    case = case_routed("single", people.officer)
    approver = as_user("approver1")
    memo = f'href="/cases/{case.id}/memo"'
    assert memo in text_of(approver.get(f"/cases/{case.id}"))
    assert memo in text_of(approver.get(f"/tasks/{open_task(case.id, 'approval_signoff').id}"))


def test_the_memo_carries_an_earlier_rounds_return_comment_and_fields(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "return", "comment": "Add a guarantee", "fields_to_fix": ["proposed_controls"]},
    )
    tasks.complete(
        people.officer,
        open_task(case.id, "review_proposal").id,
        review(case, proposed_controls="Personal guarantee of the owner"),
    )
    approver = as_user("approver1")
    page = text_of(approver.get(f"/cases/{case.id}/memo"))
    rounds = page[page.index('id="rounds"') :]
    fields = as_form_schema(case.definition.forms["approval_signoff.json"]).field("fields_to_fix")
    assert "Add a guarantee" in rounds and "Return for revision" in rounds
    assert display_value(fields, ["proposed_controls"], "en") in rounds  # what the officer was asked to fix
    assert "Personal guarantee of the owner" in page  # and the resubmitted proposal
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "approve", "comment": "Agreed"},
    )
    rounds = text_of(approver.get(f"/cases/{case.id}/memo"))
    rounds = rounds[rounds.index('id="rounds"') :]
    assert rounds.index("Add a guarantee") < rounds.index("Agreed") and "<tr><td>2</td>" in rounds


def test_a_user_who_may_not_read_the_case_is_refused(as_user, people):
    case = case_routed("single", people.officer)
    assert as_user("designer").get(f"/cases/{case.id}/memo").status_code == 403
    assert as_user("approver1").get("/cases/999999/memo").status_code == 404


def test_the_memo_reads_in_chinese(as_user, people):
    case = case_routed("single", people.officer)
    client = as_user("approver1", language="zh-CN")
    page = text_of(client.get(f"/cases/{case.id}/memo"))
    assert 'lang="zh-CN"' in page
    assert "信用评级主标尺" in page and "Credit rating master scale" not in page
    assert "资产负债率" in page  # the chart and the ratio table name the ratios in Chinese
    assert format_money(case.summary["proposed_limit"], "zh_CN") in page


def test_the_memo_of_a_case_just_opened_shows_what_there_is(as_user, people):
    case = case_at("intake", people.officer)
    page = text_of(as_user("approver1").get(f"/cases/{case.id}/memo"))
    assert "No decision evaluated yet." in page and "No sign-off yet." in page and "<svg" not in page
