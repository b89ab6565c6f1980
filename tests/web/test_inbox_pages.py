"""The sign-off inbox page: filter, search, open the next task, a bad filter answered 422."""

from __future__ import annotations

from tests.factories import case_at, open_task
from tests.web.test_pages import text_of


def test_the_inbox_filters_searches_and_opens_the_next_task(as_user, people):
    first = case_at("approval", people.officer, customer_name="东方电子有限公司")
    approver = as_user("approver3")
    signoff = open_task(first.id, "approval_signoff")
    page = text_of(approver.get("/inbox"))
    assert 'id="open-next"' in page and f"/tasks/{signoff.id}" in page
    assert f"/tasks/{signoff.id}" in text_of(approver.get("/inbox?q=东方"))
    found_none = text_of(approver.get("/inbox?q=不存在的公司"))
    assert f"/tasks/{signoff.id}" not in found_none and 'id="open-next"' not in found_none
    bad = approver.get("/inbox?min_amount=lots")
    assert bad.status_code == 422 and "Amount from: a number" in text_of(bad)
    kept = approver.get("/inbox?min_amount=lots&q=不存在的公司")  # what could be read still applies
    assert kept.status_code == 422 and f"/tasks/{signoff.id}" not in text_of(kept)
