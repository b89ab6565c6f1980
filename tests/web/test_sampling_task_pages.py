"""Each task of a sampling review names the case it is about: the queue and the task page show the sampled
case's reference (linked to it) and its customer, not only the step's name; so does the officer's remedy."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Customer
from app.services.audit import sampling
from app.services.cases import tasks
from tests.web.test_pages import text_of
from tests.workflows.test_audit_sampling import decided, ready, today


def row_of(page: str, task_id: int) -> str:
    """The queue's table row of one task."""
    return next(
        row for row in re.findall(r"<tr.*?</tr>", page, flags=re.S) if f'href="/tasks/{task_id}"' in row
    )


def test_each_sampled_item_s_task_shows_its_case_and_customer_in_the_queue_and_on_its_page(as_user, people):
    adjusted, plain = decided(people)
    review = sampling.start(people.compliance, today(), today(), seed="7")
    reviews = ready(review.id, "review_sampled_case")
    assert len(reviews) >= 1
    compliance = as_user("compliance")
    queue = text_of(compliance.get("/tasks"))
    seen = set()
    for task in reviews:
        case = adjusted if task.about["case_id"] == adjusted.id else plain
        customer = db.session.get(Customer, case.customer_id)
        row = row_of(queue, task.id)
        assert f'href="/cases/{case.id}">{case.reference}</a>' in row and customer.name in row
        page = text_of(compliance.get(f"/tasks/{task.id}"))
        about = page.split('id="task-about"')[1].split("</p>")[0]
        assert f'href="/cases/{case.id}">{case.reference}</a>' in about
        assert f'href="/customers/{customer.id}">{customer.name}</a>' in about
        assert 'id="drawn-case"' not in page  # named once, above the form
        reason = next(s["sample_reason"] for s in review.summary["sample"] if s["case_id"] == case.id)
        assert (
            reason not in page and reason.split(" / ")[0] in page
        )  # the rules' words, in the reader's language
        seen.add(case.id)
        tasks.complete(
            people.compliance,
            task.id,
            {"finding": "major", "finding_description": "档案缺少原件。"}
            if case.id == adjusted.id
            else {"finding": "none"},
        )
    assert adjusted.id in seen
    [remedy] = ready(review.id, "remedy_finding")
    officer_queue = text_of(as_user("officer").get("/tasks"))
    assert f'href="/cases/{adjusted.id}">{adjusted.reference}</a>' in row_of(officer_queue, remedy.id)
