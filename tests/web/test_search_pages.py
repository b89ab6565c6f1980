"""Every search box refuses what is not text (NUL, control characters, an overlong term) with a 422 naming
the field, where the database driver would fail (a 500 on PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.web.test_pages import text_of

LONG = "长" * 101


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("risk", "/cases?q={}"),
        ("risk", "/customers?q={}"),
        ("approver2", "/inbox?q={}"),
        ("compliance", "/audit?customer={}"),
        ("compliance", "/audit?case={}"),
        ("compliance", "/audit?user={}"),
    ],
)
@pytest.mark.parametrize("term", ["a%00b", "line%0Abreak", LONG])
def test_a_search_term_that_is_not_text_is_refused_not_a_500(as_user, user, url, term):
    response = as_user(user).get(url.format(term))
    assert response.status_code == 422, text_of(response)[:300]
    said = text_of(response)
    assert any(
        reason in said
        for reason in (
            "at most 100 characters",
            "letters, digits and punctuation only",
            "holds a NUL character",
            "must be a single line",
        )
    ), said


def test_a_search_on_the_pages_finds_by_part_of_the_name(as_user, people):
    from tests.factories import case_at

    case = case_at("statements", people.officer, customer_name="星河精密机械有限公司")
    for user, url in (("risk", "/cases?q=精密机械"), ("risk", "/customers?q=精密机械")):
        page = text_of(as_user(user).get(url))
        assert "星河精密机械有限公司" in page, url
    assert case.reference in text_of(as_user("risk").get("/cases?q=精密机械"))
