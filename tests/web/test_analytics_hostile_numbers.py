"""Row numbers in the analytics pages' query strings and forms: ``²`` (a digit to ``str.isdigit``, no number to
``int``) and numbers past a database integer are a 422 naming the field, never a 500."""

from __future__ import annotations

import pytest

from app.inputs import numbers

SUPERSCRIPT_TWO, HUGE = "%C2%B2", "9" * 26


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/analytics/stress?run={SUPERSCRIPT_TWO}", "run"),
        (f"/analytics/stress?run={HUGE}", "run"),
        (f"/analytics/portfolio/customers?customer={SUPERSCRIPT_TWO}", "customer"),
        (f"/analytics/portfolio/customers?customer={HUGE}", "customer"),
        (f"/analytics/kpis/cases?measure=decided&user_id={HUGE}", "user_id"),
        ("/analytics/kpis/cases?measure=decided&user_id=abc", "user_id"),
        (f"/analytics/cases?page={SUPERSCRIPT_TWO}", "page"),
    ],
)
def test_a_row_number_that_is_no_number_is_a_422_naming_it(as_user, people, url, field):
    response = as_user("risk").get(url)
    assert response.status_code == 422, response.status_code
    assert field in response.get_data(as_text=True)


def test_row_id_reads_ascii_digits_within_a_column_only():
    assert numbers.row_id("42") == 42 and numbers.row_id(" 7 ") == 7
    for raw in ("²", "١", "-1", "1e3", "", None, str(numbers.ROW_ID + 1), "9" * 30):
        assert numbers.row_id(raw) is None, raw
