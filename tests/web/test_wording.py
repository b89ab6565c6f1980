"""Small wording: people by their names (a withdrawal, a committee's veto), English pages without Chinese
punctuation or full-width brackets, and the exceptions page never "from —": what it was taken from instead."""

from __future__ import annotations

import re

from app.extensions import db
from app.services.cases import delegation, withdrawal
from tests.factories import case_at, open_task
from tests.web.test_coded_values import page_text
from tests.web.test_pages import text_of

CHINESE_PUNCTUATION = re.compile(r"[（）【】《》，。：；、！？“”]")


def test_a_withdrawn_case_names_who_withdrew_it(as_user, people):
    people.officer.display_name = "李娜"
    db.session.commit()
    case = case_at("statements", people.officer)
    withdrawal.withdraw(people.officer, case.id, "客户另行融资")
    page = text_of(as_user("risk").get(f"/cases/{case.id}"))
    banner = page[page.index('id="withdrawn"') : page.index("</p>", page.index('id="withdrawn"'))]
    assert "李娜" in banner and "officer" not in banner


def test_english_pages_use_no_chinese_punctuation(as_user, people):
    case = case_at("statements", people.officer)
    pages = {
        "intake form": as_user("officer").get(
            f"/tasks/{open_task(case_at('intake', people.officer).id, 'application_intake').id}"
        ),
        "statements form": as_user("officer").get(f"/tasks/{open_task(case.id, 'financial_statements').id}"),
        "users": as_user("admin").get("/admin/users"),
        "case page": as_user("risk").get(f"/cases/{case.id}"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = page_text(response)
        for data in ("华东精密机械有限公司",):  # what people entered may be Chinese; the page's own words not
            text = text.replace(data, "")
        assert CHINESE_PUNCTUATION.findall(text) == [], name


def test_the_exceptions_page_never_says_from_nobody(as_user, people, app):
    case = case_at("statements", people.officer)
    task = open_task(case.id, "financial_statements")
    if task.assignee_id:  # released to the group's queue first: nobody holds it
        task.assignee_id = None
        db.session.commit()
    delegation.reassign(people.admin, task.id, "officer2")
    for language, nobody in (("zh_CN", "由 —"), ("en", "from —")):
        client = as_user("compliance")
        client.set_cookie("locale", language)
        page = page_text(client.get("/audit/exceptions"))
        assert nobody not in page
        assert ("由任务池" if language == "zh_CN" else "from the group's queue") in page
