"""The intake form's 上市公司 (listed company) is a yes/no answer: not marked required on the page, and
answered "no" when left unticked — on the page and over the API alike."""

from __future__ import annotations

from app.extensions import db
from app.services.admin import users
from tests.factories import case_at, intake, open_task


def test_the_listed_box_is_not_marked_required_and_unticked_means_no(as_user, people):
    case = case_at("intake", people.officer)
    task = open_task(case.id, "application_intake")
    page = as_user("officer").get(f"/tasks/{task.id}").get_data(as_text=True)
    start = page.index('<label class="form-label" for="f-listed">')
    label = page[start : page.index("</label>", start)]
    assert "Listed company" in label and "form-required" not in label and "required" not in label


def test_over_the_api_a_left_out_yes_no_field_is_answered_no(as_user, people, client):
    case = case_at("intake", people.officer)
    task = open_task(case.id, "application_intake")
    data = {k: v for k, v in intake().items() if k != "listed"}
    response = client.post(
        f"/api/v1/tasks/{task.id}/complete",
        json={"data": data},
        headers={"Authorization": f"Bearer {users.issue_token('officer')}"},
    )
    assert response.status_code == 200, response.json
    db.session.refresh(case)
    assert case.summary["listed"] is False and case.summary["segment"]
