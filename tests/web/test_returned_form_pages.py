"""A case returned for revision: the officer's form marks the fields the approver asked to fix, focuses
(and so scrolls to) the first of them, and shows the approver's comment."""

from __future__ import annotations

import re

from app.forms import check_form_schema
from app.forms.display import fix_request
from app.services.cases import tasks
from tests.factories import case_at, case_routed, open_task
from tests.web.test_pages import text_of

COMMENT = "请补充担保安排并压降额度后重新提交。"


def field_block(page: str, name: str) -> str:
    """The opening tag of the field wrapper that holds the input ``f-<name>``."""
    at = page.index(f'id="f-{name}"')
    start = page.rindex('<div class="form-field', 0, at)
    return page[start : page.index(">", start)]


def test_the_returned_form_marks_the_fields_to_fix_and_scrolls_to_the_first(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "return", "comment": COMMENT, "fields_to_fix": ["proposed_controls", "proposed_limit"]},
    )
    page = text_of(as_user("officer").get(f"/tasks/{open_task(case.id, 'review_proposal').id}"))
    summary = page[
        page.index('id="form-fix-summary"') : page.index("</div>", page.index('id="form-fix-summary"'))
    ]
    assert (
        COMMENT in summary
        and 'href="#f-proposed_limit"' in summary
        and 'href="#f-proposed_controls"' in summary
    )
    assert "form-field-to-fix" in field_block(page, "proposed_limit")
    assert "form-field-to-fix" in field_block(page, "proposed_controls")
    assert "form-field-to-fix" not in field_block(page, "proposed_term_months")
    assert re.search(r'<input[^>]*id="f-proposed_limit"[^>]*autofocus', page)  # first in page order
    assert page.count("autofocus") == 1


def test_a_first_round_form_marks_nothing(as_user, people):
    case = case_at("review", people.officer)
    page = text_of(as_user("officer").get(f"/tasks/{open_task(case.id, 'review_proposal').id}"))
    assert "form-fix-summary" not in page and "form-field-to-fix" not in page and "autofocus" not in page
    # the read-only fields that would hold an approver's request are left out, not shown empty ("—")
    assert 'id="f-approver_comment"' not in page and 'id="f-returned_fields"' not in page


def test_a_returned_form_shows_the_request_s_fields_too(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "return", "comment": COMMENT, "fields_to_fix": ["proposed_limit"]},
    )
    page = text_of(as_user("officer").get(f"/tasks/{open_task(case.id, 'review_proposal').id}"))
    assert 'id="f-approver_comment"' in page and 'id="f-returned_fields"' in page


def test_what_to_fix_is_read_from_the_fields_the_form_names():
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "x-fix-fields": "returned",
        "x-fix-comment": "why",
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string", "readOnly": True},
            "returned": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "readOnly": True},
            "why": {"type": "string", "readOnly": True},
        },
    }
    request = fix_request(schema, {"returned": ["b", "a", "ghost"], "why": "  理由  "})
    assert [f.name for f in request.fields] == [
        "a"
    ] and request.comment == "  理由  "  # read-only b is not asked
    assert fix_request(schema, {"why": "x"}).fields == [] and fix_request(schema, {}).comment is None
    assert check_form_schema(schema) == []
    assert check_form_schema({**schema, "x-fix-fields": "ghost"}) == [
        "x-fix-fields: 'ghost' is not a property"
    ]
