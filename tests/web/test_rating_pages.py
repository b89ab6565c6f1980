"""The adjusted grade (认定等级) on the case page and the credit memo page."""

from __future__ import annotations

from app.services.cases import tasks
from tests.factories import case_at, open_task, review


def test_the_case_page_and_the_memo_show_the_adjustment(deployed, people, as_user):
    case = case_at("review", people.officer)
    tasks.complete(
        people.officer,
        open_task(case.id, "review_proposal").id,
        review(case, grade_override="BB", override_reason="Guarantor withdrew"),
    )
    officer = as_user("officer")
    for url in (f"/cases/{case.id}", f"/cases/{case.id}/memo"):
        page = officer.get(url).get_data(as_text=True)
        assert "from the model grade A to BB" in page and "Guarantor withdrew" in page, url
