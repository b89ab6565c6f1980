"""The migration page: running cases on older versions, the preview, the batch, the rollback."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import InstanceMigration, ProcessInstance
from app.services.cases import tasks
from tests.factories import case_at, open_task, statements
from tests.services.migrating import deploy_without_review
from tests.web.test_pages import text_of

PAGE = "/designer/credit_application/migrate"


def section(page: str, section_id: str) -> str:
    return page.split(f'id="{section_id}"')[1].split("</section>")[0]


def row(html: str, instance_id: int) -> str:
    return html.split(f'data-instance="{instance_id}"')[1].split("</tr>")[0]


def test_the_designer_previews_migrates_and_rolls_back_from_the_page(
    app, as_user, people, tmp_path, monkeypatch
):
    at_statements, at_review = case_at("statements", people.officer), case_at("review", people.officer)
    deploy_without_review(app, tmp_path, monkeypatch, people.designer)
    designer = as_user("designer")
    assert PAGE in text_of(designer.get("/designer"))
    listed = section(text_of(designer.get(PAGE)), "migrate-cases")
    assert at_statements.reference in listed and "华东精密机械有限公司" in listed and "v1" in listed
    assert "Enter financial statements" in row(listed, at_statements.id)
    assert 'name="csrf_token"' in listed and '<option value="2" selected' not in listed  # nothing chosen yet

    ids = {"ids": [str(at_statements.id), str(at_review.id)], "to": "2"}
    preview = designer.post(f"{PAGE}/preview", data=ids)
    assert preview.status_code == 200
    shown = section(text_of(preview), "migration-preview")
    assert "review_proposal" in shown.split("<table")[0]  # the element version 2 removes
    assert "stays as it is" in row(shown, at_statements.id)
    assert "It waits at Review proposal (review_proposal), which version 2 removes." in row(
        shown, at_review.id
    )
    assert db.session.scalar(select(InstanceMigration.id)) is None  # a preview changes nothing

    done = designer.post(PAGE, data=ids)
    assert done.status_code == 200
    results = section(text_of(done), "migration-results")
    assert "Migrated from version 1 to version 2." in row(results, at_statements.id)
    assert "Not migrated" in row(results, at_review.id) and "review_proposal" in row(results, at_review.id)
    db.session.expire_all()
    assert db.session.get(ProcessInstance, at_statements.id).definition.version == 2
    history = section(text_of(done), "migration-history")
    [migration_id] = re.findall(r'data-migration="(\d+)"', history)
    assert "Roll back" in history

    back = designer.post(f"/designer/migrations/{migration_id}/rollback")
    assert back.status_code == 302 and back.headers["Location"].endswith(PAGE)
    page = text_of(designer.get(PAGE))
    assert f"Case {at_statements.reference} is back on version 1." in page
    assert "Roll back" not in section(page, "migration-history")
    db.session.expire_all()
    assert db.session.get(ProcessInstance, at_statements.id).definition.version == 1
    assert designer.post(f"/designer/migrations/{migration_id}/rollback").status_code == 409


def test_a_rollback_after_the_case_moved_on_is_refused_with_a_409(
    app, as_user, people, tmp_path, monkeypatch
):
    case = case_at("statements", people.officer)
    deploy_without_review(app, tmp_path, monkeypatch, people.designer)
    designer = as_user("designer")
    designer.post(PAGE, data={"ids": [str(case.id)]})
    migration_id = db.session.scalar(select(InstanceMigration.id))
    tasks.complete(
        people.officer, open_task(case.id, "financial_statements").id, {"statements": statements()}
    )
    refused = designer.post(f"/designer/migrations/{migration_id}/rollback")
    assert refused.status_code == 409 and "has moved on since it was migrated" in text_of(refused)


def test_only_designers_reach_the_page_and_bad_posts_are_refused(app, as_user, people, tmp_path, monkeypatch):
    case = case_at("intake", people.officer)
    deploy_without_review(app, tmp_path, monkeypatch, people.designer)
    officer = as_user("officer")
    assert officer.get(PAGE).status_code == 403
    assert officer.post(PAGE, data={"ids": [str(case.id)]}).status_code == 403
    assert officer.post(f"{PAGE}/preview", data={"ids": [str(case.id)]}).status_code == 403
    designer = as_user("designer")
    assert designer.post(PAGE, data={}).status_code == 422  # nothing chosen
    assert designer.post(PAGE, data={"ids": ["x"]}).status_code == 422
    assert designer.post(PAGE, data={"ids": ["999999"]}).status_code == 404
    assert designer.post(PAGE, data={"ids": [str(case.id)], "to": "7"}).status_code == 404
    assert designer.get("/designer/no_such_process/migrate").status_code == 404
    assert designer.post("/designer/migrations/31337/rollback").status_code == 404
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).definition.version == 1


def test_a_post_without_the_csrf_token_is_refused(app, as_user, people, tmp_path, monkeypatch):
    case = case_at("intake", people.officer)
    deploy_without_review(app, tmp_path, monkeypatch, people.designer)
    designer = as_user("designer")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert designer.post(PAGE, data={"ids": [str(case.id)]}).status_code == 400
    assert designer.post(f"{PAGE}/preview", data={"ids": [str(case.id)]}).status_code == 400
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).definition.version == 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', text_of(designer.get(PAGE))).group(1)
    assert designer.post(PAGE, data={"ids": [str(case.id)], "csrf_token": token}).status_code == 200
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).definition.version == 2


def test_a_number_no_row_can_have_is_refused_not_a_500(app, as_user, people):
    designer = as_user("designer")
    huge = "9" * 20  # past a 64-bit integer: the database driver overflows
    for data in ({"ids": [huge]}, {"ids": ["1"], "to": huge}, {"ids": [str(2**31)]}, {"ids": ["0"]}):
        for path in (f"{PAGE}/preview", PAGE):
            refused = designer.post(path, data=data)
            assert refused.status_code == 422, (path, data)
            assert "no case or version has that number" in text_of(refused)
    # and in every <int:...> route, old and new: no such page
    assert designer.post(f"/designer/migrations/{huge}/rollback").status_code == 404
    assert designer.post(f"/designer/migrations/{2**31}/rollback").status_code == 404
    assert designer.get(f"/cases/{huge}").status_code == 404
