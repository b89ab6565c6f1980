"""The sign-off inbox page: filter, search, open the next task, a bad filter answered 422."""

from __future__ import annotations

from app.extensions import db
from tests import factories
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


def test_open_next_works_through_the_filtered_queue_one_sign_off_after_another(as_user, people):
    first = case_at("approval", people.officer, customer_name="东方电子有限公司")
    second = case_at("approval", people.officer2, customer_name="东方物流有限公司", index=2)
    case_at("approval", people.officer, customer_name="海川物流有限公司", index=3)  # outside the search
    approver = as_user("approver3")
    page = text_of(approver.get("/inbox?q=东方"))
    one, two = open_task(first.id, "approval_signoff"), open_task(second.id, "approval_signoff")
    queue = "q%3D%E4%B8%9C%E6%96%B9"  # the inbox's own query string, carried along
    assert f"/tasks/{one.id}?queue={queue}" in page.replace("&amp;", "&")
    opened = text_of(approver.get(f"/tasks/{one.id}?queue={queue}"))
    assert 'name="_queue"' in opened and 'id="queue-note"' in opened
    done = approver.post(
        f"/tasks/{one.id}?queue={queue}",
        data={"decision": "approve", "comment": "同意", "_version": str(first.version), "_queue": "q=东方"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/tasks/{two.id}?queue={queue}")
    db.session.refresh(second)
    last = approver.post(
        f"/tasks/{two.id}?queue={queue}",
        data={"decision": "approve", "comment": "同意", "_version": str(second.version), "_queue": "q=东方"},
    )
    assert last.status_code == 302 and "/inbox?q=" in last.headers["Location"]
    assert "Nothing more is waiting in this queue." in text_of(approver.get(last.headers["Location"]))


def test_the_inbox_counts_what_is_overdue_and_near_its_due_time(as_user, people):
    case = case_at("approval", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    signoff.warn_at = signoff.created_at  # near its due time from the start
    db.session.commit()
    page = text_of(as_user("approver3").get("/inbox"))
    assert 'class="sla sla-near" data-count="1"' in page and 'class="sla sla-overdue" data-count="0"' in page


VETO_NOTE = "You hold the committee's veto"


def test_the_inbox_tells_the_veto_to_the_group_the_committee_rules_give_it(as_user, people, rules_copy):
    assert VETO_NOTE in text_of(as_user("cro").get("/inbox"))  # the shipped rules give it to the cro
    assert VETO_NOTE not in text_of(as_user("member2").get("/inbox"))
    table = rules_copy / "committee_rules.dmn"
    table.write_text(
        table.read_text(encoding="utf-8").replace('<text>"cro"</text>', '<text>"approver"</text>'),
        encoding="utf-8",
    )
    factories.deploy()
    assert VETO_NOTE in text_of(as_user("member2").get("/inbox"))  # a committee member of the group named
    assert VETO_NOTE not in text_of(as_user("cro").get("/inbox"))
    assert VETO_NOTE not in text_of(as_user("approver2").get("/inbox"))  # of the group, not of the committee


def test_a_crafted_queue_never_fails_a_sign_off_that_has_committed(as_user, people):
    """``_queue=_method=PUT`` once reached ``url_for`` as its own ``_method`` argument: the sign-off had
    committed, and its answer was a 500. Only the inbox's filter names are carried along."""
    case = case_at("approval", people.officer, customer_name="东方电子有限公司")
    signoff = open_task(case.id, "approval_signoff")
    approver = as_user("approver3")
    opened = text_of(approver.get(f"/tasks/{signoff.id}?queue=_method%3DPUT%26_external%3D1%26q%3D东方"))
    assert 'name="_queue" value="q=%E4%B8%9C%E6%96%B9"' in opened
    done = approver.post(
        f"/tasks/{signoff.id}",
        data={
            "decision": "approve",
            "comment": "同意",
            "_version": str(case.version),
            "_queue": "_method=PUT&_external=1&_scheme=javascript&_anchor=x",
        },
    )
    assert done.status_code == 302, done.status_code
    assert done.headers["Location"].startswith("/inbox") or "/tasks/" in done.headers["Location"]
    assert "_method" not in done.headers["Location"] and "javascript" not in done.headers["Location"]
    db.session.refresh(signoff)
    assert signoff.state == "completed"
